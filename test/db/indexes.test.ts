import { describe, expect, it } from 'vitest';
import { MongoServerError } from 'mongodb';
import { useDriver } from './fixture';

const f = useDriver();

describe('indexes', () => {
  it('creates, lists and drops indexes', async () => {
    const c = f.db.collection(f.name());
    expect(await c.createIndex({ email: 1 }, { unique: true })).toBe('email_1');
    expect(await c.createIndex({ a: 1, b: -1 }, { name: 'ab' })).toBe('ab');
    expect(await c.createIndex({ email: 1 }, { unique: true })).toBe('email_1');
    const list = await c.listIndexes().toArray();
    expect(list.map((i) => i.name)).toEqual(['_id_', 'email_1', 'ab']);
    expect(list[1]).toMatchObject({ key: { email: 1 }, unique: true });
    await c.dropIndex('ab');
    expect((await c.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_', 'email_1']);
    const missing = (await c.dropIndex('nope').catch((e: unknown) => e)) as MongoServerError;
    expect(missing.code).toBe(27);
    await c.dropIndexes();
    expect((await c.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_']);
  });

  it('reports listIndexes on a missing collection as NamespaceNotFound (26)', async () => {
    const err = (await f.db.collection(f.name()).listIndexes().toArray().catch((e: unknown) => e)) as MongoServerError;
    expect(err.code).toBe(26);
  });

  it('refuses a different key under an existing name', async () => {
    const c = f.db.collection(f.name());
    await c.createIndex({ a: 1 }, { name: 'x' });
    const err = (await c.createIndex({ b: 1 }, { name: 'x' }).catch((e: unknown) => e)) as MongoServerError;
    expect(err.code).toBe(86);
  });

  it('enforces a unique index on insert, update and upsert with a mongod-style E11000 error', async () => {
    const c = f.db.collection(f.name());
    await c.createIndex({ email: 1 }, { unique: true });
    await c.insertOne({ email: 'a@example.test' });
    const { insertedId } = await c.insertOne({ email: 'b@example.test' });

    const ins = (await c.insertOne({ email: 'a@example.test' }).catch((e: unknown) => e)) as MongoServerError;
    expect(ins.code).toBe(11000);
    expect(ins.message).toBe(
      `E11000 duplicate key error collection: ${f.database.dbName}.${c.collectionName} index: email_1 dup key: { email: "a@example.test" }`,
    );
    expect(ins.keyValue).toEqual({ email: 'a@example.test' });

    const upd = (await c.updateOne({ _id: insertedId }, { $set: { email: 'a@example.test' } }).catch((e: unknown) => e)) as MongoServerError;
    expect(upd.code).toBe(11000);
    expect(await c.findOne({ _id: insertedId })).toMatchObject({ email: 'b@example.test' });

    const fam = (await c
      .findOneAndUpdate({ _id: insertedId }, { $set: { email: 'a@example.test' } })
      .catch((e: unknown) => e)) as MongoServerError;
    expect(fam.code).toBe(11000);

    const ups = (await c.updateOne({ nope: 1 }, { $set: { email: 'a@example.test' } }, { upsert: true }).catch((e: unknown) => e)) as MongoServerError;
    expect(ups.code).toBe(11000);
    expect(await c.countDocuments()).toBe(2);

    await c.updateOne({ _id: insertedId }, { $set: { email: 'c@example.test' } });
    await c.insertOne({ email: 'b@example.test' });
    expect(await c.countDocuments()).toBe(3);
  });

  it('treats a missing field as null in a non-sparse unique index, and skips it in a sparse one', async () => {
    const plain = f.db.collection(f.name());
    await plain.createIndex({ code: 1 }, { unique: true });
    await plain.insertOne({ x: 1 });
    const err = (await plain.insertOne({ x: 2 }).catch((e: unknown) => e)) as MongoServerError;
    expect(err.code).toBe(11000);

    const sparse = f.db.collection(f.name());
    await sparse.createIndex({ code: 1 }, { unique: true, sparse: true });
    await sparse.insertMany([{ x: 1 }, { x: 2 }, { code: 'k' }]);
    expect((await sparse.insertOne({ code: 'k' }).catch((e: unknown) => e)) as MongoServerError).toHaveProperty('code', 11000);
  });

  it('enforces compound and partial unique indexes', async () => {
    const c = f.db.collection(f.name());
    await c.createIndex({ tenant: 1, key: 1 }, { unique: true });
    await c.insertMany([{ tenant: 1, key: 'a' }, { tenant: 2, key: 'a' }]);
    expect((await c.insertOne({ tenant: 1, key: 'a' }).catch((e: unknown) => e)) as MongoServerError).toHaveProperty('code', 11000);
    const p = f.db.collection(f.name());
    await p.createIndex({ slug: 1 }, { unique: true, partialFilterExpression: { live: true } });
    await p.insertMany([{ slug: 's', live: false }, { slug: 's', live: true }]);
    expect((await p.insertOne({ slug: 's', live: true }).catch((e: unknown) => e)) as MongoServerError).toHaveProperty('code', 11000);
  });

  it('fails to build a unique index over existing duplicates', async () => {
    const c = f.db.collection(f.name());
    await c.insertMany([{ k: 1 }, { k: 1 }]);
    const err = (await c.createIndex({ k: 1 }, { unique: true }).catch((e: unknown) => e)) as MongoServerError;
    expect(err.code).toBe(11000);
    expect((await c.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_']);
  });

  it('finds by _id and $in on _id alongside other conditions', async () => {
    const c = f.db.collection<{ _id: string; n: number }>(f.name());
    await c.insertMany(Array.from({ length: 50 }, (_, i) => ({ _id: `cus_${i}`, n: i })));
    expect(await c.findOne({ _id: 'cus_7' })).toEqual({ _id: 'cus_7', n: 7 });
    const some = await c.find({ _id: { $in: ['cus_3', 'cus_9', 'cus_404'] }, n: { $gt: 5 } }).toArray();
    expect(some).toEqual([{ _id: 'cus_9', n: 9 }]);
    const nested = await c.find({ $and: [{ n: { $lt: 20 } }, { $and: [{ _id: { $in: ['cus_3', 'cus_30'] } }] }] }).toArray();
    expect(nested).toEqual([{ _id: 'cus_3', n: 3 }]);
    const either = await c.find({ $or: [{ _id: 'cus_1' }, { n: 2 }] }).sort({ n: 1 }).toArray();
    expect(either.map((d) => d._id)).toEqual(['cus_1', 'cus_2']);
    await c.createIndex({ n: 1 }, { unique: true });
    expect(await c.findOne({ n: 12 })).toEqual({ _id: 'cus_12', n: 12 });
    expect(await c.findOne({ n: 12, _id: 'cus_1' })).toBeNull();
  });
});
