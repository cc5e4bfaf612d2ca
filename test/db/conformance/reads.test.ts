/**
 * Reads, after the CRUD spec's find*.json, findOne.json, count*.json, estimatedDocumentCount*.json
 * and distinct*.json: sort/skip/limit/batchSize together, `let` variables, collation when matching,
 * sorting and folding distinct values, `hint` (checked against the indexes, and deciding the order
 * of an unsorted read), counts with skip and limit, and the options a find takes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Collection, Document } from 'mongodb';

/** Test documents have numeric ids. */
type Doc = Document & { _id: number };
import { rejection, useDriver } from '../fixture';

const f = useDriver();

describe('find.json, findOne.json, find-*.json', () => {
  let c: Collection<Doc>;

  beforeAll(async () => {
    c = f.db.collection(f.name('find'));
    await c.insertMany([
      { _id: 1, n: 10, s: 'apple', tag: 'b' },
      { _id: 2, n: 20, s: 'Banana', tag: 'a' },
      { _id: 3, n: 30, s: 'cherry', tag: 'c' },
      { _id: 4, n: 40, s: 'APPLE' },
      { _id: 5, n: 50, s: 'date', tag: 'a' },
      { _id: 6, n: 60, s: 'item10', tag: 'd' },
      { _id: 7, n: 70, s: 'item9', tag: 'd' },
    ] as never[]);
    await c.createIndex({ tag: 1 }, { name: 'tag_1', sparse: true });
  });

  const ids = (docs: Array<{ _id: unknown }>) => docs.map((d) => d._id);

  describe('filter, sort, skip, limit and batchSize', () => {
    it('applies them together, across batches', async () => {
      expect(ids(await c.find({ n: { $gt: 10 } }).sort({ n: -1 }).skip(1).limit(3).toArray())).toEqual([6, 5, 4]);
      expect(ids(await c.find({}, { batchSize: 2 }).sort({ _id: 1 }).limit(5).toArray())).toEqual([1, 2, 3, 4, 5]);
      expect(ids(await c.find({}, { batchSize: 3, limit: 3 }).sort({ _id: 1 }).toArray())).toEqual([1, 2, 3]);
    });

    it('findOne honours sort and skip', async () => {
      expect(await c.findOne({ n: { $gte: 20 } }, { sort: { n: 1 }, skip: 2, projection: { _id: 1 } })).toEqual({ _id: 4 });
    });
  });

  describe('inclusion projections', () => {
    it('keep the stored field order, sub-documents under dotted paths, and skip what is not a document', async () => {
      const p = f.db.collection<Doc>(f.name('projection'));
      await p.insertMany([
        { _id: 1, z: 1, a: { b: 2, c: 3 }, m: 'x' },
        { _id: 2, a: 'scalar', z: 2 },
        { _id: 3, a: {}, z: 3 },
        { _id: 4, a: [{ b: 1, c: 9 }, { c: 8 }, 5], z: 4 },
      ] as never[]);
      const docs = await p.find({}, { projection: { 'a.b': 1, z: 1 } }).sort({ _id: 1 }).toArray();
      expect(docs).toEqual([{ _id: 1, z: 1, a: { b: 2 } }, { _id: 2, z: 2 }, { _id: 3, a: {}, z: 3 }, { _id: 4, a: [{ b: 1 }, {}], z: 4 }]);
      expect(Object.keys(docs[0])).toEqual(['_id', 'z', 'a']);
      expect(await p.find({ _id: 1 } as never, { projection: { _id: 0, m: 1, z: true } }).toArray()).toEqual([{ z: 1, m: 'x' }]);
      expect((await rejection(p.find({}, { projection: { a: 1, 'a.b': 1 } }).toArray())).code).toBe(31249);
    });
  });

  describe('$in and $nin over long lists (answered from a set)', () => {
    it('match as mongod: arrays by element, numbers by value not by string, missing fields only in $nin', async () => {
      const m = f.db.collection<Doc>(f.name('membership'));
      await m.insertMany([
        { _id: 1, v: 'a3' }, { _id: 2, v: 3 }, { _id: 3, v: '3' }, { _id: 4, v: ['zz', 'a7'] }, { _id: 5 }, { _id: 6, v: null },
        { _id: 7, v: 3.0 }, { _id: 8, v: true }, { _id: 9, v: { a: 'a3' } }, { _id: 10, sub: { v: 'a5' } },
      ] as never[]);
      const list = [...Array.from({ length: 20 }, (_, i) => `a${i}`), 3, true];
      const ids = async (filter: Document) => (await m.find(filter).sort({ _id: 1 }).toArray()).map((d) => d._id);
      expect(await ids({ v: { $in: list } })).toEqual([1, 2, 4, 7, 8]);
      expect(await ids({ v: { $nin: list } })).toEqual([3, 5, 6, 9, 10]);
      expect(await ids({ 'sub.v': { $in: list } })).toEqual([10]);
      expect(await ids({ v: { $in: [...list, null] } })).toEqual([1, 2, 4, 5, 6, 7, 8, 10]);
    });
  });

  describe('let', () => {
    it('binds $$variables for $expr, evaluating expressions once', async () => {
      const docs = await c.find({ $expr: { $and: [{ $gte: ['$n', '$$low'] }, { $lt: ['$n', '$$high'] }] } }, { let: { low: 30, high: { $add: [40, 10] } } }).toArray();
      expect(ids(docs)).toEqual([3, 4]);
    });

    it('answers an undefined variable with 17276 and a bad name with 16867', async () => {
      expect((await rejection(c.find({ $expr: { $eq: ['$_id', '$$missing'] } }).toArray())).code).toBe(17276);
      expect((await rejection(c.find({}, { let: { Upper: 1 } }).toArray())).code).toBe(16867);
    });
  });

  describe('collation', () => {
    const caseless = { locale: 'en_US', strength: 2 };

    it('matches equality and $in case-insensitively at strength 2, exactly without a collation', async () => {
      expect(ids(await c.find({ s: 'APPLE' }, { collation: caseless }).sort({ _id: 1 }).toArray())).toEqual([1, 4]);
      expect(ids(await c.find({ s: { $in: ['banana', 'DATE'] } }, { collation: caseless }).sort({ _id: 1 }).toArray())).toEqual([2, 5]);
      expect(ids(await c.find({ s: 'APPLE' }).toArray())).toEqual([4]);
      expect(ids(await c.find({ s: 'apple' }, { collation: { locale: 'simple' } }).toArray())).toEqual([1]);
    });

    it('sorts by the locale, and numerically with numericOrdering', async () => {
      const byLocale = await c.find({ _id: { $lte: 3 } }).sort({ s: 1 }).collation({ locale: 'en' }).toArray();
      expect(byLocale.map((d) => d.s)).toEqual(['apple', 'Banana', 'cherry']);
      const binary = await c.find({ _id: { $lte: 3 } }).sort({ s: 1 }).toArray();
      expect(binary.map((d) => d.s)).toEqual(['Banana', 'apple', 'cherry']);
      const items = await c.find({ s: /^item/ }).sort({ s: 1 }).collation({ locale: 'en', numericOrdering: true }).toArray();
      expect(items.map((d) => d.s)).toEqual(['item9', 'item10']);
    });

    it('refuses an invalid collation', async () => {
      expect((await rejection(c.find({}).collation({ locale: 'en', strength: 9 } as never).toArray())).code).toBe(9);
      expect((await rejection(c.find({}).collation({ strength: 2 } as never).toArray())).code).toBe(40414);
    });
  });

  describe('hint', () => {
    it('refuses an index that does not exist (BadValue), by name or key pattern', async () => {
      expect((await rejection(c.find({}).hint('nope_1').toArray())).code).toBe(2);
      expect((await rejection(c.find({}).hint({ nope: 1 }).toArray())).code).toBe(2);
    });

    it('reads through the hinted index: its order, and only the documents it holds (sparse)', async () => {
      const viaTag = await c.find({}).hint('tag_1').toArray();
      expect(viaTag.map((d) => d.tag)).toEqual(['a', 'a', 'b', 'c', 'd', 'd']);
      expect(viaTag.some((d) => d._id === 4)).toBe(false);
      expect(ids(await c.find({}).hint({ $natural: -1 }).limit(2).toArray())).toEqual([7, 6]);
      expect(ids(await c.find({ n: { $lt: 30 } }).hint({ _id: 1 }).toArray())).toEqual([1, 2]);
    });
  });

  describe('options', () => {
    it('accepts allowDiskUse, and refuses an unknown option with 40415 naming it', async () => {
      expect(await c.find({ _id: 1 }, { allowDiskUse: true }).toArray()).toHaveLength(1);
      const err = await rejection(f.db.command({ find: c.collectionName, filter: {}, bogusOption: 1 }));
      expect(err.code).toBe(40415);
      expect(err.message).toContain('bogusOption');
    });

    it('ignores a $comment in the filter, as an annotation', async () => {
      expect((await c.find({ _id: 2, $comment: 'why this read' } as never).toArray()).map((d) => d._id)).toEqual([2]);
    });

    it('shows record ids when asked', async () => {
      const [doc] = await c.find({ _id: 3 }, { showRecordId: true }).toArray();
      expect(doc).toHaveProperty('$recordId');
    });
  });
});

