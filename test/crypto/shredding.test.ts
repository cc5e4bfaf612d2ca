import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BSON, type Document } from 'mongodb';
import {
  DecryptionError,
  FieldCipher,
  KeyShreddedError,
  KeyStore,
  LocalKeyProvider,
  openField,
  type DataKeyDoc,
} from '../../src/crypto';
import { openCryptoDb, type CryptoTestDb } from './cryptoDb';

let t: CryptoTestDb;
const provider = new LocalKeyProvider(randomBytes(32));
let store: KeyStore;

const NOTES = 'Seen for depression; prescribed sertraline';
const CARD = '5555555555554444';

beforeAll(async () => {
  t = await openCryptoDb();
  store = new KeyStore(t.conn, provider);
  const cipher = new FieldCipher(store);
  for (const id of ['cus_leaving', 'cus_staying']) {
    await store.create(id); // at enrolment
    await t.raw('customers').insertOne({
      _id: id as never,
      fullName: 'Someone',
      paymentCard: { brand: 'mastercard', last4: '4444', number: await cipher.encrypt(id, 'paymentCard.number', CARD) },
      health: { notes: await cipher.encrypt(id, 'health.notes', NOTES) },
    });
  }
});
afterAll(async () => {
  await t.stop();
});

describe('crypto-shredding', () => {
  it('makes a raw copy taken before erasure undecryptable with anything the system still holds', async () => {
    // A backup: the customer's documents as raw BSON bytes, taken before erasure.
    const backup = Buffer.from(BSON.serialize((await t.raw('customers').findOne({ _id: 'cus_leaving' as never }))!));

    expect(await store.destroy('cus_leaving')).toBe(true);
    expect(await store.destroy('cus_leaving')).toBe(false); // idempotent
    await t.raw('customers').deleteOne({ _id: 'cus_leaving' as never });

    const copy = BSON.deserialize(backup) as Document;
    const cipher = new FieldCipher(store.forRequest());
    await expect(store.get('cus_leaving')).rejects.toBeInstanceOf(KeyShreddedError);
    await expect(cipher.decrypt('cus_leaving', 'health.notes', copy.health.notes)).rejects.toBeInstanceOf(KeyShreddedError);
    await expect(cipher.decrypt('cus_leaving', 'paymentCard.number', copy.paymentCard.number)).rejects.toBeInstanceOf(KeyShreddedError);
    expect(await t.raw<DataKeyDoc>('dataKeys').findOne({ _id: 'cus_leaving' })).toBeNull();

    // Every data key the system still holds, unwrapped with the master key, fails on the copy.
    const remaining = await t.raw<DataKeyDoc>('dataKeys').find().toArray();
    expect(remaining.map((k) => k._id)).toEqual(['cus_staying']);
    for (const doc of remaining) {
      const key = await store.get(doc._id);
      expect(() => openField(key, 'cus_leaving', 'health.notes', copy.health.notes)).toThrow(DecryptionError);
      expect(() => openField(key, 'cus_leaving', 'paymentCard.number', copy.paymentCard.number)).toThrow(DecryptionError);
    }
    // Even a new key created later for the same id (outside the gateway, which never reuses an id) cannot read it.
    const reborn = await store.create('cus_leaving');
    expect(() => openField(reborn, 'cus_leaving', 'health.notes', copy.health.notes)).toThrow(DecryptionError);
    await store.destroy('cus_leaving');

    // And the backup itself never held the plaintext.
    expect(backup.includes(Buffer.from(NOTES))).toBe(false);
    expect(backup.includes(Buffer.from(CARD))).toBe(false);
  });

  it('leaves other customers readable', async () => {
    const doc = (await t.raw('customers').findOne({ _id: 'cus_staying' as never })) as Document;
    const cipher = new FieldCipher(store.forRequest());
    expect(await cipher.decrypt('cus_staying', 'health.notes', doc.health.notes)).toBe(NOTES);
    expect(await cipher.decrypt('cus_staying', 'paymentCard.number', doc.paymentCard.number)).toBe(CARD);
  });
});
