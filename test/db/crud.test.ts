import { describe, expect, it } from 'vitest';
import { Binary, Decimal128, Long, MongoBulkWriteError, MongoServerError, ObjectId } from 'mongodb';
import { useDriver } from './fixture';

const f = useDriver();

describe('insert and find', () => {
  it('round-trips BSON types', async () => {
    const c = f.db.collection(f.name());
    const doc = {
      _id: new ObjectId(),
      s: 'text',
      i: 42,
      d: 1.5,
      big: Long.fromString('9007199254740993'),
      dec: Decimal128.fromString('12.34'),
      when: new Date('2024-01-02T03:04:05.678Z'),
      bin: new Binary(Buffer.from([1, 2, 3]), 4),
      nested: { a: [1, { b: null }], t: true },
    };
    await c.insertOne(doc);
    const back = await c.findOne({ _id: doc._id });
    expect(back?._id.equals(doc._id)).toBe(true);
    expect(back?.s).toBe('text');
    expect(back?.i).toBe(42);
    expect(back?.d).toBe(1.5);
    expect(String(back?.big)).toBe('9007199254740993');
    expect(back?.dec.toString()).toBe('12.34');
    expect(back?.when).toEqual(doc.when);
    expect(back?.bin.sub_type).toBe(4);
    expect(Buffer.from(back?.bin.buffer).equals(Buffer.from([1, 2, 3]))).toBe(true);
    expect(back?.nested).toEqual({ a: [1, { b: null }], t: true });
  });

  it('matches and indexes binary values byte for byte (not as text)', async () => {
    const c = f.db.collection(f.name());
    const a = new Binary(Buffer.from([0xff, 0x01]), 0);
    const b = new Binary(Buffer.from([0xfe, 0x01]), 0);
    const uuidish = new Binary(Buffer.from([0xff, 0x01]), 4);
    await c.createIndex({ key: 1 }, { unique: true });
    await c.insertMany([{ n: 'a', key: a }, { n: 'b', key: b }, { n: 'u', key: uuidish }]);
    expect((await c.find({ key: a }).toArray()).map((d) => d.n)).toEqual(['a']);
    expect((await c.find({ key: { $in: [b, uuidish] } }).sort({ n: 1 }).toArray()).map((d) => d.n)).toEqual(['b', 'u']);
    expect((await c.find({}).sort({ key: 1 }).toArray()).map((d) => d.n)).toEqual(['b', 'a', 'u']);
    const dup = (await c.insertOne({ n: 'again', key: new Binary(Buffer.from([0xff, 0x01]), 0) }).catch((e: unknown) => e)) as MongoServerError;
    expect(dup.code).toBe(11000);
  });

  it('generates an ObjectId _id server-side when missing and keeps _id first', async () => {
    const c = f.db.collection(f.name());
    await c.insertOne({ a: 1 }, { forceServerObjectId: true });
    const back = await c.findOne({ a: 1 });
    expect(back?._id).toBeInstanceOf(ObjectId);
    expect(Object.keys(back!)[0]).toBe('_id');
  });

  it('reports a duplicate _id as writeError 11000; ordered stops, unordered continues', async () => {
    const c = f.db.collection(f.name());
    await c.insertOne({ _id: 2 } as never);
    const ordered = await c.insertMany([{ _id: 1 }, { _id: 2 }, { _id: 3 }] as never[]).catch((e: unknown) => e);
    expect(ordered).toBeInstanceOf(MongoBulkWriteError);
    const err = ordered as MongoBulkWriteError;
    expect(err.code).toBe(11000);
    expect(err.insertedCount).toBe(1);
    expect(err.writeErrors).toHaveLength(1);
    expect(await c.countDocuments()).toBe(2);

    const unordered = (await c.insertMany([{ _id: 2 }, { _id: 3 }, { _id: 4 }] as never[], { ordered: false }).catch((e: unknown) => e)) as MongoBulkWriteError;
    expect(unordered.insertedCount).toBe(2);
    expect(await c.countDocuments()).toBe(4);
  });

  it('accepts majority/journaled write concern and read concern on a standalone', async () => {
    const c = f.db.collection(f.name(), { writeConcern: { w: 'majority', j: true }, readConcern: { level: 'majority' } });
    await c.insertOne({ a: 1 });
    await c.updateOne({ a: 1 }, { $set: { b: 2 } });
    expect(await c.findOne({ a: 1 }, { projection: { _id: 0 } })).toEqual({ a: 1, b: 2 });
  });
});

