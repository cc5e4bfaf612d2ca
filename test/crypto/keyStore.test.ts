import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BSON } from 'mongodb';
import {
  DecryptionError,
  FieldCipher,
  KeyShreddedError,
  KeyStore,
  LocalKeyProvider,
  dataKeyModel,
  type DataKeyDoc,
} from '../../src/crypto';
import { openCryptoDb, type CryptoTestDb } from './cryptoDb';

let t: CryptoTestDb;
let store: KeyStore;
const provider = new LocalKeyProvider(randomBytes(32));

beforeAll(async () => {
  t = await openCryptoDb();
  store = new KeyStore(t.conn, provider);
});
afterAll(async () => {
  await t.stop();
});

describe('KeyStore', () => {
  it('creates one 32-byte data key per customer, stored only wrapped', async () => {
    const key = await store.create('cus_ks1');
    expect(key).toHaveLength(32);
    const raw = await t.raw<DataKeyDoc>('dataKeys').findOne({ _id: 'cus_ks1' });
    expect(raw).not.toBeNull();
    expect(raw!.providerId).toBe(provider.id);
    expect(raw!.createdAt).toBeInstanceOf(Date);
    expect(raw!.rotatedAt).toBeNull();
    const rawBytes = Buffer.from(BSON.serialize(raw!));
    expect(rawBytes.includes(key)).toBe(false);
    expect(await store.get('cus_ks1')).toEqual(key);
  });

  it('creates a key once in a customer\'s life: a second create (e.g. concurrent) is refused and the first key stays', async () => {
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => store.create('cus_race')));
    const made = results.filter((r): r is PromiseFulfilledResult<Buffer> => r.status === 'fulfilled');
    expect(made).toHaveLength(1);
    expect(await store.get('cus_race')).toEqual(made[0]!.value);
    expect(await t.raw<DataKeyDoc>('dataKeys').countDocuments({ _id: 'cus_race' })).toBe(1);
  });

  it('throws KeyShreddedError for a customer without a key', async () => {
    await expect(store.get('cus_never')).rejects.toBeInstanceOf(KeyShreddedError);
  });

  it('reuses the DataKey model already registered on a connection', () => {
    expect(dataKeyModel(t.conn)).toBe(store.model);
    expect(store.model.collection.collectionName).toBe('dataKeys');
  });
});

describe('FieldCipher over the database', () => {
  const NOTES = 'Allergic to penicillin; insulin twice daily';
  const CONDITIONS = ['type 1 diabetes', 'asthma'];
  const CARD = '4111111111111111';

  it('round-trips values stored and read back raw, with no plaintext in the stored bytes', async () => {
    const cipher = new FieldCipher(store);
    await store.create('cus_rt');
    await t.raw('customers').insertOne({
      _id: 'cus_rt' as never,
      health: {
        notes: await cipher.encrypt('cus_rt', 'health.notes', NOTES),
        conditions: await cipher.encryptJson('cus_rt', 'health.conditions', CONDITIONS),
      },
      paymentCard: { brand: 'visa', last4: '1111', number: await cipher.encrypt('cus_rt', 'paymentCard.number', CARD) },
    });
    const raw = (await t.raw('customers').findOne({ _id: 'cus_rt' as never }))!;
    const bytes = Buffer.from(BSON.serialize(raw)).toString('latin1');
    for (const secret of [NOTES, 'penicillin', 'diabetes', CARD]) expect(bytes).not.toContain(secret);

    const read = new FieldCipher(store.forRequest());
    const doc = raw as unknown as { health: { notes: unknown; conditions: unknown }; paymentCard: { number: unknown } };
    expect(await read.decrypt('cus_rt', 'health.notes', doc.health.notes)).toBe(NOTES);
    expect(await read.decryptJson('cus_rt', 'health.conditions', doc.health.conditions)).toEqual(CONDITIONS);
    expect(await read.decrypt('cus_rt', 'paymentCard.number', doc.paymentCard.number)).toBe(CARD);
  });

  it('refuses a ciphertext copied onto another customer or another field, or altered in the database', async () => {
    const cipher = new FieldCipher(store);
    await store.create('cus_other');
    await store.create('cus_rt2');
    const stored = await cipher.encrypt('cus_rt2', 'health.notes', NOTES);
    await t.raw('customers').insertOne({ _id: 'cus_rt2' as never, health: { notes: stored } });
    const raw = (await t.raw('customers').findOne({ _id: 'cus_rt2' as never })) as unknown as { health: { notes: { ct: { value(): Uint8Array } } } };

    const attempts = [
      cipher.decrypt('cus_other', 'health.notes', raw.health.notes),
      cipher.decrypt('cus_rt2', 'health.conditions', raw.health.notes),
      cipher.decrypt('cus_rt2', 'paymentCard.number', raw.health.notes),
    ];
    for (const attempt of attempts) {
      const err = await attempt.then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(DecryptionError);
      expect((err as Error).message).not.toContain('penicillin');
    }

    await t.raw('customers').updateOne({ _id: 'cus_rt2' as never }, { $set: { 'health.notes.ct': tampered(raw.health.notes.ct.value()) } });
    const altered = (await t.raw('customers').findOne({ _id: 'cus_rt2' as never })) as unknown as { health: { notes: unknown } };
    await expect(cipher.decrypt('cus_rt2', 'health.notes', altered.health.notes)).rejects.toBeInstanceOf(DecryptionError);
  });
});

