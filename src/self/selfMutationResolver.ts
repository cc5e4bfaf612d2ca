import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { checkConsentKey } from '../consent/consentKeys';
import { currentConsents, setConsent } from '../consent/consentLedger';
import type { CustomerDoc } from '../customers/customerModel';
import { Consent, Customer } from '../customers/customerTypes';
import { requestCorrection } from '../privacy/corrections';
import { CorrectionRequest, ErasureReceipt } from '../privacy/privacyTypes';
import { requestErasure } from '../privacy/requestErasure';
import { correctionView, erasureReceipt } from '../privacy/views';
import { subject } from '../policy';
import { ErrorCode, InputError, SafeError } from '../server/errors';
import type { RequestContext } from '../server/requestContext';
import { exportMyData } from './exportMyData';
import { ownRecord } from './ownRecord';
import { ContactInput } from './selfTypes';
import { updateContact } from './updateContact';

/** The consent whose withdrawal means leaving the program. */
const STORAGE = 'storage';

function mayChangeConsents(ctx: RequestContext, doc: CustomerDoc & Record<string, unknown>): void {
  if (ctx.ability.can('update', subject('Customer', doc), 'consents')) return;
  ctx.audit.denied('Customer', doc._id, 'consents');
  throw new SafeError(ErrorCode.FORBIDDEN_FIELD, 'Not allowed to update Customer.consents; nothing was written', {
    field: 'Customer.consents', purpose: ctx.purpose?.id ?? null, count: 1,
  });
}

/** The customer's own changes (/self/graphql, purpose self-service); every write is logged. */
@Resolver()
export class SelfMutationResolver {
  @Mutation(() => Customer, { description: 'Change your email, phone, address or preferences.' })
  async updateMyContact(@Arg('input', () => ContactInput) input: ContactInput, @Ctx() ctx: RequestContext): Promise<CustomerDoc> {
    return updateContact(ctx, await ownRecord(ctx), input);
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
    checkConsentKey(ctx.app.policies, key);
    const doc = await ownRecord(ctx);
    mayChangeConsents(ctx, doc);
    const { doc: after, changed } = await setConsent(ctx.app, doc, key, true, 'self-service');
    if (changed) ctx.audit.written('Customer', doc._id, ['consents']);
    ctx.loaders.customer.clear(doc._id).prime(doc._id, after);
    return currentConsents(ctx.app.policies, after);
  }

  @Mutation(() => [Consent], {
    description: 'Withdraw a consent; it takes effect on the very next request. Withdrawing twice changes nothing. Withdrawing storage is leaving the program: all your data is erased.',
  })
  async withdrawConsent(@Arg('key', () => String) key: string, @Ctx() ctx: RequestContext): Promise<Consent[]> {
    checkConsentKey(ctx.app.policies, key);
    const doc = await ownRecord(ctx);
    mayChangeConsents(ctx, doc);
    if (key === STORAGE) {
      const at = new Date();
      await requestErasure(ctx, doc, 'the customer withdrew consent to storage');
      return [...ctx.app.policies.consentKeys.keys()].map((k) => ({ key: k, granted: false, at, source: 'self-service' }));
    }
    const { doc: after, changed } = await setConsent(ctx.app, doc, key, false, 'self-service');
    if (changed) ctx.audit.written('Customer', doc._id, ['consents']);
    ctx.loaders.customer.clear(doc._id).prime(doc._id, after);
    return currentConsents(ctx.app.policies, after);
  }

  @Mutation(() => ErasureReceipt, { description: 'Leave the program: all your data is erased. confirm must be true. Returns the erasure receipt.' })
  async leaveProgram(@Arg('confirm', () => Boolean) confirm: boolean, @Ctx() ctx: RequestContext): Promise<ErasureReceipt> {
    if (confirm !== true) throw new InputError('confirm', 'must be true: leaving the program erases all your data');
    const doc = await ownRecord(ctx);
    return erasureReceipt(await requestErasure(ctx, doc, 'the customer left the program'));
  }

  @Mutation(() => String, { description: 'Everything held about you as one JSON document (portability). The card number is never included.' })
  async exportMyData(@Ctx() ctx: RequestContext): Promise<string> {
    return exportMyData(ctx, await ownRecord(ctx));
  }
}
