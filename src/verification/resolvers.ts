/** Verification's GraphQL: staff (purpose identity-verification) and customers (their own channels). */
import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../core/context';
import { ErrorCode, SafeError } from '../core/errors';
import { isId } from '../core/ids';
import { Customer, findVisible, outOfScope, type CustomerDoc, type StoredCustomer } from '../customers';
import { subject } from '../policy';
import { confirmCode, startCodeVerification } from './codes';
import { markIdentity, shownVerification, Verification, VerificationChannel, VerificationStarted } from './state';

/** Why a customer may write their own verification state: reading it is granted (role customer, scope self). */
const OWN_CHANNEL = 'a customer confirming their own contact channel (read rule on Customer.verification)';

/**
 * Staff: the customer, if the caller may update its `verification` attribute under the declared
 * purpose and task (FORBIDDEN outside the rows, FORBIDDEN_FIELD without the field rule).
 */
export async function customerToVerify(ctx: RequestContext, id: string): Promise<StoredCustomer> {
  const doc = await findVisible(ctx, id, 'update');
  if (!doc) throw outOfScope(ctx, id);
  ctx.guard.authorize('Customer', doc, 'update', ['verification']);
  return doc;
}

/**
 * Self-service: the caller's own record, if the policy lets them read their `verification`
 * (role `customer`, scope self). Confirming one's own address needs no other grant.
 */
export async function ownCustomer(ctx: RequestContext): Promise<StoredCustomer> {
  const id = ctx.principal?.kind === 'customer' ? ctx.principal.id : '';
  const doc = isId(id) ? await findVisible(ctx, id) : null;
  if (!doc) throw outOfScope(ctx, id);
  if (!ctx.ability.can('read', subject('Customer', { ...doc }), 'verification')) {
    ctx.log.denied('Customer', doc._id, 'verification');
    throw new SafeError(ErrorCode.FORBIDDEN_FIELD, 'Not allowed to verify Customer.verification for purpose self-service', {
      field: 'Customer.verification', purpose: ctx.purpose?.id ?? null, count: 1,
    });
  }
  return doc;
}

/**
 * Declares Customer.verification. Its value comes from the field guard's view (the mapping in
 * index.ts: every item, UNVERIFIED where nothing is stored), never from this method.
 */
@Resolver(() => Customer)
export class CustomerVerificationResolver {
  @FieldResolver(() => Verification, { nullable: true, description: 'What is verified: identity, email, phone' })
  verification(@Root() c: Record<string, unknown>): unknown {
    return c.verification;
  }
}

/** Staff operations (purpose identity-verification, role verification-officer in the demo policy). */
@Resolver()
export class VerificationStaffResolver {
  @Mutation(() => VerificationStarted, { description: 'Send a one-time code to the customer\'s current email or phone (valid 10 minutes, 5 attempts). Needs update on Customer.verification.' })
  async startVerification(
    @Arg('customerId', () => ID) customerId: string,
    @Arg('channel', () => VerificationChannel) channel: VerificationChannel,
    @Ctx() ctx: RequestContext,
  ): Promise<VerificationStarted> {
    return startCodeVerification(ctx, await customerToVerify(ctx, customerId), channel);
  }

  @Mutation(() => Customer, { description: 'Confirm the code the customer received; the channel becomes VERIFIED.' })
  async confirmVerification(
    @Arg('customerId', () => ID) customerId: string,
    @Arg('channel', () => VerificationChannel) channel: VerificationChannel,
    @Arg('code', () => String) code: string,
    @Ctx() ctx: RequestContext,
  ): Promise<CustomerDoc> {
    return confirmCode(ctx, await customerToVerify(ctx, customerId), channel, code);
  }

  @Mutation(() => Customer, { description: 'Record that the identity was verified, with the method and a reference to the evidence (never the document).' })
  async markIdentityVerified(
    @Arg('customerId', () => ID) customerId: string,
    @Arg('method', () => String, { description: 'id-document | in-person | video-call | electronic-id | bank-reference' }) method: string,
    @Arg('evidenceRef', () => String, { description: 'An id or URI of the evidence in the document system' }) evidenceRef: string,
    @Ctx() ctx: RequestContext,
  ): Promise<CustomerDoc> {
    return markIdentity(ctx, await customerToVerify(ctx, customerId), method, evidenceRef);
  }
}

/** The customer's own email and phone verification (`/self/graphql`). */
@Resolver()
export class VerificationSelfResolver {
  @Query(() => Verification, { description: 'What is verified about you.' })
  async myVerification(@Ctx() ctx: RequestContext): Promise<Verification> {
    const doc = await ownCustomer(ctx);
    ctx.log.read('Customer', doc._id, ['id', 'verification']);
    return shownVerification(doc.verification, ctx.audience) as Verification;
  }

  @Mutation(() => VerificationStarted, { description: 'Send a one-time code to your current email or phone (valid 10 minutes, 5 attempts).' })
  async startMyVerification(@Arg('channel', () => VerificationChannel) channel: VerificationChannel, @Ctx() ctx: RequestContext): Promise<VerificationStarted> {
    return startCodeVerification(ctx, await ownCustomer(ctx), channel, OWN_CHANNEL);
  }

  @Mutation(() => Customer, { description: 'Confirm the code you received.' })
  async confirmMyVerification(
    @Arg('channel', () => VerificationChannel) channel: VerificationChannel,
    @Arg('code', () => String) code: string,
    @Ctx() ctx: RequestContext,
  ): Promise<CustomerDoc> {
    return confirmCode(ctx, await ownCustomer(ctx), channel, code, OWN_CHANNEL);
  }
}
