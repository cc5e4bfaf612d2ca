/**
 * findOneAndDelete, findOneAndReplace and findOneAndUpdate, after the CRUD spec's findOneAnd*.json:
 * sort, projection, returnDocument, upsert, arrayFilters, pipeline updates, collation, `let`,
 * hints, and the duplicate-key and validation errors with their server response.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Collection } from 'mongodb';
import { rejection, useDriver } from '../fixture';

const f = useDriver();
let c: Collection;

beforeEach(async () => {
  c = f.db.collection(f.name('fam'));
  await c.insertMany([
    { _id: 1, x: 11, s: 'ping', arr: [1, 5, 9] },
    { _id: 2, x: 22, s: 'PING' },
    { _id: 3, x: 33, s: 'pong' },
  ] as never[]);
});

describe('findOneAndUpdate', () => {
  it('picks the first match in sort order and returns it before or after, projected', async () => {
    const before = await c.findOneAndUpdate({ x: { $gt: 10 } }, { $inc: { x: 1 } }, { sort: { x: -1 }, projection: { x: 1, _id: 0 } });
    expect(before).toEqual({ x: 33 });
    const after = await c.findOneAndUpdate({ _id: 3 } as never, { $inc: { x: 1 } }, { returnDocument: 'after', projection: { x: 1 } });
    expect(after).toEqual({ _id: 3, x: 35 });
  });

  it('upserts, applies arrayFilters and pipeline updates', async () => {
    const up = await c.findOneAndUpdate({ _id: 9 } as never, { $set: { x: 99 } }, { upsert: true, returnDocument: 'after' });
    expect(up).toEqual({ _id: 9, x: 99 });
    await c.findOneAndUpdate({ _id: 1 } as never, { $set: { 'arr.$[big]': 0 } }, { arrayFilters: [{ big: { $gt: 4 } }] });
    expect((await c.findOne({ _id: 1 } as never))?.arr).toEqual([1, 0, 0]);
    const piped = await c.findOneAndUpdate({ _id: 2 } as never, [{ $project: { x: 1 } }, { $addFields: { doubled: { $multiply: ['$x', 2] } } }], { returnDocument: 'after' });
    expect(piped).toEqual({ _id: 2, x: 22, doubled: 44 });
  });

  it('matches under a collation and reads let variables', async () => {
    const hit = await c.findOneAndUpdate({ s: 'PONG' }, { $set: { found: true } }, { collation: { locale: 'en_US', strength: 2 }, returnDocument: 'after' });
    expect(hit?._id).toBe(3);
    const byLet = await c.findOneAndUpdate({ $expr: { $eq: ['$x', '$$want'] } }, { $set: { y: 1 } }, { let: { want: 22 } });
    expect(byLet?._id).toBe(2);
  });

  it('answers a duplicate key with keyPattern and keyValue, and refuses an unknown hint', async () => {
    await c.createIndex({ s: 1 }, { unique: true });
    const dup = await rejection(c.findOneAndUpdate({ _id: 1 } as never, { $set: { s: 'pong' } }));
    expect(dup.code).toBe(11000);
    expect(dup.errorResponse).toMatchObject({ keyPattern: { s: 1 }, keyValue: { s: 'pong' } });
    expect((await rejection(c.findOneAndUpdate({ _id: 1 } as never, { $set: { z: 1 } }, { hint: 'absent_1' as never }))).code).toBe(2);
    expect(await c.findOneAndUpdate({ _id: 1 } as never, { $set: { z: 1 } }, { hint: { _id: 1 }, returnDocument: 'after', projection: { z: 1 } })).toEqual({ _id: 1, z: 1 });
  });
});

describe('findOneAndReplace and findOneAndDelete', () => {
  it('replace keeps _id, upserts, and returns the chosen version', async () => {
    expect(await c.findOneAndReplace({ x: 22 }, { x: 23, replaced: true }, { returnDocument: 'after' })).toEqual({ _id: 2, x: 23, replaced: true });
    expect(await c.findOneAndReplace({ x: 404 }, { _id: 7, x: 70 }, { upsert: true })).toBeNull();
    expect(await c.findOne({ _id: 7 } as never)).toEqual({ _id: 7, x: 70 });
  });

  it('delete removes the first match in sort order, under a collation or a let filter', async () => {
    expect((await c.findOneAndDelete({ s: 'ping' }, { collation: { locale: 'en_US', strength: 2 }, sort: { _id: -1 } }))?._id).toBe(2);
    expect((await c.findOneAndDelete({ $expr: { $eq: ['$_id', '$$id'] } }, { let: { id: 3 } }))?._id).toBe(3);
    expect(await c.countDocuments()).toBe(1);
  });
});
