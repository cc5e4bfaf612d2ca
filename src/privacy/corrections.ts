import { boundedText } from '../customers/input';
import { rowFilter, subject } from '../policy';
import { ErrorCode, InputError, SafeError } from '../server/errors';
import type { RequestContext } from '../server/requestContext';
import { actingRoles } from './actingRoles';
import { checkCorrection, CORRECTABLE_FIELDS } from './correctableFields';
import { notErasing } from './erasingMark';
import { correctionRequestModel, type CorrectionRequestDoc, type CorrectionStatus } from './correctionRequestModel';

/** Longest free-text note on a request or a decision, in characters. */
export const MAX_NOTE_LENGTH = 1000;
/** Most PENDING requests one customer may have at once. */
export const MAX_PENDING_PER_CUSTOMER = 20;
const ID = /^[A-Za-z0-9_-]{1,64}$/;
/** The request's fields recorded in the access log when it is read. */
const REQUEST_FIELDS = ['field', 'proposedValue', 'note', 'status', 'decisionNote'];

function optionalNote(note: string | null | undefined, field: string): string | null {
  return note == null ? null : boundedText(note, field, { min: 1, max: MAX_NOTE_LENGTH, allowNewlines: true });
}

function refuse(ctx: RequestContext, what: string, id: string | null): SafeError {
  const reason = `${what} is outside your scope for this purpose, or does not exist`;
  ctx.audit.operationDenied(ErrorCode.FORBIDDEN, reason, 'CorrectionRequest', id && ID.test(id) ? id : null);
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
  const checked = checkCorrection(field, proposedValue, ctx.app.policies.fields.keys());
  const cleanNote = optionalNote(note, 'note');
  if (!ctx.ability.can('create', subject('CorrectionRequest', { customerId }))) throw refuse(ctx, 'creating a correction request', null);
  const model = correctionRequestModel(ctx.app.conn);
  const pending = await model.countDocuments({ customerId, status: 'PENDING' }).exec();
  if (pending >= MAX_PENDING_PER_CUSTOMER) throw new InputError('field', `at most ${MAX_PENDING_PER_CUSTOMER} requests may be pending at once`);
  const doc = await model.create({ customerId, field: checked.field, proposedValue: checked.value, note: cleanNote ?? undefined, status: 'PENDING', requestedAt: new Date() });
  ctx.audit.written('CorrectionRequest', doc._id, ['field', 'proposedValue', ...(cleanNote ? ['note'] : [])]);
  return doc.toObject() as CorrectionRequestDoc;
}

/** Correction requests the caller may read (rows from the policy), newest first; reads are logged. */
export async function listCorrections(ctx: RequestContext, filter: { status?: string | null; customerId?: string | null } = {}): Promise<CorrectionRequestDoc[]> {
  if (!ctx.ability.can('read', 'CorrectionRequest')) throw refuse(ctx, 'reading correction requests', null);
  const clauses: Record<string, unknown>[] = [rowFilter(ctx.ability, 'read', 'CorrectionRequest')];
  if (filter.status != null) {
    if (!['PENDING', 'APPROVED', 'REJECTED'].includes(filter.status)) throw new InputError('status', 'must be PENDING, APPROVED or REJECTED');
    clauses.push({ status: filter.status });
  }
  if (filter.customerId != null) {
    if (!ID.test(filter.customerId)) throw new InputError('customerId', 'must be a customer id');
    clauses.push({ customerId: filter.customerId });
  }
  const docs = await correctionRequestModel(ctx.app.conn).find({ $and: clauses }).sort({ requestedAt: -1, _id: -1 }).limit(500).lean<CorrectionRequestDoc[]>().exec();
  for (const d of docs) for (const f of REQUEST_FIELDS) ctx.audit.read('CorrectionRequest', d._id, f);
  return docs;
}

/**
 * The privacy officer decides a PENDING request. Approval applies the change to the customer as a
 * system step authorised by the CorrectionRequest `update` rule (the officer has no direct write
 * rule on Customer), records fieldsWritten in the access log under the customer, then records the
 * decision (who, when, note). The change is applied before the decision is recorded, so a crash
 * in between leaves the request PENDING and approving again re-applies the same value.
 */
export async function decideCorrection(ctx: RequestContext, id: string, decision: Exclude<CorrectionStatus, 'PENDING'>, note: string | null | undefined): Promise<CorrectionRequestDoc> {
  const cleanNote = optionalNote(note, 'note');
  const model = correctionRequestModel(ctx.app.conn);
  const doc = ID.test(id)
    ? await model.findOne({ $and: [rowFilter(ctx.ability, 'update', 'CorrectionRequest'), { _id: id }] }).lean<CorrectionRequestDoc>().exec()
    : null;
  if (!doc) throw refuse(ctx, 'the correction request', id);
  if (doc.status !== 'PENDING') throw new InputError('id', `the request was already decided (${doc.status})`);
  if (decision === 'APPROVED') {
    const validate = CORRECTABLE_FIELDS[doc.field];
    if (!validate) throw new InputError('id', `the request's field cannot be corrected (correctable: ${Object.keys(CORRECTABLE_FIELDS).join(', ')})`);
    const value = validate(doc.proposedValue, 'proposedValue');
    const res = await ctx.app.models.customers.updateOne({ $and: [{ _id: doc.customerId }, notErasing()] }, { $set: { [doc.field]: value } }).exec();
    if (res.matchedCount === 0) throw refuse(ctx, 'the customer of this request', id);
    ctx.audit.written('Customer', doc.customerId, [doc.field]);
    ctx.loaders.customer.clear(doc.customerId);
  }
  const principal = ctx.principal!;
  const updated = await model
    .findOneAndUpdate(
      { _id: doc._id, status: 'PENDING' },
      { $set: { status: decision, decidedAt: new Date(), decidedBy: { id: principal.id, roles: actingRoles(ctx) }, decisionNote: cleanNote ?? undefined } },
      { returnDocument: 'after' },
    )
    .lean<CorrectionRequestDoc>()
    .exec();
  if (!updated) throw new InputError('id', 'the request was decided by someone else meanwhile');
  ctx.audit.written('CorrectionRequest', doc._id, ['status', ...(cleanNote ? ['decisionNote'] : [])]);
  return updated;
}
