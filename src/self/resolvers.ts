/** The customer's own view (/self/graphql, purpose self-service). Every read and write goes through the policy and the access log. */
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, Info, Int, Mutation, Query, Resolver } from 'type-graphql';
import { consentHistoryOf } from '../audit';
import { checkConsentKey, ConsentEvent, currentConsents, setConsent } from '../consent';
import type { RequestContext } from '../core/context';
import { ErrorCode, InputError, SafeError } from '../core/errors';
import { pageSize } from '../core/pagination';
import { selects } from '../core/selection';
import { Consent, Customer, findVisible, writeCustomer, WRITE_GROUPS, type CustomerDoc, type StoredCustomer } from '../customers';
import { inputLeaves, inputLists, validateUpdateInput } from '../customers/input';
import { subject } from '../policy';
import { ErasureReceipt, erasureReceipt, requestErasure } from '../erasure';
import { CorrectionRequest, correctionView, listCorrections, requestCorrection } from '../rectification';
import { accessHistoryPage } from './accessHistory';
import { exportMyData } from './export';
import { AccessHistoryConnection, ContactInput } from './types';

/** The consent whose withdrawal means leaving the program. */
const STORAGE = 'storage';

/** The calling customer's own document (rows from the policy: scope self). Gone: UNAUTHENTICATED. */
export async function ownRecord(ctx: RequestContext): Promise<StoredCustomer> {
  const id = ctx.principal?.id;
  const doc = id ? await findVisible(ctx, id) : null;
  if (!doc) throw new SafeError(ErrorCode.UNAUTHENTICATED, 'Not authenticated: this customer is not in the program (unknown, or erased)');
  return doc;
}

/** Reading the consents of one's record, through the guard (recorded); an empty answer when not granted. */
function mayReadConsents(ctx: RequestContext, doc: StoredCustomer): boolean {
  const readable = ctx.ability.can('read', subject('Customer', { ...doc }), 'consents');
  if (readable) ctx.log.read('Customer', doc._id, ['consents', 'id']);
  else ctx.log.denied('Customer', doc._id, 'consents');
  return readable;
}

@Resolver()
export class SelfQueryResolver {
  @Query(() => Customer, { description: 'Everything the company holds about you (the card shows brand, last 4 and expiry only).' })
  async me(@Ctx() ctx: RequestContext): Promise<CustomerDoc> {
    return ownRecord(ctx);
  }

  @Query(() => [Consent], { description: 'The current state of each consent.' })
  async myConsents(@Ctx() ctx: RequestContext): Promise<Consent[]> {
    const doc = await ownRecord(ctx);
    return mayReadConsents(ctx, doc) ? currentConsents(ctx.services.policies, doc) : [];
  }

  @Query(() => [ConsentEvent], { description: 'Every grant and withdrawal you made (or staff recorded), oldest first.' })
  async myConsentHistory(@Ctx() ctx: RequestContext): Promise<ConsentEvent[]> {
    const doc = await ownRecord(ctx);
    return mayReadConsents(ctx, doc) ? consentHistoryOf(ctx.services.conn, doc._id) : [];
  }