describe('update', () => {
  it('applies update operators', async () => {
    const c = f.db.collection(f.name());
    await c.insertOne({ _id: 1, n: 1, tags: ['a'], old: 'x', m: 5, gone: true, nested: { v: 1 } } as never);
    await c.updateOne(
      { _id: 1 } as never,
      {
        $inc: { n: 2 },
        $push: { tags: 'b' },
        $rename: { old: 'renamed' },
        $mul: { m: 3 },
        $unset: { gone: '' },
        $set: { 'nested.v': 9, 'nested.w': 'new' },
        $currentDate: { touched: true },
      } as never,
    );
    await c.updateOne({ _id: 1 } as never, { $addToSet: { tags: { $each: ['a', 'c'] } }, $min: { n: 2 }, $max: { m: 100 } } as never);
    await c.updateOne({ _id: 1 } as never, { $pull: { tags: 'b' } } as never);
    const doc = await c.findOne({ _id: 1 } as never);
    expect(doc).toMatchObject({ n: 2, tags: ['a', 'c'], renamed: 'x', m: 100, nested: { v: 9, w: 'new' } });
    expect(doc).not.toHaveProperty('gone');
    expect(doc).not.toHaveProperty('old');
    expect(doc?.touched).toBeInstanceOf(Date);
  });

  it('returns matched/modified counts and does not count no-op updates as modified', async () => {
    const c = f.db.collection(f.name());
    await c.insertMany([{ k: 1, v: 0 }, { k: 1, v: 0 }, { k: 2, v: 0 }]);
    const many = await c.updateMany({ k: 1 }, { $set: { v: 1 } });
    expect(many.matchedCount).toBe(2);
    expect(many.modifiedCount).toBe(2);
    const again = await c.updateMany({ k: 1 }, { $set: { v: 1 } });
    expect(again.matchedCount).toBe(2);
    expect(again.modifiedCount).toBe(0);
    const one = await c.updateOne({ k: { $in: [1, 2] } }, { $set: { v: 5 } });
    expect(one.matchedCount).toBe(1);
    expect(await c.countDocuments({ v: 5 })).toBe(1);
  });

  it('upserts from the query equality fields with $setOnInsert', async () => {
    const c = f.db.collection(f.name());
    const r = await c.updateOne({ email: 'u@example.test', 'profile.tier': 'gold' }, { $set: { seen: 1 }, $setOnInsert: { created: true } }, { upsert: true });
    expect(r.upsertedCount).toBe(1);
    expect(r.upsertedId).toBeInstanceOf(ObjectId);
    const doc = await c.findOne({ _id: r.upsertedId! });
    expect(doc).toMatchObject({ email: 'u@example.test', profile: { tier: 'gold' }, seen: 1, created: true });
    const r2 = await c.updateOne({ email: 'u@example.test' }, { $set: { seen: 2 }, $setOnInsert: { created: false } }, { upsert: true });
    expect(r2.upsertedCount).toBe(0);
    expect(r2.modifiedCount).toBe(1);
    expect(await c.findOne({ email: 'u@example.test' })).toMatchObject({ seen: 2, created: true });
  });

  it('upserts with a string _id taken from the query', async () => {
    const c = f.db.collection<{ _id: string; n?: number }>(f.name());
    const r = await c.updateOne({ _id: 'cus_1' }, { $inc: { n: 1 } }, { upsert: true });
    expect(r.upsertedId).toBe('cus_1');
    expect(await c.findOne({ _id: 'cus_1' })).toEqual({ _id: 'cus_1', n: 1 });
  });

  it('replaces a document, keeping its _id', async () => {
    const c = f.db.collection(f.name());
    const { insertedId } = await c.insertOne({ a: 1, b: 2 });
    const r = await c.replaceOne({ _id: insertedId }, { c: 3 });
    expect(r.modifiedCount).toBe(1);
    expect(await c.findOne({ _id: insertedId })).toEqual({ _id: insertedId, c: 3 });
  });

  it('refuses to change _id with ImmutableField (66)', async () => {
    const c = f.db.collection(f.name());
    await c.insertOne({ _id: 'a', v: 1 } as never);
    const err = (await c.updateOne({ _id: 'a' } as never, { $set: { _id: 'b' } } as never).catch((e: unknown) => e)) as MongoServerError;
    expect(err.code).toBe(66);
  });

  it('supports arrayFilters and the positional $ operator', async () => {
    const c = f.db.collection(f.name());
    await c.insertOne({ _id: 1, items: [{ sku: 'a', qty: 1 }, { sku: 'b', qty: 2 }, { sku: 'c', qty: 3 }] } as never);
    await c.updateOne({ _id: 1 } as never, { $set: { 'items.$[big].flag': true } } as never, { arrayFilters: [{ 'big.qty': { $gte: 2 } }] });
    await c.updateOne({ _id: 1, 'items.sku': 'a' } as never, { $inc: { 'items.$.qty': 10 } } as never);
    const doc = await c.findOne({ _id: 1 } as never);
    expect(doc?.items).toEqual([
      { sku: 'a', qty: 11 },
      { sku: 'b', qty: 2, flag: true },
      { sku: 'c', qty: 3, flag: true },
    ]);
  });

  it('rejects an unknown update operator with FailedToParse (9)', async () => {
    const c = f.db.collection(f.name());
    await c.insertOne({ a: 1 });
    const err = (await c.updateOne({ a: 1 }, { $frobnicate: { a: 1 } } as never).catch((e: unknown) => e)) as MongoServerError;
    expect(err.code).toBe(9);
  });

  it('supports pipeline-style updates', async () => {
    const c = f.db.collection(f.name());
    await c.insertOne({ _id: 1, a: 2, b: 3 } as never);
    await c.updateOne({ _id: 1 } as never, [{ $set: { sum: { $add: ['$a', '$b'] } } }]);
    expect(await c.findOne({ _id: 1 } as never)).toEqual({ _id: 1, a: 2, b: 3, sum: 5 });
  });
});