describe('count*.json, estimatedDocumentCount*.json, distinct*.json', () => {
  let c: Collection<Doc>;

  beforeAll(async () => {
    c = f.db.collection(f.name('count'));
    await c.insertMany([
      { _id: 1, x: 'PING', n: 1 },
      { _id: 2, x: 'ping', n: 2 },
      { _id: 3, x: 'pong', n: 3, arr: [1, 2] },
      { _id: 4, n: 4, arr: [2, 3] },
    ] as never[]);
  });

  describe('counting', () => {
    it('counts with a filter, skip and limit (countDocuments and the count command)', async () => {
      expect(await c.countDocuments({ n: { $gt: 1 } })).toBe(3);
      expect(await c.countDocuments({}, { skip: 1, limit: 2 })).toBe(2);
      expect(await c.countDocuments({}, { skip: 3, limit: 2 })).toBe(1);
      expect((await f.db.command({ count: c.collectionName, query: { n: { $lte: 2 } }, skip: 1 })).n).toBe(1);
      expect(await c.estimatedDocumentCount()).toBe(4);
    });

    it('counts nothing in an empty or missing collection', async () => {
      expect(await f.db.collection(f.name('missing')).countDocuments()).toBe(0);
      expect(await f.db.collection(f.name('missing')).estimatedDocumentCount()).toBe(0);
      const empty = f.db.collection(f.name('empty'));
      await f.db.createCollection(empty.collectionName);
      expect(await empty.countDocuments({ x: 1 })).toBe(0);
    });

    it('counts under a collation, and refuses a hint naming no index', async () => {
      expect(await c.countDocuments({ x: 'ping' }, { collation: { locale: 'en_US', strength: 2 } })).toBe(2);
      expect((await f.db.command({ count: c.collectionName, query: { x: 'ping' }, collation: { locale: 'en_US', strength: 2 } })).n).toBe(2);
      expect((await rejection(f.db.command({ count: c.collectionName, query: {}, hint: 'absent_1' }))).code).toBe(2);
      expect(await c.countDocuments({ n: 1 }, { hint: { _id: 1 } })).toBe(1);
    });
  });

  describe('distinct', () => {
    it('lists distinct values, flattening arrays, under a filter', async () => {
      expect((await c.distinct('arr')).sort()).toEqual([1, 2, 3]);
      expect((await c.distinct('x', { n: { $gte: 2 } })).sort()).toEqual(['ping', 'pong']);
      expect(await c.distinct('nothere')).toEqual([]);
    });

    it('folds values equal under the collation into one', async () => {
      const values = await c.distinct('x', {}, { collation: { locale: 'en_US', strength: 2 } });
      expect(values).toHaveLength(2);
      expect(values.map((v) => String(v).toLowerCase()).sort()).toEqual(['ping', 'pong']);
    });
  });
});
