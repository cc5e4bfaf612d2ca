import { describe, expect, it } from 'vitest';
import { MongoServerError } from 'mongodb';
import { useDriver } from './fixture';

const f = useDriver();

async function seeded(n: number) {
  const c = f.db.collection<{ _id: number; i: number; group: string; name: string }>(f.name());
  await c.insertMany(Array.from({ length: n }, (_, i) => ({ _id: i, i, group: i % 2 ? 'odd' : 'even', name: `n${String(i).padStart(4, '0')}` })));
  return c;
}

describe('sort, projection and pagination', () => {
  it('sorts on one and several keys', async () => {
    const c = await seeded(10);
    const desc = await c.find({}).sort({ i: -1 }).limit(3).toArray();
    expect(desc.map((d) => d.i)).toEqual([9, 8, 7]);
    const multi = await c.find({}).sort({ group: 1, i: -1 }).limit(3).toArray();
    expect(multi.map((d) => d.i)).toEqual([8, 6, 4]);
  });

  it('projects inclusions and exclusions', async () => {
    const c = await seeded(3);
    expect(await c.find({ _id: 1 }, { projection: { name: 1 } }).toArray()).toEqual([{ _id: 1, name: 'n0001' }]);
    expect(await c.find({ _id: 1 }, { projection: { _id: 0, group: 0, name: 0 } }).toArray()).toEqual([{ i: 1 }]);
  });

  it('a projection excluding nested fields leaves the stored document whole', async () => {
    const c = f.db.collection(f.name());
    await c.insertOne({ _id: 1, a: { b: 1, c: 2 }, list: [{ x: 1, y: 2 }] } as never);
    expect(await c.find({}, { projection: { 'a.b': 0, 'list.x': 0 } }).toArray()).toEqual([{ _id: 1, a: { c: 2 }, list: [{ y: 2 }] }]);
    const removed = await c.findOneAndDelete({ _id: 1 } as never, { projection: { 'a.c': 0 } });
    expect(removed).toEqual({ _id: 1, a: { b: 1 }, list: [{ x: 1, y: 2 }] });
  });

  it('paginates with skip and limit, and by range on a sort key', async () => {
    const c = await seeded(25);
    const page2 = await c.find({}).sort({ i: 1 }).skip(10).limit(10).toArray();
    expect(page2.map((d) => d.i)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    const after = await c.find({ name: { $gt: 'n0020' } }).sort({ name: 1 }).limit(3).toArray();
    expect(after.map((d) => d.i)).toEqual([21, 22, 23]);
  });

  it('filters with comparison, logical, array, element and regex operators', async () => {
    const c = f.db.collection(f.name());
    await c.insertMany([
      { _id: 1, tags: ['a', 'b'], n: 5, s: 'Alpha' },
      { _id: 2, tags: ['b'], n: 10, s: 'beta' },
      { _id: 3, n: 15, s: 'Gamma', extra: null },
    ] as never[]);
    const ids = async (q: object) => (await c.find(q).sort({ _id: 1 }).toArray()).map((d) => d._id);
    expect(await ids({ n: { $gte: 10 } })).toEqual([2, 3]);
    expect(await ids({ $or: [{ n: 5 }, { s: 'Gamma' }] })).toEqual([1, 3]);
    expect(await ids({ tags: 'b' })).toEqual([1, 2]);
    expect(await ids({ tags: { $all: ['a', 'b'] } })).toEqual([1]);
    expect(await ids({ tags: { $exists: false } })).toEqual([3]);
    expect(await ids({ s: { $regex: '^a', $options: 'i' } })).toEqual([1]);
    expect(await ids({ s: /^b/ })).toEqual([2]);
    expect(await ids({ _id: { $in: [3, 1, 7] } })).toEqual([1, 3]);
    expect(await ids({ _id: { $nin: [1] }, n: { $lt: 15 } })).toEqual([2]);
  });

  it('rejects an unknown query operator with BadValue (2)', async () => {
    const c = await seeded(1);
    const err = (await c.find({ i: { $foo: 1 } } as never).toArray().catch((e: unknown) => e)) as MongoServerError;
    expect(err).toBeInstanceOf(MongoServerError);
    expect(err.code).toBe(2);
    expect(err.message).toContain('$foo');
  });
});

describe('cursors', () => {
  it('iterates more than 101 documents through getMore', async () => {
    const c = await seeded(250);
    const seen: number[] = [];
    for await (const d of c.find({}).sort({ i: 1 })) seen.push(d.i);
    expect(seen).toEqual(Array.from({ length: 250 }, (_, i) => i));
  });

  it('honours batchSize, limit and skip across batches', async () => {
    const c = await seeded(120);
    const cursor = c.find({ group: 'even' }, { batchSize: 7 }).sort({ i: 1 }).skip(3).limit(40);
    const docs = await cursor.toArray();
    expect(docs).toHaveLength(40);
    expect(docs[0].i).toBe(6);
    expect(docs[39].i).toBe(84);
  });

  it('closes a cursor early and then reports it as gone', async () => {
    const c = await seeded(300);
    const cursor = c.find({}, { batchSize: 10 });
    await cursor.next();
    const id = cursor.id!;
    expect(id.isZero()).toBe(false);
    await cursor.close();
    const err = (await f.db
      .command({ getMore: id, collection: c.collectionName })
      .catch((e: unknown) => e)) as MongoServerError;
    expect(err.code).toBe(43);
  });

  it('returns a single batch when asked', async () => {
    const c = await seeded(150);
    const reply = await f.db.command({ find: c.collectionName, filter: {}, batchSize: 5, singleBatch: true });
    expect(reply.cursor.firstBatch).toHaveLength(5);
    expect(Number(reply.cursor.id)).toBe(0);
  });
});

describe('count and distinct', () => {
  it('counts with a filter, skip and limit', async () => {
    const c = await seeded(30);
    expect(await c.countDocuments({ group: 'odd' })).toBe(15);
    expect(await c.countDocuments({}, { skip: 25 })).toBe(5);
    expect(await c.countDocuments({}, { limit: 4 })).toBe(4);
    expect(await c.estimatedDocumentCount()).toBe(30);
  });

  it('lists distinct values, flattening arrays', async () => {
    const c = f.db.collection(f.name());
    await c.insertMany([{ t: ['x', 'y'] }, { t: 'y' }, { t: 'z', k: 1 }, {}]);
    expect((await c.distinct('t')).sort()).toEqual(['x', 'y', 'z']);
    expect(await c.distinct('t', { k: 1 })).toEqual(['z']);
  });
});