describe('delete', () => {
  it('deletes one or many', async () => {
    const c = f.db.collection(f.name());
    await c.insertMany([{ k: 1 }, { k: 1 }, { k: 1 }, { k: 2 }]);
    expect((await c.deleteOne({ k: 1 })).deletedCount).toBe(1);
    expect((await c.deleteMany({ k: 1 })).deletedCount).toBe(2);
    expect((await c.deleteMany({ k: 99 })).deletedCount).toBe(0);
    expect(await c.countDocuments()).toBe(1);
  });
});

describe('findAndModify', () => {
  it('returns the document before or after, with sort and projection', async () => {
    const c = f.db.collection(f.name());
    await c.insertMany([{ q: 1, rank: 2, v: 'x' }, { q: 1, rank: 1, v: 'y' }]);
    const before = await c.findOneAndUpdate({ q: 1 }, { $set: { v: 'z' } }, { sort: { rank: 1 }, projection: { _id: 0, v: 1 } });
    expect(before).toEqual({ v: 'y' });
    const after = await c.findOneAndUpdate({ q: 1 }, { $set: { v: 'w' } }, { sort: { rank: -1 }, returnDocument: 'after', projection: { _id: 0, rank: 1, v: 1 } });
    expect(after).toEqual({ rank: 2, v: 'w' });
  });

  it('upserts, replaces and removes', async () => {
    const c = f.db.collection(f.name());
    const up = await c.findOneAndUpdate({ key: 'k' }, { $set: { n: 1 } }, { upsert: true, returnDocument: 'after', includeResultMetadata: true });
    expect(up.value).toMatchObject({ key: 'k', n: 1 });
    expect(up.lastErrorObject).toMatchObject({ n: 1, updatedExisting: false });
    const none = await c.findOneAndUpdate({ key: 'missing' }, { $set: { n: 1 } }, { includeResultMetadata: true });
    expect(none.value).toBeNull();
    expect(none.lastErrorObject).toMatchObject({ n: 0, updatedExisting: false });
    const replaced = await c.findOneAndReplace({ key: 'k' }, { key: 'k', n: 2 }, { returnDocument: 'after' });
    expect(replaced).toMatchObject({ key: 'k', n: 2 });
    const removed = await c.findOneAndDelete({ key: 'k' });
    expect(removed).toMatchObject({ n: 2 });
    expect(await c.countDocuments()).toBe(0);
  });
});

describe('collections and databases', () => {
  it('creates, lists and drops collections and databases', async () => {
    const name = f.name('made');
    await f.db.createCollection(name);
    const err = (await f.db.createCollection(name).catch((e: unknown) => e)) as MongoServerError;
    expect(err.code).toBe(48);
    const listed = await f.db.listCollections({ name }).toArray();
    expect(listed.map((c) => c.name)).toEqual([name]);
    expect(await f.db.collection(name).drop()).toBe(true);
    expect(await f.db.listCollections({ name }, { nameOnly: true }).toArray()).toEqual([]);

    const other = f.client.db(`${f.database.dbName}_x`);
    await other.collection('x').insertOne({ a: 1 });
    const dbs = await f.client.db('admin').admin().listDatabases();
    expect(dbs.databases.map((d) => d.name)).toContain(`${f.database.dbName}_x`);
    await other.dropDatabase();
    const after = await f.client.db('admin').admin().listDatabases({ nameOnly: true });
    expect(after.databases.map((d) => d.name)).not.toContain(`${f.database.dbName}_x`);
  });

  it('pages listCollections and database-level aggregate cursors with getMore', async () => {
    const db = f.client.db(`${f.database.dbName}_paged`);
    for (const n of ['a', 'b', 'c']) await db.createCollection(n);
    const names = (await db.listCollections({}, { batchSize: 1 }).toArray()).map((c) => c.name).sort();
    expect(names).toEqual(['a', 'b', 'c']);
    const docs = await db.aggregate([{ $documents: [{ x: 1 }, { x: 2 }, { x: 3 }] }], { batchSize: 1 }).toArray();
    expect(docs).toEqual([{ x: 1 }, { x: 2 }, { x: 3 }]);
    await db.dropDatabase();
  });

  it('answers an unknown command with CommandNotFound (59) naming it', async () => {
    const err = (await f.db.command({ frobnicate: 1 }).catch((e: unknown) => e)) as MongoServerError;
    expect(err.code).toBe(59);
    expect(err.message).toContain('frobnicate');
  });

  it('answers buildInfo and ping', async () => {
    expect((await f.db.command({ ping: 1 })).ok).toBe(1);
    const info = await f.db.admin().buildInfo();
    expect(typeof info.version).toBe('string');
  });
});
