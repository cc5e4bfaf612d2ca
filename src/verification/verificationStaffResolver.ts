import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import type { CustomerDoc } from '../customers/customerModel';
import { Customer } from '../customers/customerTypes';
import type { RequestContext } from '../server/requestContext';
import { confirmCode, startCodeVerification } from './codeFlow';
import { markIdentity } from './identity';
import { customerToVerify, written } from './verificationAccess';
import { VerificationChannel, VerificationStarted } from './verificationTypes';

/** Staff operations (purpose identity-verification, role verification-officer in the demo policy). */
@Resolver()
export class VerificationStaffResolver {
  @Mutation(() => VerificationStarted, { description: 'Send a one-time code to the customer\'s current email or phone (valid 10 minutes, 5 attempts). Needs update on Customer.verification.' })
  async startVerification(
    @Arg('customerId', () => ID) customerId: string,
    @Arg('channel', () => VerificationChannel) channel: VerificationChannel,
    @Ctx() ctx: RequestContext,
  ): Promise<VerificationStarted> {
    const doc = await customerToVerify(ctx, customerId);
    const started = await startCodeVerification(ctx, doc, channel);
    ctx.audit.written('Customer', doc._id, ['verification']);
    return started;
  }

  @Mutation(() => Customer, { description: 'Confirm the code the customer received; the channel becomes VERIFIED.' })
  async confirmVerification(
    @Arg('customerId', () => ID) customerId: string,
    @Arg('channel', () => VerificationChannel) channel: VerificationChannel,
    @Arg('code', () => String) code: string,
    @Ctx() ctx: RequestContext,
  ): Promise<CustomerDoc> {
    const doc = await customerToVerify(ctx, customerId);
    return written(ctx, await confirmCode(ctx, doc, channel, code));
  }

  @Mutation(() => Customer, { description: 'Record that the identity was verified, with the method and a reference to the evidence (never the document).' })
  async markIdentityVerified(
    @Arg('customerId', () => ID) customerId: string,
    @Arg('method', () => String, { description: 'id-document | in-person | video-call | electronic-id | bank-reference' }) method: string,
    @Arg('evidenceRef', () => String, { description: 'An id or URI of the evidence in the document system' }) evidenceRef: string,
    @Ctx() ctx: RequestContext,
  ): Promise<CustomerDoc> {
    const doc = await customerToVerify(ctx, customerId);
    return written(ctx, await markIdentity(ctx, doc, method, evidenceRef));
  }
}
