/**
 * aggregate, after the CRUD spec's aggregate*.json and db-aggregate*.json: `let` variables in
 * every stage, collation, `hint`, `allowDiskUse`, `$out` (also with `let`), `$merge` in each of
 * its modes (and mongod's duplicate-key error), `$documents` on the database.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Collection, Document } from 'mongodb';
import { rejection, useDriver } from '../fixture';

const f = useDriver();
let c: Collection;

beforeEach(async () => {
  c = f.db.collection(f.name('agg'));
  await c.insertMany([
    { _id: 1, n: 1, s: 'north' },
    { _id: 2, n: 2, s: 'NORTH' },
    { _id: 3, n: 3, s: 'south' },
  ] as never[]);
});

const ids = (docs: Document[]) => docs.map((d) => d._id as unknown);

describe('let, collation, hint, allowDiskUse', () => {
  it('reads let variables in $match and $project, with $literal for a $-string', async () => {
    const docs = await c
      .aggregate(
        [{ $match: { $expr: { $gte: ['$n', '$$min'] } } }, { $project: { _id: 1, label: '$$label', raw: '$$raw' } }, { $sort: { _id: 1 } }],
        { let: { min: 2, label: 'kept', raw: { $literal: '$notAPath' } } },
      )
      .toArray();
    expect(docs).toEqual([
      { _id: 2, label: 'kept', raw: '$notAPath' },
      { _id: 3, label: 'kept', raw: '$notAPath' },
    ]);
  });

  it('matches under the collation', async () => {
    const caseless = { locale: 'en_US', strength: 2 };
    expect(ids(await c.aggregate([{ $match: { s: 'North' } }, { $sort: { _id: 1 } }], { collation: caseless }).toArray())).toEqual([1, 2]);
    expect(await c.aggregate([{ $match: { s: 'North' } }]).toArray()).toEqual([]);
  });

  it('refuses a hint naming no index, and accepts allowDiskUse', async () => {
    expect((await rejection(c.aggregate([{ $match: { n: 1 } }], { hint: 'absent_1' }).toArray())).code).toBe(2);
    expect(await c.aggregate([{ $match: { n: 1 } }], { hint: { _id: 1 }, allowDiskUse: true }).toArray()).toHaveLength(1);
  });
});

describe('expression operators', () => {
  it('convert, measure and search as mongod ($toObjectId, $bsonSize, $indexOfCP)', async () => {
    const [doc] = await c
      .aggregate([{ $match: { _id: 1 } }, { $project: { _id: 0, id: { $toObjectId: '0123456789abcdef01234567' }, size: { $bsonSize: { a: 1 } }, at: { $indexOfCP: ['héllo', 'l'] } } }])
      .toArray();
    expect(doc.id.toHexString()).toBe('0123456789abcdef01234567');
    expect(doc.size).toBe(12);
    expect(doc.at).toBe(2);
  });
});

describe('$out', () => {
  it('replaces the target documents (keeping its indexes), also with let variables', async () => {
    const target = f.db.collection(f.name('out'));
    await target.insertOne({ _id: 'stale' } as never);
    await target.createIndex({ n: 1 });
    await c.aggregate([{ $match: { $expr: { $lte: ['$n', '$$max'] } } }, { $project: { n: 1 } }, { $out: target.collectionName }], { let: { max: 2 } }).toArray();
    expect(await target.find({}).sort({ _id: 1 }).toArray()).toEqual([{ _id: 1, n: 1 }, { _id: 2, n: 2 }]);
    expect((await target.listIndexes().toArray()).map((i) => i.name)).toContain('n_1');
  });

  it('must be the last stage', async () => {
    expect((await rejection(c.aggregate([{ $out: 'x' }, { $match: {} }]).toArray())).code).toBe(40601);
  });
});

describe('$merge', () => {
  it('inserts into a new collection, and merges fields into matched documents by default', async () => {
    const target = f.db.collection(f.name('merge'));
    await target.insertOne({ _id: 2, extra: true } as never);
    await c.aggregate([{ $match: { _id: { $gte: 2 } } }, { $merge: { into: target.collectionName } }]).toArray();
    expect(await target.find({}).sort({ _id: 1 }).toArray()).toEqual([
      { _id: 2, extra: true, n: 2, s: 'NORTH' },
      { _id: 3, n: 3, s: 'south' },
    ]);
  });

  it('replaces, keeps or discards as asked, and runs a whenMatched pipeline with $$new', async () => {
    const target = f.db.collection(f.name('merge'));
    await target.insertMany([{ _id: 1, old: true }, { _id: 2, old: true }] as never[]);
    await c.aggregate([{ $match: { _id: 1 } }, { $merge: { into: target.collectionName, whenMatched: 'replace' } }]).toArray();
    await c.aggregate([{ $match: { _id: 2 } }, { $merge: { into: target.collectionName, whenMatched: 'keepExisting' } }]).toArray();
    await c.aggregate([{ $match: { _id: 3 } }, { $merge: { into: target.collectionName, whenNotMatched: 'discard' } }]).toArray();
    expect(await target.find({}).sort({ _id: 1 }).toArray()).toEqual([{ _id: 1, n: 1, s: 'north' }, { _id: 2, old: true }]);
    await c
      .aggregate([{ $match: { _id: 2 } }, { $merge: { into: target.collectionName, whenMatched: [{ $set: { total: { $add: ['$$new.n', 100] } } }] } }])
      .toArray();
    expect(await target.findOne({ _id: 2 } as never)).toEqual({ _id: 2, old: true, total: 102 });
  });

  it('answers whenMatched: fail with a duplicate key error naming the key', async () => {
    const target = f.db.collection(f.name('merge'));
    await target.insertOne({ _id: 3 } as never);
    const err = await rejection(c.aggregate([{ $match: { _id: 3 } }, { $merge: { into: target.collectionName, whenMatched: 'fail' } }]).toArray());
    expect(err.code).toBe(11000);
    expect(err.errorResponse).toMatchObject({ keyPattern: { _id: 1 }, keyValue: { _id: 3 } });
  });

  it('merges on other fields only through a unique index on them', async () => {
    const target = f.db.collection(f.name('merge'));
    const noIndex = await rejection(c.aggregate([{ $project: { _id: 0 } }, { $merge: { into: target.collectionName, on: 's' } }]).toArray());
    expect(noIndex.code).toBe(51183);
    expect(await f.db.listCollections({ name: target.collectionName }).toArray()).toEqual([]);
    await target.createIndex({ s: 1 }, { unique: true });
    await target.insertOne({ s: 'south', before: 1 });
    await c.aggregate([{ $project: { _id: 0, s: 1, n: 1 } }, { $merge: { into: target.collectionName, on: 's' } }]).toArray();
    expect(await target.find({}, { projection: { _id: 0 } }).sort({ s: 1 }).toArray()).toEqual([
      { s: 'NORTH', n: 2 },
      { s: 'north', n: 1 },
      { s: 'south', before: 1, n: 3 },
    ]);
  });
});

describe('database aggregate', () => {
  it('runs $documents and writes them with $merge', async () => {
    const target = f.db.collection(f.name('docs'));
    await f.db.aggregate([{ $documents: [{ _id: 'a', v: 1 }, { _id: 'b', v: 2 }] }, { $merge: { into: target.collectionName } }]).toArray();
    expect(await target.find({}).sort({ _id: 1 }).toArray()).toEqual([{ _id: 'a', v: 1 }, { _id: 'b', v: 2 }]);
    expect(await f.db.aggregate([{ $documents: [{ x: 1 }, { x: 2 }] }, { $match: { x: 2 } }]).toArray()).toEqual([{ x: 2 }]);
  });
});
