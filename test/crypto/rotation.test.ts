import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BSON } from 'mongodb';
import { FieldCipher, KeyStore, LocalKeyProvider, UnwrapError, type DataKeyDoc, type EncryptedValue } from '../../src/crypto';
import { openCryptoDb, type CryptoTestDb } from './cryptoDb';
import { setLogSink } from '../../src/logger';

let t: CryptoTestDb;
const oldProvider = new LocalKeyProvider(randomBytes(32));
const newProvider = new LocalKeyProvider(randomBytes(32));
const ids = ['cus_r1', 'cus_r2', 'cus_r3', 'cus_r4'];
const values = new Map<string, EncryptedValue>();

beforeAll(async () => {
  t = await openCryptoDb();
  const old = new KeyStore(t.conn, oldProvider);
  const cipher = new FieldCipher(old);
  await old.createMany(ids);
  for (const id of ids) {
    const notes = await cipher.encrypt(id, 'health.notes', `notes of ${id}`);
    values.set(id, notes);
    await t.raw('customers').insertOne({ _id: id as never, health: { notes } });
  }
});
afterAll(async () => {
  await t.stop();
});

describe('KeyStore.rotate', () => {
  it('rewraps every data key under the new master key without touching customer data', async () => {
    const keysBefore = await t.raw<DataKeyDoc>('dataKeys').find().sort({ _id: 1 }).toArray();
    const customersBefore = await t.raw('customers').find().sort({ _id: 1 }).toArray();
    const plainKeys = await Promise.all(ids.map((id) => new KeyStore(t.conn, oldProvider).get(id)));

    const store = new KeyStore(t.conn, oldProvider);
    const result = await store.rotate(newProvider);
    expect(result).toEqual({ rewrapped: 4, alreadyCurrent: 0, failed: 0, vanished: 0 });

    const keysAfter = await t.raw<DataKeyDoc>('dataKeys').find().sort({ _id: 1 }).toArray();
    expect(keysAfter.map((k) => k._id)).toEqual(ids);
    keysAfter.forEach((after, i) => {
      expect(after.providerId).toBe(newProvider.id);
      expect(after.rotatedAt).toBeInstanceOf(Date);
      expect(after.createdAt).toEqual(keysBefore[i].createdAt);
      expect(Buffer.from(BSON.serialize({ w: after.wrapped })).equals(Buffer.from(BSON.serialize({ w: keysBefore[i].wrapped })))).toBe(false);
    });
    expect(await t.raw('customers').find().sort({ _id: 1 }).toArray()).toEqual(customersBefore);

    // The same data keys, now reachable only through the new master key.
    const rotated = new KeyStore(t.conn, newProvider);
    expect(await Promise.all(ids.map((id) => rotated.get(id)))).toEqual(plainKeys);
    const cipher = new FieldCipher(rotated.forRequest());
    for (const customer of customersBefore) {
      const id = customer._id as unknown as string;
      expect(await cipher.decrypt(id, 'health.notes', (customer as unknown as { health: { notes: unknown } }).health.notes)).toBe(`notes of ${id}`);
    }
    await expect(new KeyStore(t.conn, oldProvider).get('cus_r1')).rejects.toBeInstanceOf(UnwrapError);

    // The rotating store switched to the new provider and wraps new keys with it.
    await store.create('cus_r5');
    expect((await t.raw<DataKeyDoc>('dataKeys').findOne({ _id: 'cus_r5' }))!.providerId).toBe(newProvider.id);
  });

  it('is resumable: a second run finds everything already under the new key', async () => {
    const result = await new KeyStore(t.conn, oldProvider, { previousProviders: [newProvider] }).rotate(newProvider);
    expect(result).toEqual({ rewrapped: 0, alreadyCurrent: 5, failed: 0, vanished: 0 });
  });

  it('counts keys it cannot unwrap as failed and leaves them untouched', async () => {
    const stranger = new LocalKeyProvider(randomBytes(32));
    await new KeyStore(t.conn, stranger).create('cus_foreign');
    const before = await t.raw<DataKeyDoc>('dataKeys').findOne({ _id: 'cus_foreign' });
    const third = new LocalKeyProvider(randomBytes(32));
    const lines: string[] = [];
    const previous = setLogSink((line) => lines.push(line));
    const result = await new KeyStore(t.conn, newProvider).rotate(third).finally(() => setLogSink(previous));
    expect(result).toEqual({ rewrapped: 5, alreadyCurrent: 0, failed: 1, vanished: 0 });
    const failure = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'crypto: cannot rewrap a data key');
    expect(failure).toMatchObject({ level: 'error', customerId: 'cus_foreign', providerId: stranger.id });
    expect(await t.raw<DataKeyDoc>('dataKeys').findOne({ _id: 'cus_foreign' })).toEqual(before);
  });
});
