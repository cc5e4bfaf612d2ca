/**
 * The consent ledger (collection `consentEvents`): every grant and withdrawal, append-only, with the
 * text version the customer agreed to. A record like the access log, so it lives in this layer;
 * the consent capability decides what is appended.
 */
import { Schema, type Connection, type Model } from 'mongoose';

/** Where a consent change came from. */
export const CONSENT_SOURCES = ['self-service', 'staff', 'import'] as const;
export type ConsentSource = (typeof CONSENT_SOURCES)[number];

/**
 * One grant or withdrawal in the consent ledger (collection `consentEvents`). Append-only: the
 * model refuses every update and delete. The only way out is the erasure procedure, which removes
 * a customer's events through `purgeConsentEventsOf` (they are personal data).
 */
export interface ConsentEventDoc {
  customerId: string;
  /** A consent key of `policies/fields.yaml` (`consentKeys`). */
  key: string;
  granted: boolean;
  at: Date;
  source: ConsentSource;
  /** `textVersion` of the consent key when the change was made: the text the customer agreed to. */
  textVersion: string;
}

export class ConsentLedgerAppendOnlyError extends Error {
  constructor(operation: string) {
    super(`The consent ledger is append-only: ${operation} is refused (only the erasure procedure removes events)`);
    this.name = 'ConsentLedgerAppendOnlyError';
  }
}

const consentEventSchema = new Schema<ConsentEventDoc>(
  {
    customerId: { type: String, required: true },
    key: { type: String, required: true },
    granted: { type: Boolean, required: true },
    at: { type: Date, required: true },
    source: { type: String, enum: CONSENT_SOURCES, required: true },
    textVersion: { type: String, required: true },
  },
  { collection: 'consentEvents', versionKey: false },
);
consentEventSchema.index({ customerId: 1, at: 1 });

const refused = [
  'updateOne', 'updateMany', 'findOneAndUpdate', 'replaceOne', 'findOneAndReplace',
  'deleteOne', 'deleteMany', 'findOneAndDelete',
] as const;
for (const op of refused) {
  consentEventSchema.pre(op, function () {
    throw new ConsentLedgerAppendOnlyError(op);
  });
}
consentEventSchema.pre('save', function () {
  if (!this.isNew) throw new ConsentLedgerAppendOnlyError('save of an existing event');
});
consentEventSchema.pre('bulkWrite', function (ops) {
  if (ops.some((op) => !('insertOne' in op))) throw new ConsentLedgerAppendOnlyError('bulkWrite with updates or deletes');
});
consentEventSchema.pre('deleteOne', { document: true, query: false }, function () {
  throw new ConsentLedgerAppendOnlyError('deleteOne');
});

export type ConsentEventModel = Model<ConsentEventDoc>;

/** The consent-ledger model on a connection (created once per connection). */
export function consentEventModel(conn: Connection): ConsentEventModel {
  return (conn.models.ConsentEvent as ConsentEventModel | undefined) ?? conn.model<ConsentEventDoc>('ConsentEvent', consentEventSchema);
}

/** Appends events to the ledger (one round trip). */
export async function appendConsentEvents(conn: Connection, events: readonly ConsentEventDoc[]): Promise<void> {
  if (events.length) await consentEventModel(conn).insertMany([...events], { lean: true });
}

/** The ledger of one customer, oldest first. */
export async function consentHistoryOf(conn: Connection, customerId: string): Promise<ConsentEventDoc[]> {
  return consentEventModel(conn).find({ customerId }).sort({ at: 1, _id: 1 }).lean<ConsentEventDoc[]>().exec();
}

/**
 * Erasure only (the consent capability's store declaration): removes every ledger event of one
 * customer, bypassing the model's append-only guard (it goes to the driver collection directly).
 * Idempotent; resolves to the number removed.
 */
export async function purgeConsentEventsOf(conn: Connection, customerId: string): Promise<number> {
  const res = await consentEventModel(conn).collection.deleteMany({ customerId });
  return res.deletedCount;
}
