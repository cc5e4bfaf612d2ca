/**
 * Rectification: a customer asks for a correction of an identity attribute they cannot change
 * themselves; the privacy officer approves (the change is applied to the customer as a recorded
 * write authorised by the CorrectionRequest rule) or rejects it.
 */
import { checkFreeText } from '../core/freeText';
import type { RequestContext } from '../core/context';
import { ErrorCode, InputError, SafeError } from '../core/errors';
import { ID } from '../core/ids';
import { boundedText, validateBirthDate, validateFullName } from '../customers/input';
import { findVisible, writeCustomer } from '../customers';
import { isEncryptedValue } from '../crypto';
import { actingRoles, subject, visible } from '../policy';
import { correctionRequestModel, newCorrectionRequestId, type CorrectionRequestDoc, type CorrectionStatus } from './model';

/**
 * Identity attributes a customer cannot change directly but may ask staff to correct, each with
 * the validator its stored value must pass (the same one enrolment uses).
 */
export const CORRECTABLE_FIELDS: Record<string, (value: unknown, field: string) => string> = {
  fullName: (v, f) => validateFullName(v, f),
  birthDate: (v, f) => validateBirthDate(v, f),
};

/** Attributes the customer changes themselves with updateMyContact. */
const SELF_SERVICE_FIELDS = new Set(['email', 'phone', 'address', 'preferences']);
const NAME = /^[A-Za-z][A-Za-z0-9.]{0,63}$/;

/**
 * Checks `field` and validates `proposedValue` for it. BAD_USER_INPUT names the field when it is
 * unknown or not correctable; the proposed value is never echoed.
 */
export function checkCorrection(field: unknown, proposedValue: unknown, knownAttributes: Iterable<string>): { field: string; value: string } {
  const allowed = Object.keys(CORRECTABLE_FIELDS).join(', ');
  if (typeof field !== 'string' || !NAME.test(field)) throw new InputError('field', `must name a correctable attribute: one of ${allowed}`);
  const validate = CORRECTABLE_FIELDS[field];
  if (!validate) {
    const top = field.split('.')[0]!;
    const rule = SELF_SERVICE_FIELDS.has(top)
      ? `"${field}" is not corrected by request: change it with updateMyContact (correctable: ${allowed})`
      : [...knownAttributes].some((a) => a === field || a.startsWith(field + '.'))
        ? `"${field}" cannot be corrected by request (correctable: ${allowed})`
        : `"${field}" is not a customer attribute (correctable: ${allowed})`;
    throw new InputError('field', rule);
  }
  return { field, value: validate(proposedValue, 'proposedValue') };
}

/** Longest free-text note on a request or a decision, in characters. */
export const MAX_NOTE_LENGTH = 1000;
/** Most PENDING requests one customer may have at once. */
export const MAX_PENDING_PER_CUSTOMER = 20;
/** The request's fields recorded in the access log when it is read. */
const REQUEST_FIELDS = ['field', 'proposedValue', 'note', 'status', 'decisionNote'];

/** The request's texts are personal data: sealed under the customer's key, like their attributes. */
const SEALED = ['proposedValue', 'note', 'decisionNote'] as const;
const sealedPath = (field: string) => `correction.${field}`;

async function seal(ctx: RequestContext, customerId: string, field: string, text: string | null | undefined): Promise<unknown> {
  return text == null ? undefined : ctx.cipher.encrypt(customerId, sealedPath(field), text);
}

/** A stored request with its texts decrypted (a text still in clear, from before sealing, is kept as it is). */
async function opened(ctx: RequestContext, doc: CorrectionRequestDoc): Promise<CorrectionRequestDoc> {
  const out = { ...doc } as Record<string, unknown>;
  for (const field of SEALED) {
    const v = out[field];
    if (v != null && isEncryptedValue(v)) out[field] = await ctx.cipher.decrypt(doc.customerId, sealedPath(field), v);
  }
  return out as unknown as CorrectionRequestDoc;
}

function optionalNote(note: string | null | undefined, field: string): string | null {
  return note == null ? null : checkFreeText(boundedText(note, field, { min: 1, max: MAX_NOTE_LENGTH, allowNewlines: true }), field);
}

function refuse(ctx: RequestContext, what: string, id: string | null): SafeError {
  const reason = `${what} is outside your scope for this purpose, or does not exist`;
  ctx.log.operationDenied(ErrorCode.FORBIDDEN, reason, 'CorrectionRequest', id && ID.test(id) ? id : null);
  return new SafeError(ErrorCode.FORBIDDEN, `Not allowed: ${reason}`);
}

