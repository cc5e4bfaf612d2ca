import { Schema, type Connection, type Model } from 'mongoose';
import { newId } from '../core/ids';
import { requireWriteScope } from '../core/writeScope';

export type CorrectionStatus = 'PENDING' | 'APPROVED' | 'REJECTED';

/**
 * A customer's request to correct an identity attribute they cannot change directly (collection
 * `correctionRequests`). `proposedValue`, `note` and `decisionNote` are personal data: the erasure
 * procedure deletes the customer's requests.
 */
export interface CorrectionRequestDoc {
  _id: string;
  customerId: string;
  /** The attribute to correct: one of CORRECTABLE_FIELDS. */
  field: string;
  /** The value asked for, already validated with that attribute's validator. */
  proposedValue: string;
  note?: string | null;
  status: CorrectionStatus;
  requestedAt: Date;
  decidedAt?: Date | null;
  /** Who decided: the staff id (shown to staff only) and roles (shown to the customer). */
  decidedBy?: { id: string; roles: string[] } | null;
  decisionNote?: string | null;
}

export function newCorrectionRequestId(): string {
  return newId('cr_');
}

const correctionRequestSchema = new Schema<CorrectionRequestDoc>(
  {
    _id: { type: String, default: newCorrectionRequestId },
    customerId: { type: String, required: true },
    field: { type: String, required: true },
    // Sealed under the customer's data key (corrections.ts): personal data.
    proposedValue: { type: Schema.Types.Mixed, required: true },
    note: Schema.Types.Mixed,
    status: { type: String, enum: ['PENDING', 'APPROVED', 'REJECTED'], default: 'PENDING' },
    requestedAt: { type: Date, required: true },
    decidedAt: Date,
    decidedBy: { type: new Schema({ id: String, roles: [String] }, { _id: false }), default: undefined },
    decisionNote: Schema.Types.Mixed,
  },
  { collection: 'correctionRequests', versionKey: false },
);
correctionRequestSchema.index({ customerId: 1, requestedAt: -1 });
correctionRequestSchema.index({ status: 1 });
correctionRequestSchema.plugin(requireWriteScope, 'correctionRequests');

export type CorrectionRequestModel = Model<CorrectionRequestDoc>;

export function correctionRequestModel(conn: Connection): CorrectionRequestModel {
  return (conn.models.CorrectionRequest as CorrectionRequestModel | undefined) ??
    conn.model<CorrectionRequestDoc>('CorrectionRequest', correctionRequestSchema);
}
