import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { CustomerDoc } from '../customers/customerModel';
import { Customer } from '../customers/customerTypes';
import type { RequestContext } from '../server/requestContext';
import { confirmCode, startCodeVerification } from './codeFlow';
import { ownCustomer, written } from './verificationAccess';
import { normaliseVerification } from './verificationState';
import { Verification, VerificationChannel, VerificationStarted } from './verificationTypes';

/** The customer's own email and phone verification (`/self/graphql`). */
@Resolver()
export class VerificationSelfResolver {
  @Query(() => Verification, { description: 'What is verified about you.' })
  async myVerification(@Ctx() ctx: RequestContext): Promise<Verification> {
    const doc = await ownCustomer(ctx);
    ctx.audit.read('Customer', doc._id, 'verification');
    return normaliseVerification(doc.verification) as Verification;
  }

  @Mutation(() => VerificationStarted, { description: 'Send a one-time code to your current email or phone (valid 10 minutes, 5 attempts).' })
  async startMyVerification(@Arg('channel', () => VerificationChannel) channel: VerificationChannel, @Ctx() ctx: RequestContext): Promise<VerificationStarted> {
    const doc = await ownCustomer(ctx);
    const started = await startCodeVerification(ctx, doc, channel);
    ctx.audit.written('Customer', doc._id, ['verification']);
    return started;
  }

  @Mutation(() => Customer, { description: 'Confirm the code you received.' })
  async confirmMyVerification(
    @Arg('channel', () => VerificationChannel) channel: VerificationChannel,
    @Arg('code', () => String) code: string,
    @Ctx() ctx: RequestContext,
  ): Promise<CustomerDoc> {
    const doc = await ownCustomer(ctx);
    return written(ctx, await confirmCode(ctx, doc, channel, code));
  }
}