  @Query(() => AccessHistoryConnection, { description: 'Who accessed which of your attributes, for which purpose, when; newest first.' })
  async myAccessHistory(
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('first', () => Int, { nullable: true, description: '1 to 200; default 50' }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    await ownRecord(ctx);
    return accessHistoryPage(ctx, pageSize(first, 50, 200), after, selects(info, 'totalCount'));
  }

  @Query(() => [CorrectionRequest], { description: 'Your correction requests and their outcome, newest first.' })
  async myRequests(@Ctx() ctx: RequestContext): Promise<CorrectionRequest[]> {
    await ownRecord(ctx);
    return (await listCorrections(ctx)).map((d) => correctionView(d, ctx.audience));
  }
}

@Resolver()
export class SelfMutationResolver {
  @Mutation(() => Customer, { description: 'Change your email, phone, address or preferences.' })
  async updateMyContact(@Arg('input', () => ContactInput) input: ContactInput, @Ctx() ctx: RequestContext): Promise<CustomerDoc> {
    const doc = await ownRecord(ctx);
    const raw = JSON.parse(JSON.stringify(input)) as Record<string, unknown>;
    const leaves = inputLeaves(raw, { address: WRITE_GROUPS.address });
    if (leaves.length === 0) throw new SafeError(ErrorCode.BAD_USER_INPUT, 'Invalid value for "input": give at least one of email, phone, address, preferences', { field: 'input' });
    ctx.guard.authorize('Customer', doc, 'update', leaves);
    const clean = validateUpdateInput({ email: input.email, phone: input.phone, address: input.address, preferences: input.preferences }, inputLists(ctx.services.policies));
    const set: Record<string, unknown> = {};
    for (const key of ['email', 'phone', 'preferences'] as const) if (clean[key] !== undefined) set[key] = clean[key];
    if (clean.address === null || (clean.address && !doc.address)) set.address = clean.address;
    else if (clean.address) for (const [k, v] of Object.entries(clean.address)) set[`address.${k}`] = v;
    return writeCustomer(ctx, {
      doc, set, fields: leaves,
      gone: () => new SafeError(ErrorCode.UNAUTHENTICATED, 'Not authenticated: this customer is not in the program (unknown, or erased)'),
    });
  }

  @Mutation(() => CorrectionRequest, { description: 'Ask for a correction of fullName or birthDate; the privacy officer decides. Follow it in myRequests.' })
  async requestCorrection(
    @Arg('field', () => String) field: string,
    @Arg('proposedValue', () => String) proposedValue: string,
    @Ctx() ctx: RequestContext,
    @Arg('note', () => String, { nullable: true }) note?: string,
  ): Promise<CorrectionRequest> {
    const doc = await ownRecord(ctx);
    return correctionView(await requestCorrection(ctx, doc._id, field, proposedValue, note), ctx.audience);
  }

  @Mutation(() => [Consent], { description: 'Grant a consent. Granting one you already gave changes nothing.' })
  async grantConsent(@Arg('key', () => String) key: string, @Ctx() ctx: RequestContext): Promise<Consent[]> {
    checkConsentKey(ctx.services.policies, key);
    const { doc } = await setConsent(ctx, await ownRecord(ctx), key, true, 'self-service');
    return currentConsents(ctx.services.policies, doc);
  }

  @Mutation(() => [Consent], {
    description: 'Withdraw a consent; it takes effect on the very next request. Withdrawing twice changes nothing. Withdrawing storage is leaving the program: all your data is erased.',
  })
  async withdrawConsent(@Arg('key', () => String) key: string, @Ctx() ctx: RequestContext): Promise<Consent[]> {
    checkConsentKey(ctx.services.policies, key);
    const doc = await ownRecord(ctx);
    if (key === STORAGE) {
      ctx.guard.authorize('Customer', doc, 'update', ['consents']);
      const at = new Date();
      await requestErasure(ctx, doc, 'the customer withdrew consent to storage');
      return [...ctx.services.policies.consentKeys.keys()].map((k) => ({ key: k, granted: false, at, source: 'self-service' }));
    }
    const { doc: after } = await setConsent(ctx, doc, key, false, 'self-service');
    return currentConsents(ctx.services.policies, after);
  }

  @Mutation(() => ErasureReceipt, { description: 'Leave the program: all your data is erased. confirm must be true. Returns the erasure receipt.' })
  async leaveProgram(@Arg('confirm', () => Boolean) confirm: boolean, @Ctx() ctx: RequestContext): Promise<ErasureReceipt> {
    if (confirm !== true) throw new InputError('confirm', 'must be true: leaving the program erases all your data');
    return erasureReceipt(await requestErasure(ctx, await ownRecord(ctx), 'the customer left the program'));
  }

  @Mutation(() => String, { description: 'Everything held about you as one JSON document (portability). The card number is never included.' })
  async exportMyData(@Ctx() ctx: RequestContext): Promise<string> {
    return exportMyData(ctx, await ownRecord(ctx));
  }
}
