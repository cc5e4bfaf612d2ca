import type { Audience } from '../server/requestContext';
import type { CorrectionRequestDoc } from './correctionRequestModel';
import type { ErasureDoc } from './erasureModel';
import type { CorrectionRequest, ErasureReceipt } from './privacyTypes';

/** A correction request as an audience may see it: customers get the deciding role, never a staff id. */
export function correctionView(doc: CorrectionRequestDoc, audience: Audience): CorrectionRequest {
  return {
    id: doc._id,
    customerId: doc.customerId,
    field: doc.field,
    proposedValue: doc.proposedValue,
    note: doc.note ?? null,
    status: doc.status,
    requestedAt: doc.requestedAt,
    decidedAt: doc.decidedAt ?? null,
    decidedByRole: doc.decidedBy ? doc.decidedBy.roles.join(', ') : null,
    decidedBy: audience === 'staff' ? (doc.decidedBy?.id ?? null) : null,
    decisionNote: doc.decisionNote ?? null,
  };
}

/** The receipt of an erasure record (it never holds the customer id). */
export function erasureReceipt(doc: ErasureDoc): ErasureReceipt {
  return {
    reference: doc._id,
    status: doc.status,
    requestedAt: doc.requestedAt,
    completedAt: doc.completedAt ?? null,
    requestedBy: doc.requestedBy,
    reason: doc.reason,
    steps: doc.steps.map((s) => ({ name: s.name, doneAt: s.doneAt, count: s.count, detail: s.detail ?? [] })),
  };
}