describe('keyStore.forRequest(): batched key reads', () => {
  const ids = Array.from({ length: 50 }, (_, i) => `cus_page_${String(i).padStart(2, '0')}`);

  beforeAll(async () => {
    await store.createMany(ids);
  });

  it('reads the keys of a page of 50 customers in ONE database round trip, then serves them from the request cache', async () => {
    const keys = store.forRequest();
    const from = t.commands.length;
    const loaded = await Promise.all(ids.map((id) => keys.get(id)));
    expect(loaded.every((k) => k.length === 32)).toBe(true);
    const finds = t.findsOn('dataKeys', from);
    expect(finds).toHaveLength(1);
    expect((finds[0].command as { filter: { _id: { $in: string[] } } }).filter._id.$in).toHaveLength(50);

    const again = t.commands.length;
    await Promise.all(ids.map((id) => keys.get(id)));
    expect(t.findsOn('dataKeys', again)).toHaveLength(0);
  });

  it('decrypts one attribute for each customer of a page with one key query', async () => {
    const writer = new FieldCipher(store);
    const values = await Promise.all(ids.map((id) => writer.encrypt(id, 'health.notes', `note for ${id}`)));
    const from = t.commands.length;
    const reader = new FieldCipher(store.forRequest());
    const plain = await Promise.all(ids.map((id, i) => reader.decrypt(id, 'health.notes', values[i])));
    expect(plain).toEqual(ids.map((id) => `note for ${id}`));
    expect(t.findsOn('dataKeys', from)).toHaveLength(1);
  });

  it('rejects only the missing customer of a batch with KeyShreddedError', async () => {
    const keys = store.forRequest();
    const from = t.commands.length;
    const results = await Promise.allSettled([keys.get(ids[0]), keys.get('cus_missing'), keys.get(ids[1])]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(KeyShreddedError);
    expect(t.findsOn('dataKeys', from)).toHaveLength(1);
  });

  it('preloads keys in one round trip, so decryption is synchronous afterwards; a missing key is remembered as missing', async () => {
    const created = await store.create('cus_new_in_request');
    const keys = store.forRequest();
    const from = t.commands.length;
    await keys.preload(['cus_new_in_request', 'cus_missing_too']);
    expect(t.findsOn('dataKeys', from)).toHaveLength(1);
    expect(keys.loadedKey('cus_new_in_request')).toEqual(created);
    expect(() => keys.loadedKey('cus_missing_too')).toThrow(KeyShreddedError);
    expect(keys.isLoaded('cus_missing_too')).toBe(true);
    await keys.preload(['cus_new_in_request']);
    expect(t.findsOn('dataKeys', from)).toHaveLength(1);
  });
});

function tampered(bytes: Uint8Array): Buffer {
  const copy = Buffer.from(bytes);
  copy[copy.length - 1] ^= 0x80;
  return copy;
}
