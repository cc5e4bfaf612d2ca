/** Test helpers: the raw database (driver, not mongoose) and the delivery worker's view of the outbox. */
import { MongoClient, type Db } from 'mongodb';
import { FieldCipher } from '../../src/crypto';
import { openOutboxMessage, type OutboxDoc } from '../../src/verification';
import type { TestApp } from '../support/app';

export async function rawDb(app: TestApp): Promise<{ db: Db; close: () => Promise<void> }> {
  const client = await MongoClient.connect(app.db.uri);
  return { db: client.db(app.db.dbName), close: () => client.close() };
}

/** What the mail/SMS worker would send: the newest outbox message for the customer and channel, decrypted. */
export async function deliveredCode(app: TestApp, db: Db, customerId: string, channel: 'email' | 'phone'): Promise<string> {
  const [doc] = await db.collection<OutboxDoc>('outbox').find({ customerId, channel }).sort({ createdAt: -1 }).limit(1).toArray();
  if (!doc) throw new Error(`no outbox message for ${customerId} ${channel}`);
  const message = await openOutboxMessage(new FieldCipher(app.running.keyStore), doc);
  return message.code;
}

/** A code that is certainly not `code`. */
export const otherCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');
