import type { FieldCipher } from '../crypto';
import type { OutboxDoc } from './outboxModel';
import { OUTBOX_PAYLOAD_PATH } from './outboxModel';

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
