/**
 * Writes, after the CRUD spec's insert*, update*, replaceOne*, delete*, bulkWrite* and
 * create-null-ids.json: results, `_id` rules (null, dots and dollars), collation, `let`, hints,
 * arrayFilters, pipeline-style updates (the stages mongod allows, `_id` kept), `sort` on
 * updateOne/replaceOne (refused before MongoDB 8.0, honoured after), ordered and unordered bulks.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { rejection, serverVersion, useDriver } from '../fixture';
import { MongoBulkWriteError, type Collection } from 'mongodb';

const f = useDriver();

describe('insert*.json, update*.json, replaceOne*.json, create-null-ids.json', () => {
  let c: Collection;

  beforeEach(async () => {
    c = f.db.collection(f.name('iu'));
    await c.insertMany([
      { _id: 1, x: 11, s: 'ping', t: { u: { v: 1 } } },
      { _id: 2, x: 22, s: 'PING' },
      { _id: 3, x: 33, s: 'pong' },
    ] as never[]);
  });

  describe('insert', () => {
    it('reports inserted ids, stores a null _id, and dotted or $-prefixed names outside _id', async () => {
      expect((await c.insertMany([{ _id: 4 }, { _id: 5 }] as never[])).insertedIds).toEqual({ 0: 4, 1: 5 });
      await f.db.command({ insert: c.collectionName, documents: [{ _id: null, 'a.b': 1, $c: { d: 1 } }] });
      expect(await c.countDocuments({ _id: { $type: 'null' } } as never)).toBe(1);
      expect(await c.findOne({ _id: null } as never)).toEqual({ _id: null, 'a.b': 1, $c: { d: 1 } });
    });

    it('refuses a $-prefixed field inside _id with 52, and an array _id with 53', async () => {
      const dollar = await f.db.command({ insert: c.collectionName, documents: [{ _id: { $a: 1 } }] });
      expect(dollar.writeErrors[0].code).toBe(52);
      const array = await f.db.command({ insert: c.collectionName, documents: [{ _id: [1] }] });
      expect(array.writeErrors[0].code).toBe(53);
    });
  });

  describe('update and replace', () => {
    it('report matched, modified and upserted', async () => {
      expect(await c.updateMany({ x: { $gt: 11 } }, { $inc: { x: 1 } })).toMatchObject({ matchedCount: 2, modifiedCount: 2, upsertedCount: 0 });
      expect(await c.updateOne({ _id: 1 } as never, { $set: { x: 11 } })).toMatchObject({ matchedCount: 1, modifiedCount: 0 });
      expect(await c.replaceOne({ _id: 8 } as never, { y: 1 }, { upsert: true })).toMatchObject({ matchedCount: 0, upsertedCount: 1, upsertedId: 8 });
    });

    it('match under a collation, read let variables and take hints', async () => {
      expect((await c.updateMany({ s: 'Ping' }, { $set: { hit: 1 } }, { collation: { locale: 'en_US', strength: 2 } })).modifiedCount).toBe(2);
      expect((await c.replaceOne({ s: 'PONG' }, { s: 'pong', r: 1 }, { collation: { locale: 'en_US', strength: 2 } })).modifiedCount).toBe(1);
      expect((await c.updateOne({ $expr: { $eq: ['$x', '$$x'] } }, [{ $set: { seen: '$$label' } }], { let: { x: 22, label: 'l' } })).modifiedCount).toBe(1);
      expect((await c.findOne({ _id: 2 } as never))?.seen).toBe('l');
      expect((await rejection(c.updateOne({ _id: 1 } as never, { $set: { y: 1 } }, { hint: 'absent_1' }))).code).toBe(2);
      expect((await c.updateOne({ _id: 1 } as never, { $set: { y: 1 } }, { hint: { _id: 1 } })).modifiedCount).toBe(1);
    });

    it('run pipeline updates: $replaceRoot keeps _id, other stages are refused with 72', async () => {
      await c.updateOne({ _id: 1 } as never, [{ $replaceRoot: { newRoot: '$t' } }, { $addFields: { foo: 1 } }]);
      expect(await c.findOne({ _id: 1 } as never)).toEqual({ _id: 1, u: { v: 1 }, foo: 1 });
      await c.updateMany({}, [{ $project: { x: 1 } }, { $unset: 'nothing' }]);
      expect(await c.findOne({ _id: 2 } as never)).toEqual({ _id: 2, x: 22 });
      expect((await rejection(c.updateOne({ _id: 2 } as never, [{ $group: { _id: '$x' } }]))).code).toBe(72);
      expect((await rejection(c.updateOne({ _id: 2 } as never, [{ $set: { _id: 99 } }]))).code).toBe(66);
    });

    it('apply arrayFilters', async () => {
      await c.updateOne({ _id: 2 } as never, { $set: { list: [{ k: 1 }, { k: 2 }, { k: 3 }] } });
      await c.updateMany({ _id: 2 } as never, { $inc: { 'list.$[e].k': 10 } }, { arrayFilters: [{ 'e.k': { $gte: 2 } }] });
      expect((await c.findOne({ _id: 2 } as never))?.list).toEqual([{ k: 1 }, { k: 12 }, { k: 13 }]);
    });

    it('refuse sort on updateOne and replaceOne before MongoDB 8.0, and honour it from 8.0', async () => {
      const [major] = await serverVersion(f.db);
      const cmd = { update: c.collectionName, updates: [{ q: { x: { $gt: 0 } }, u: { $set: { sorted: true } }, sort: { x: -1 } }] };
      if (major < 8) {
        const err = await rejection(f.db.command(cmd));
        expect(err.code).toBe(40415);
        expect(err.message).toContain('sort');
        expect(await c.countDocuments({ sorted: true })).toBe(0);
      } else {
        await f.db.command(cmd);
        expect((await c.findOne({ sorted: true }))?._id).toBe(3);
      }
    });
  });
});

describe('delete*.json', () => {
  let c: Collection;

  beforeEach(async () => {
    c = f.db.collection(f.name('del'));
    await c.insertMany([
      { _id: 1, x: 'PING', n: 1 },
      { _id: 2, x: 'ping', n: 2 },
      { _id: 3, x: 'pong', n: 3 },
    ] as never[]);
    await c.createIndex({ n: 1 });
  });

  const left = async () => (await c.find({}).sort({ _id: 1 }).toArray()).map((d) => d._id);

  describe('deleteOne and deleteMany', () => {
    it('delete one or every match', async () => {
      expect((await c.deleteOne({ n: { $gte: 2 } })).deletedCount).toBe(1);
      expect((await c.deleteMany({ n: { $gte: 2 } })).deletedCount).toBe(1);
      expect((await c.deleteMany({ n: 99 })).deletedCount).toBe(0);
      expect(await left()).toEqual([1]);
    });

    it('match under a collation', async () => {
      expect((await c.deleteOne({ x: 'Ping' }, { collation: { locale: 'en_US', strength: 2 } })).deletedCount).toBe(1);
      expect((await c.deleteMany({ x: 'Ping' }, { collation: { locale: 'en_US', strength: 2 } })).deletedCount).toBe(1);
      expect(await left()).toEqual([3]);
    });

    it('read let variables', async () => {
      expect((await c.deleteMany({ $expr: { $in: ['$_id', '$$ids'] } }, { let: { ids: [1, 3] } })).deletedCount).toBe(2);
      expect(await left()).toEqual([2]);
    });

    it('take hints by name or key pattern, and refuse one naming no index', async () => {
      expect((await c.deleteOne({ n: 1 }, { hint: 'n_1' })).deletedCount).toBe(1);
      expect((await c.deleteMany({ n: { $gt: 0 } }, { hint: { _id: 1 } })).deletedCount).toBe(2);
      expect((await rejection(c.deleteOne({}, { hint: 'absent_1' }))).code).toBe(2);
    });
  });
});

describe('bulkWrite*.json', () => {
  let c: Collection;

  beforeEach(async () => {
    c = f.db.collection(f.name('bulk'));
    await c.insertMany([
      { _id: 1, x: 11, tags: [{ k: 'a', v: 1 }, { k: 'b', v: 2 }] },
      { _id: 2, x: 'ping' },
      { _id: 3, x: 'PiNg' },
      { _id: 4, x: 'pong' },
    ] as never[]);
  });

  describe('models and counts', () => {
    it('runs every model and reports what each did', async () => {
      const r = await c.bulkWrite([
        { insertOne: { document: { _id: 5, x: 55 } } },
        { updateOne: { filter: { _id: 1 }, update: { $inc: { x: 1 } } } },
        { updateMany: { filter: { x: { $type: 'string' } }, update: { $set: { s: true } } } },
        { replaceOne: { filter: { _id: 9 }, replacement: { x: 99 }, upsert: true } },
        { deleteOne: { filter: { _id: 4 } } },
        { deleteMany: { filter: { _id: { $gt: 100 } } } },
      ] as never[]);
      expect([r.insertedCount, r.matchedCount, r.modifiedCount, r.upsertedCount, r.deletedCount]).toEqual([1, 4, 4, 1, 1]);
      expect(r.upsertedIds).toEqual({ 3: 9 });
      expect(await c.findOne({ _id: 9 } as never)).toEqual({ _id: 9, x: 99 });
    });

    it('stops at the first failure when ordered and goes on when not', async () => {
      const ordered = (await rejection(c.bulkWrite([{ insertOne: { document: { _id: 1 } } }, { insertOne: { document: { _id: 6 } } }] as never[]))) as unknown as MongoBulkWriteError;
      expect(ordered).toBeInstanceOf(MongoBulkWriteError);
      expect(ordered.code).toBe(11000);
      expect(await c.countDocuments({ _id: 6 } as never)).toBe(0);
      const unordered = (await rejection(c.bulkWrite([{ insertOne: { document: { _id: 1 } } }, { insertOne: { document: { _id: 6 } } }] as never[], { ordered: false }))) as unknown as MongoBulkWriteError;
      expect(unordered.insertedCount).toBe(1);
    });
  });

  describe('statement options', () => {
    it('updates array elements chosen by arrayFilters', async () => {
      await c.bulkWrite([{ updateOne: { filter: { _id: 1 }, update: { $set: { 'tags.$[t].v': 0 } }, arrayFilters: [{ 't.k': 'b' }] } }] as never[]);
      expect((await c.findOne({ _id: 1 } as never))?.tags).toEqual([{ k: 'a', v: 1 }, { k: 'b', v: 0 }]);
    });

    it('matches each statement under its own collation', async () => {
      const caseless = { locale: 'en_US', strength: 2 };
      const r = await c.bulkWrite([
        { updateMany: { filter: { x: 'PING' }, update: { $set: { hit: 1 } }, collation: caseless } },
        { deleteOne: { filter: { x: 'PONG' }, collation: caseless } },
        { deleteOne: { filter: { x: 'PING' } } },
      ] as never[]);
      expect([r.matchedCount, r.deletedCount]).toEqual([2, 1]);
      expect(await c.countDocuments({ hit: 1 })).toBe(2);
    });

    it('reads let variables in update and delete filters', async () => {
      const r = await c.bulkWrite(
        [
          { updateOne: { filter: { $expr: { $eq: ['$_id', '$$first'] } }, update: { $set: { seen: '$$first' } } } },
          { deleteMany: { filter: { $expr: { $eq: ['$_id', '$$last'] } } } },
        ] as never[],
        { let: { first: 1, last: 4 } },
      );
      expect([r.modifiedCount, r.deletedCount]).toEqual([1, 1]);
    });

    it('refuses a hint naming no index', async () => {
      const err = (await rejection(c.bulkWrite([{ updateOne: { filter: { _id: 1 }, update: { $set: { y: 1 } }, hint: 'absent_1' } }] as never[]))) as unknown as MongoBulkWriteError;
      expect(([] as Array<{ code: number }>).concat(err.writeErrors as never)[0]?.code ?? err.code).toBe(2);
      await c.bulkWrite([{ deleteOne: { filter: { _id: 1 }, hint: { _id: 1 } } }] as never[]);
      expect(await c.countDocuments({ _id: 1 } as never)).toBe(0);
    });
  });

  describe('dots and dollars in field names', () => {
    it('stores them outside _id, and refuses a $-prefixed field inside _id (52)', async () => {
      await c.bulkWrite([{ insertOne: { document: { _id: 'd', 'a.b': 1, nested: { $money: 2 } } } }] as never[]);
      expect(await c.findOne({ _id: 'd' } as never)).toEqual({ _id: 'd', 'a.b': 1, nested: { $money: 2 } });
      const err = (await rejection(c.bulkWrite([{ insertOne: { document: { _id: { $bad: 1 } } } }] as never[]))) as unknown as MongoBulkWriteError;
      expect(err.code).toBe(52);
    });
  });
});