/** The customer asks for a correction of fullName or birthDate; the proposed value is validated like the attribute itself. */
export async function requestCorrection(
  ctx: RequestContext,
  customerId: string,
  field: string,
  proposedValue: string,
  note: string | null | undefined,
): Promise<CorrectionRequestDoc> {
  const checked = checkCorrection(field, proposedValue, ctx.services.policies.fields.keys());
  const cleanNote = optionalNote(note, 'note');
  if (!ctx.ability.can('create', subject('CorrectionRequest', { customerId }))) throw refuse(ctx, 'creating a correction request', null);
  const model = correctionRequestModel(ctx.services.conn);
  const pending = await model.countDocuments({ customerId, status: 'PENDING' }).exec();
  if (pending >= MAX_PENDING_PER_CUSTOMER) throw new InputError('field', `at most ${MAX_PENDING_PER_CUSTOMER} requests may be pending at once`);
  const _id = newCorrectionRequestId();
  const fields = ['field', 'proposedValue', ...(cleanNote ? ['note'] : [])];
  return ctx.log.commit([{ subjectType: 'CorrectionRequest', subjectId: _id, fields }], async () => {
    const doc = await model.create({
      _id, customerId, field: checked.field, status: 'PENDING', requestedAt: new Date(),
      proposedValue: await seal(ctx, customerId, 'proposedValue', checked.value), note: await seal(ctx, customerId, 'note', cleanNote),
    } as unknown as CorrectionRequestDoc);
    return opened(ctx, doc.toObject() as CorrectionRequestDoc);
  });
}

/** Correction requests the caller may read (rows from the policy), newest first; reads are logged. */
export async function listCorrections(ctx: RequestContext, filter: { status?: string | null; customerId?: string | null } = {}): Promise<CorrectionRequestDoc[]> {
  if (!ctx.ability.can('read', 'CorrectionRequest')) throw refuse(ctx, 'reading correction requests', null);
  const clauses: Record<string, unknown>[] = [visible(ctx.ability, 'read', 'CorrectionRequest')];
  if (filter.status != null) {
    if (!['PENDING', 'APPROVED', 'REJECTED'].includes(filter.status)) throw new InputError('status', 'must be PENDING, APPROVED or REJECTED');
    clauses.push({ status: filter.status });
  }
  if (filter.customerId != null) {
    if (!ID.test(filter.customerId)) throw new InputError('customerId', 'must be a customer id');
    clauses.push({ customerId: filter.customerId });
  }
  const docs = await correctionRequestModel(ctx.services.conn).find({ $and: clauses }).sort({ requestedAt: -1, _id: -1 }).limit(500).lean<CorrectionRequestDoc[]>().exec();
  for (const d of docs) ctx.log.read('CorrectionRequest', d._id, REQUEST_FIELDS);
  await ctx.cipher.preload([...new Set(docs.map((d) => d.customerId))]);
  return Promise.all(docs.map((d) => opened(ctx, d)));
}

/**
 * The privacy officer decides a PENDING request. Approval applies the change to the customer as a
 * recorded write authorised by the CorrectionRequest `update` rule (the officer has no direct write
 * rule on Customer; the customer must be in the officer's view), then records the decision (who,
 * when, note). The change is applied before the decision is recorded, so a crash in between leaves
 * the request PENDING and approving again re-applies the same value. Every capability's customer
 * write hook runs on it: a corrected fullName or birthDate is no longer identity-verified.
 */
export async function decideCorrection(ctx: RequestContext, id: string, decision: Exclude<CorrectionStatus, 'PENDING'>, note: string | null | undefined): Promise<CorrectionRequestDoc> {
  const cleanNote = optionalNote(note, 'note');
  const model = correctionRequestModel(ctx.services.conn);
  const stored = ID.test(id)
    ? await model.findOne({ $and: [visible(ctx.ability, 'update', 'CorrectionRequest'), { _id: id }] }).lean<CorrectionRequestDoc>().exec()
    : null;
  if (!stored) throw refuse(ctx, 'the correction request', id);
  const doc = await opened(ctx, stored);
  if (doc.status !== 'PENDING') throw new InputError('id', `the request was already decided (${doc.status})`);
  if (decision === 'APPROVED') {
    const validate = CORRECTABLE_FIELDS[doc.field];
    if (!validate) throw new InputError('id', `the request's field cannot be corrected (correctable: ${Object.keys(CORRECTABLE_FIELDS).join(', ')})`);
    const value = validate(doc.proposedValue, 'proposedValue');
    const customer = await findVisible(ctx, doc.customerId);
    if (!customer) throw refuse(ctx, 'the customer of this request', id);
    await writeCustomer(ctx, {
      doc: customer, set: { [doc.field]: value }, fields: [doc.field],
      authorizedBy: 'an approved correction request (CorrectionRequest update rule)',
      gone: () => refuse(ctx, 'the customer of this request', id),
    });
  }
  const principal = ctx.principal!;
  const { policies } = ctx.services;
  return ctx.log.commit([{ subjectType: 'CorrectionRequest', subjectId: doc._id, fields: ['status', ...(cleanNote ? ['decisionNote'] : [])] }], async () => {
    const updated = await model
      .findOneAndUpdate(
        { _id: doc._id, status: 'PENDING' },
        { $set: { status: decision, decidedAt: new Date(), decidedBy: { id: principal.id, roles: actingRoles(policies, principal, ctx.purpose?.id ?? null) }, decisionNote: await seal(ctx, doc.customerId, 'decisionNote', cleanNote) } },
        { returnDocument: 'after' },
      )
      .lean<CorrectionRequestDoc>()
      .exec();
    if (!updated) throw new InputError('id', 'the request was decided by someone else meanwhile');
    return opened(ctx, updated);
  });
}
