import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { rowFilter, subject } from '../policy';
import { ErrorCode, SafeError } from '../server/errors';
import type { RequestContext } from '../server/requestContext';
import { newCustomerId, type CustomerDoc } from './customerModel';
import { Customer, EnrolCustomerInput, UpdateCustomerInput } from './customerTypes';
import { inputLeaves } from './inputLeaves';
import { outOfScope } from './customerQueryResolver';
import { validateEnrolInput, validateUpdateInput } from './input';
import { inputLists } from './inputLists';
import { recordEnrolmentConsents } from '../consent/consentLedger';
import { notErasing } from '../privacy/erasingMark';
import { changedChannels, supersedeCodes, verificationResetFields } from '../verification/resetOnChange';

const WRITE_GROUPS = {
  address: ['street', 'city', 'postalCode', 'country'],
  health: ['conditions', 'notes'],
} as const;

function plainInput<T extends object>(input: T): Record<string, unknown> {
  return JSON.parse(JSON.stringify(input)) as Record<string, unknown>;
}

/** All or nothing: if any touched attribute may not be written, nothing is written. */
function refuseDenied(ctx: RequestContext, action: 'create' | 'update', doc: Record<string, unknown> & { _id: string }, leaves: string[]): void {
  const target = subject('Customer', doc);
  const denied = leaves.filter((leaf) => !ctx.ability.can(action, target, leaf));
  if (denied.length === 0) return;
  for (const leaf of denied) ctx.audit.denied('Customer', action === 'create' ? null : doc._id, leaf);
  const fields = denied.map((d) => `Customer.${d}`);
  throw new SafeError(
    ErrorCode.FORBIDDEN_FIELD,
    `Not allowed to ${action} ${fields.join(', ')} for purpose ${ctx.purpose?.id}; nothing was written`,
    { field: fields[0], fields, purpose: ctx.purpose?.id ?? null, count: 1 },
  );
}

@Resolver(() => Customer)
export class CustomerMutationResolver {
  @Mutation(() => Customer, { description: 'Enrol a customer. input.consent.storage must be true; the consents given are recorded.' })
  async enrolCustomer(@Arg('input', () => EnrolCustomerInput) input: EnrolCustomerInput, @Ctx() ctx: RequestContext): Promise<CustomerDoc> {
    if (input.consent.storage !== true) {
      ctx.audit.operationDenied(ErrorCode.CONSENT_REQUIRED, 'no storage consent');
      throw new SafeError(ErrorCode.CONSENT_REQUIRED, 'The customer must consent to storage (input.consent.storage: true); nothing was stored', { consent: 'storage' });
    }
    const raw = plainInput(input);
    const { consent: _consent, ...attributes } = raw;
    const _id = newCustomerId();
    const leaves = [...inputLeaves(attributes, WRITE_GROUPS), 'consents'];
    refuseDenied(ctx, 'create', { _id }, leaves);
    const lists = inputLists(ctx.app.policies);
    const clean = validateEnrolInput(input, lists);
    const at = new Date();
    const source = clean.consent.source ?? 'staff';
    const granted = new Set(['storage', ...(clean.consent.purposes ?? [])]);
    const consentState = Object.fromEntries(lists.consentKeys.map((k) => [k, granted.has(k)]));
    const doc = await ctx.app.models.customers.create({
      _id,
      fullName: clean.fullName,
      email: clean.email ?? undefined,
      phone: clean.phone ?? undefined,
      birthDate: clean.birthDate ?? undefined,
      address: clean.address ?? undefined,
      segment: clean.segment ?? undefined,
      preferences: clean.preferences ?? undefined,
      consentState,
      consents: lists.consentKeys.map((key) => ({ key, granted: granted.has(key), at, source })),
      enrolledBy: ctx.principal?.id,
    });
    ctx.audit.written('Customer', _id, leaves);
    const lean = doc.toObject() as CustomerDoc;
    await recordEnrolmentConsents(ctx.app, _id, lean.consents); // the consent ledger (src/consent)
    ctx.loaders.customer.prime(_id, lean);
    return lean;
  }

  @Mutation(() => Customer, { description: 'Update attributes; rejected whole (FORBIDDEN_FIELD) if any may not be written.' })
  async updateCustomer(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateCustomerInput) input: UpdateCustomerInput,
    @Ctx() ctx: RequestContext,
  ): Promise<CustomerDoc> {
    const { customers } = ctx.app.models;
    const doc = /^[A-Za-z0-9_-]{1,64}$/.test(id)
      ? await customers.findOne({ $and: [rowFilter(ctx.ability, 'update', 'Customer'), { _id: id }, notErasing()] }).lean<CustomerDoc>().exec()
      : null;
    if (!doc) throw outOfScope(ctx, id);
    const raw = plainInput(input);
    // Setting or removing (null) a card writes all of it: number, brand, last 4 and expiry.
    const card = raw.paymentCard !== undefined ? ['paymentCard.number', 'paymentCard.brand', 'paymentCard.last4', 'paymentCard.expiryMonth', 'paymentCard.expiryYear'] : [];
    const { paymentCard: _card, ...rest } = raw;
    const leaves = [...inputLeaves(rest, WRITE_GROUPS), ...card];
    if (leaves.length === 0) throw new SafeError(ErrorCode.BAD_USER_INPUT, 'Invalid value for "input": give at least one attribute to update', { field: 'input' });
    refuseDenied(ctx, 'update', doc as CustomerDoc & Record<string, unknown>, leaves);
    const clean = validateUpdateInput(input, inputLists(ctx.app.policies));
    const set: Record<string, unknown> = {};
    for (const key of ['email', 'phone', 'preferences', 'segment', 'loyaltyTier'] as const) {
      if (clean[key] !== undefined) set[key] = clean[key];
    }
    if (clean.address === null || (clean.address && !doc.address)) set.address = clean.address;
    else if (clean.address) for (const [k, v] of Object.entries(clean.address)) set[`address.${k}`] = v;
    if (clean.paymentCard === null) set.paymentCard = null;
    else if (clean.paymentCard) {
      const { number, ...shown } = clean.paymentCard;
      set.paymentCard = { ...shown, number: await ctx.cipher.encrypt(id, 'paymentCard.number', number) };
    }
    if (clean.health === null) set.health = null;
    else if (clean.health) {
      const sealed: Record<string, unknown> = {};
      const { conditions, notes } = clean.health;
      if (conditions !== undefined) sealed.conditions = conditions === null ? null : await ctx.cipher.encryptJson(id, 'health.conditions', conditions);
      if (notes !== undefined) sealed.notes = notes === null ? null : await ctx.cipher.encrypt(id, 'health.notes', notes);
      if (doc.health) for (const [k, v] of Object.entries(sealed)) set[`health.${k}`] = v;
      else set.health = sealed;
    }
    Object.assign(set, verificationResetFields(doc, clean)); // a changed email or phone is no longer verified
    const updated = await customers.findOneAndUpdate({ $and: [{ _id: id }, notErasing()] }, { $set: set }, { returnDocument: 'after' }).lean<CustomerDoc>().exec();
    if (!updated) throw outOfScope(ctx, id);
    await supersedeCodes(ctx.app, id, changedChannels(doc, clean));
    ctx.audit.written('Customer', id, leaves);
    ctx.loaders.customer.clear(id).prime(id, updated);
    return updated;
  }
}
