/**
 * The outbox (collection `outbox`): messages for the mail / SMS worker. It never holds the address
 * (the worker looks it up by customer id); the payload is encrypted with the customer's data key.
 */
import { Schema, type Connection, type Model } from 'mongoose';
import type { FieldCipher } from '../crypto';
import { requireWriteScope } from '../core/writeScope';

export const OUTBOX_COLLECTION = 'outbox';
/** The path bound into the additional authenticated data of an outbox payload. */
export const OUTBOX_PAYLOAD_PATH = 'outbox.payload';

/**
 * A message for the mail / SMS worker (collection `outbox`). It never holds the address: the worker
 * looks it up by `customerId` when it sends. The payload (e.g. the one-time code) is encrypted with
 * the customer's data key, so erasing the customer (key first) makes a copy of it unreadable.
 * Erasure deletes these rows by `customerId`.
 */
export interface OutboxDoc {
  _id: string;
  customerId: string;
  channel: 'email' | 'phone';
  /** Which message to render, e.g. `verification-code`. */
  template: string;
  /** FieldCipher JSON under path `outbox.payload`. */
  payload: unknown;
  status: 'pending' | 'sent' | 'failed';
  createdAt: Date;
  /** After this the message is pointless (the code has expired); the worker drops it. */
  expiresAt: Date;
}

const outboxSchema = new Schema<OutboxDoc>(
  {
    _id: { type: String, required: true },
    customerId: { type: String, required: true },
    channel: { type: String, required: true },
    template: { type: String, required: true },
    payload: { type: Schema.Types.Mixed, required: true },
    status: { type: String, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: OUTBOX_COLLECTION, versionKey: false },
);
outboxSchema.index({ status: 1, createdAt: 1 });
outboxSchema.index({ customerId: 1 });
outboxSchema.plugin(requireWriteScope, 'outbox');

export type OutboxModel = Model<OutboxDoc>;

export function outboxModel(conn: Connection): OutboxModel {
  return (conn.models.Outbox as OutboxModel | undefined) ?? conn.model<OutboxDoc>('Outbox', outboxSchema);
}

/** What the mail/SMS worker renders for a `verification-code` message. */
export interface CodeMessage {
  customerId: string;
  channel: 'email' | 'phone';
  template: string;
  code: string;
  expiresAt: string;
}

/**
 * For the delivery worker: decrypts an outbox message with the customer's data key. The worker then
 * reads the address from `customers` by `customerId`. Rejects with KeyShreddedError once the customer
 * was erased.
 */
export async function openOutboxMessage(cipher: FieldCipher, doc: Pick<OutboxDoc, 'customerId' | 'channel' | 'template' | 'payload'>): Promise<CodeMessage> {
  const payload = await cipher.decryptJson<{ code: string; expiresAt: string }>(doc.customerId, OUTBOX_PAYLOAD_PATH, doc.payload);
  return { customerId: doc.customerId, channel: doc.channel, template: doc.template, code: payload.code, expiresAt: payload.expiresAt };
}
