/**
 * Collections as the CRUD spec's create/views/validation files use them: read-only views
 * (estimatedDocumentCount, find, aggregate, count on a view; writes refused), validators set by
 * create or collMod (error 121 with errInfo; bypassDocumentValidation; warn; moderate), and the
 * parser's answer to unknown fields.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { MongoBulkWriteError, type Collection } from 'mongodb';
import { rejection, useDriver } from '../fixture';

const f = useDriver();
let source: Collection;

beforeEach(async () => {
  source = f.db.collection(f.name('src'));
  await source.insertMany([
    { _id: 1, kind: 'a', n: 1 },
    { _id: 2, kind: 'b', n: 2 },
    { _id: 3, kind: 'a', n: 3 },
  ] as never[]);
});

describe('views', () => {
  it('read through the view pipeline: estimatedDocumentCount, find, count, aggregate, distinct', async () => {
    const name = f.name('view');
    await f.db.createCollection(name, { viewOn: source.collectionName, pipeline: [{ $match: { kind: 'a' } }, { $project: { n: 1 } }] });
    const view = f.db.collection(name);
    expect(await view.estimatedDocumentCount()).toBe(2);
    expect(await view.find({ n: { $gt: 1 } }).toArray()).toEqual([{ _id: 3, n: 3 }]);
    expect(await view.countDocuments({})).toBe(2);
    expect(await view.aggregate([{ $group: { _id: null, total: { $sum: '$n' } } }]).toArray()).toEqual([{ _id: null, total: 4 }]);
    expect((await view.distinct('n')).sort()).toEqual([1, 3]);
    const listed = await f.db.listCollections({ name }).toArray();
    expect(listed[0]).toMatchObject({ name, type: 'view', options: { viewOn: source.collectionName } });
  });

  it('see their source change, stack on other views, and refuse writes and indexes (166)', async () => {
    const inner = f.name('view');
    const outer = f.name('view');
    await f.db.createCollection(inner, { viewOn: source.collectionName, pipeline: [{ $match: { kind: 'a' } }] });
    await f.db.createCollection(outer, { viewOn: inner, pipeline: [{ $match: { n: { $gte: 3 } } }] });
    await source.insertOne({ _id: 4, kind: 'a', n: 4 } as never);
    expect((await f.db.collection(outer).find({}).sort({ _id: 1 }).toArray()).map((d) => d._id)).toEqual([3, 4]);
    const view = f.db.collection(inner);
    expect((await rejection(view.insertOne({ x: 1 }))).code).toBe(166);
    expect((await rejection(view.updateOne({}, { $set: { x: 1 } }))).code).toBe(166);
    expect((await rejection(view.deleteMany({}))).code).toBe(166);
    expect((await rejection(view.createIndex({ n: 1 }))).code).toBe(166);
  });

  it('can be redefined with collMod and dropped', async () => {
    const name = f.name('view');
    await f.db.createCollection(name, { viewOn: source.collectionName, pipeline: [{ $match: { kind: 'a' } }] });
    await f.db.command({ collMod: name, viewOn: source.collectionName, pipeline: [{ $match: { kind: 'b' } }] });
    expect((await f.db.collection(name).find({}).toArray()).map((d) => d._id)).toEqual([2]);
    await f.db.collection(name).drop();
    expect(await f.db.listCollections({ name }).toArray()).toEqual([]);
  });
});

describe('validators', () => {
  it('refuse a document that fails a collMod validator with 121, failingDocumentId and details', async () => {
    await f.db.command({ collMod: source.collectionName, validator: { n: { $type: 'int' } } });
    const err = await rejection(source.findOneAndUpdate({ _id: 1 } as never, { $set: { n: 'one' } }));
    expect(err.code).toBe(121);
    const info = (err.errInfo ?? err.errorResponse?.errInfo) as { failingDocumentId: unknown; details: object };
    expect(info.failingDocumentId).toBe(1);
    expect(typeof info.details).toBe('object');
    const write = (await rejection(source.insertOne({ _id: 9, n: 'nine' } as never))) as unknown as MongoBulkWriteError & { errInfo?: { failingDocumentId: unknown } };
    expect(write.code).toBe(121);
    expect(write.errInfo?.failingDocumentId).toBe(9);
    expect(await source.countDocuments()).toBe(3);
  });

  it('check $jsonSchema rules, naming the failed rules in errInfo.details', async () => {
    const name = f.name('schema');
    await f.db.createCollection(name, {
      validator: { $jsonSchema: { bsonType: 'object', required: ['email'], properties: { email: { bsonType: 'string', pattern: '@' }, age: { bsonType: 'int', minimum: 0 } } } },
    });
    const c = f.db.collection(name);
    await c.insertOne({ email: 'a@example.test', age: 30 });
    const missing = await rejection(c.insertOne({ age: 3 }));
    expect(missing.code).toBe(121);
    const details = (missing as unknown as { errInfo: { details: { operatorName: string; schemaRulesNotSatisfied: Array<{ operatorName: string }> } } }).errInfo.details;
    expect(details.operatorName).toBe('$jsonSchema');
    expect(details.schemaRulesNotSatisfied.map((r) => r.operatorName)).toContain('required');
    expect((await rejection(c.insertOne({ email: 'no-at-sign' }))).code).toBe(121);
    expect((await rejection(c.insertOne({ email: 'x@y', age: -1 }))).code).toBe(121);
    expect(await c.find({ $jsonSchema: { required: ['age'] } }).toArray()).toHaveLength(1);
  });

  it('let bypassDocumentValidation, validationAction warn and validationLevel moderate through', async () => {
    await f.db.command({ collMod: source.collectionName, validator: { kind: { $in: ['a', 'b'] } } });
    await source.insertOne({ _id: 10, kind: 'z' } as never, { bypassDocumentValidation: true });
    await source.updateOne({ _id: 10 } as never, { $set: { n: 10 } }, { bypassDocumentValidation: true });
    await f.db.command({ collMod: source.collectionName, validationLevel: 'moderate' });
    // Moderate: a document that was already invalid may be updated; a valid one may not become invalid.
    await source.updateOne({ _id: 10 } as never, { $set: { n: 11 } });
    expect((await rejection(source.updateOne({ _id: 1 } as never, { $set: { kind: 'z' } }))).code).toBe(121);
    await f.db.command({ collMod: source.collectionName, validationAction: 'warn' });
    await source.insertOne({ _id: 11, kind: 'zz' } as never);
    expect(await source.countDocuments({ kind: { $nin: ['a', 'b'] } })).toBe(2);
    const listed = await f.db.listCollections({ name: source.collectionName }).toArray();
    expect((listed[0] as { options?: object }).options).toMatchObject({ validator: { kind: { $in: ['a', 'b'] } }, validationLevel: 'moderate', validationAction: 'warn' });
  });

  it('refuse an invalid validator, level or action', async () => {
    expect((await rejection(f.db.command({ collMod: source.collectionName, validator: { n: { $nope: 1 } } }))).code).toBe(2);
    expect((await rejection(f.db.command({ collMod: source.collectionName, validationLevel: 'sometimes' }))).code).toBe(2);
    expect((await rejection(f.db.createCollection(f.name('bad'), { validator: { $jsonSchema: { bsonType: 'object', format: 'email' } } }))).code).toBe(9);
  });
});

describe('unknown fields', () => {
  it('are answered with 40415 naming them, for every CRUD command', async () => {
    const name = source.collectionName;
    const commands = [
      { find: name, nope: 1 },
      { aggregate: name, pipeline: [], cursor: {}, nope: 1 },
      { count: name, nope: 1 },
      { distinct: name, key: 'n', nope: 1 },
      { insert: name, documents: [{}], nope: 1 },
      { update: name, updates: [{ q: {}, u: { $set: { a: 1 } } }], nope: 1 },
      { delete: name, deletes: [{ q: {}, limit: 1 }], nope: 1 },
      { findAndModify: name, query: {}, remove: true, nope: 1 },
      { update: name, updates: [{ q: {}, u: { $set: { a: 1 } }, nope: 1 }] },
    ];
    for (const cmd of commands) {
      const err = await rejection(f.db.command(cmd));
      expect(err.code, JSON.stringify(cmd)).toBe(40415);
      expect(err.message, JSON.stringify(cmd)).toContain('nope');
    }
    expect(await source.countDocuments()).toBe(3);
  });
});
