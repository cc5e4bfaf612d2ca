import { createHmac, hkdfSync } from 'node:crypto';
import { Schema, type Connection, type Model } from 'mongoose';

export type ErasureStatus = 'PENDING' | 'DONE';

/** One completed step of an erasure, with how many records it removed. */
export interface ErasureStepRecord {
  name: string;
  doneAt: Date;
  count: number;
  /** Per-store counts, for a step that covers several collections. */
  detail?: Array<{ store: string; count: number }>;
}

/**
 * The record an erasure leaves (collection `erasures`), keyed by the opaque reference (HMAC of the
 * customer id, see erasureRef.ts). It holds no personal data once DONE: when, why, who asked (a role
 * or `customer`), the steps done and their counts.
 *
 * `customerId` is present only while the erasure is PENDING: a crashed procedure needs it to resume.
 * The last step removes it together with setting status DONE.
 */
export interface ErasureDoc {
  _id: string;
  status: ErasureStatus;
  requestedAt: Date;
  completedAt?: Date | null;
  /** Why: free text without personal data (checked at input). */
  reason: string;
  /** `customer`, or the staff roles of the requester (never a staff id). */
  requestedBy: string;
  steps: ErasureStepRecord[];
  customerId?: string;
}

const stepSchema = new Schema(
  { name: String, doneAt: Date, count: Number, detail: { type: [new Schema({ store: String, count: Number }, { _id: false })], default: undefined } },
  { _id: false },
);

const erasureSchema = new Schema<ErasureDoc>(
  {
    _id: { type: String, required: true },
    status: { type: String, enum: ['PENDING', 'DONE'], required: true },
    requestedAt: { type: Date, required: true },
    completedAt: Date,
    reason: { type: String, required: true },
    requestedBy: { type: String, required: true },
    steps: { type: [stepSchema], default: [] },
    customerId: String,
  },
  { collection: 'erasures', versionKey: false },
);
erasureSchema.index({ status: 1 });
erasureSchema.index({ customerId: 1 }, { sparse: true });

export type ErasureModel = Model<ErasureDoc>;

export function erasureModel(conn: Connection): ErasureModel {
  return (conn.models.Erasure as ErasureModel | undefined) ?? conn.model<ErasureDoc>('Erasure', erasureSchema);
}

/**
 * The opaque reference of an erasure: HMAC-SHA256 of the customer id, hex. It lets the company
 * answer "was customer X erased, when and how?" (recompute the HMAC of X) without keeping X.
 *
 * The HMAC key is derived from the gateway's JWT_SECRET with HKDF-SHA256 (info
 * `erasure-reference-v1`), so no extra secret has to be managed. Consequence: after JWT_SECRET
 * changes, references computed with the new secret differ from older ones; keep the old secret in
 * your secret store if you must look up erasures made under it.
 */
export function erasureRefKey(jwtSecret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(jwtSecret, 'utf8'), Buffer.from('purpose-gateway'), Buffer.from('erasure-reference-v1'), 32));
}

/** The opaque reference (64 hex characters) of the erasure of `customerId`. */
export function erasureRef(refKey: Buffer, customerId: string): string {
  return createHmac('sha256', refKey).update(customerId, 'utf8').digest('hex');
}
