/**
 * Filters that pin `_id` (at top level, in `$and`, in `$or`) give the same results as the same
 * filter evaluated on every document. A `{ locale: 'simple' }` collation is the reference: it
 * compares exactly like no collation, and the embedded store never narrows a collated query.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Decimal128, ObjectId, type CollationOptions, type Collection, type Filter } from 'mongodb';
import { useDriver } from './fixture';

interface Doc {
  _id: string | number | ObjectId | Decimal128;
  n: number;
  group: string;
  consent?: { marketing: boolean };
  touched?: boolean;
}

const f = useDriver();
const SIMPLE: CollationOptions = { locale: 'simple' };
const oid = new ObjectId();
let c: Collection<Doc>;

const stringIds = Array.from({ length: 30 }, (_, i) => `cus_${String(i + 1).padStart(4, '0')}`);

beforeAll(async () => {
  c = f.db.collection(f.name('narrowing'));
  // Natural order deliberately differs from _id order.
  const docs: Doc[] = stringIds
    .slice()
    .reverse()
    .map((_id, i) => ({ _id, n: i, group: i % 3 ? 'x' : 'y', consent: { marketing: i % 2 === 0 } }));
  docs.push({ _id: 7, n: 100, group: 'x' }, { _id: oid, n: 101, group: 'y' }, { _id: Decimal128.fromString('9'), n: 102, group: 'x' });
  await c.insertMany(docs);
});

/** What the filter selects: sorted ids from find, the count, and the count of an aggregate. */
async function outcome(filter: Filter<Doc>, collation?: CollationOptions) {
  const opts: { collation?: CollationOptions } = collation ? { collation } : {};
  const found = await c.find(filter, opts).sort({ n: 1 }).toArray();
  const count = await c.countDocuments(filter, opts);
  const grouped = await c.aggregate([{ $match: filter }, { $group: { _id: '$group', k: { $sum: 1 } } }, { $sort: { _id: 1 } }], opts).toArray();
  const values = (await c.distinct('n', filter, opts)).sort((a, b) => Number(a) - Number(b));
  return { ids: found.map((d) => String(d._id)), count, grouped, values };
}

async function expectSameAsScan(filter: Filter<Doc>) {
  const narrowed = await outcome(filter);
  expect(narrowed).toEqual(await outcome(filter, SIMPLE));
  return narrowed;
}

describe('_id narrowing gives the results of a full scan', () => {
  it("CASL's accessibleBy shape: $and of a one-branch $or pinning _id with $in", async () => {
    const ids = stringIds.slice(5, 25);
    const r = await expectSameAsScan({ $and: [{ $or: [{ _id: { $in: ids } }] }, {}] });
    expect(r.count).toBe(20);
    const withCondition = await expectSameAsScan({ $and: [{ $or: [{ _id: { $in: ids }, group: 'y' }] }, { 'consent.marketing': true }] });
    expect(withCondition.count).toBeGreaterThan(0);
    expect(withCondition.count).toBeLessThan(20);
  });

  it('$or whose every branch pins _id, with and without further conditions', async () => {
    const pure = await expectSameAsScan({ $or: [{ _id: 'cus_0001' }, { _id: { $in: ['cus_0002', 'cus_0003', 'nope'] } }, { _id: { $eq: 7 } }] });
    expect(pure.ids.sort()).toEqual(['7', 'cus_0001', 'cus_0002', 'cus_0003']);
    const mixed = await expectSameAsScan({ $or: [{ _id: 'cus_0001', group: 'y' }, { _id: 'cus_0002', group: 'x' }, { _id: 'cus_0004' }] });
    expect(mixed.count).toBeLessThanOrEqual(3);
  });

  it('$or with a branch that does not pin _id is not narrowed', async () => {
    const r = await expectSameAsScan({ $or: [{ _id: 'cus_0001' }, { group: 'y' }] });
    expect(r.count).toBeGreaterThan(10);
    await expectSameAsScan({ $and: [{ $or: [{ _id: { $in: stringIds } }, { n: { $gte: 100 } }] }, { group: 'x' }] });
  });

  it('top-level and nested $and pins, alone and with other conditions', async () => {
    await expectSameAsScan({ _id: { $in: stringIds.slice(0, 10) }, group: 'x' });
    await expectSameAsScan({ $and: [{ $and: [{ _id: { $in: stringIds } }, { n: { $lt: 12 } }] }, { $or: [{ group: 'x' }, { n: 3 }] }] });
    await expectSameAsScan({ $and: [{ $or: [{ _id: { $in: stringIds } }] }, { _id: { $gt: 'cus_0020' } }] });
  });

  it('pins on numbers, ObjectIds and mixed values', async () => {
    const numbers = await expectSameAsScan({ $or: [{ _id: { $in: [7, 9, 'cus_0001'] } }] });
    expect(numbers.ids).toContain('7');
    const objectIds = await expectSameAsScan({ $and: [{ $or: [{ _id: { $in: [oid, 'cus_0002'] } }] }] });
    expect(objectIds.ids.sort()).toEqual([oid.toHexString(), 'cus_0002']);
    const none = await expectSameAsScan({ $or: [{ _id: 'missing' }] });
    expect(none.count).toBe(0);
  });

  it('updates and deletes through an $or pin touch exactly the matching documents', async () => {
    const filter = { $and: [{ $or: [{ _id: { $in: stringIds.slice(0, 6) } }] }, { group: 'x' }] };
    const expected = await c.countDocuments(filter, { collation: SIMPLE });
    const updated = await c.updateMany(filter, { $set: { touched: true } });
    expect(updated.matchedCount).toBe(expected);
    expect(await c.countDocuments({ touched: true })).toBe(expected);
    const deleted = await c.deleteMany({ $or: [{ _id: { $in: stringIds.slice(0, 6) } }], touched: true });
    expect(deleted.deletedCount).toBe(expected);
    await c.updateMany({}, { $unset: { touched: '' } });
  });
});

describe('sorted pages', () => {
  it('sorts on one field ascending and descending, with skip, limit and projection', async () => {
    const all = (await c.find({ _id: { $in: stringIds } }).toArray()).map((d) => String(d._id)).sort();
    const asc = await c.find({ $or: [{ _id: { $in: stringIds } }] }, { projection: { n: 0 } }).sort({ _id: 1 }).skip(3).limit(5).toArray();
    expect(asc.map((d) => d._id)).toEqual(all.slice(3, 8));
    expect(asc.every((d) => d.n === undefined && typeof d.group === 'string')).toBe(true);
    const desc = await c.find({ group: { $exists: true } }).sort({ 'consent.marketing': -1, n: 1 }).limit(3).toArray();
    expect(desc.map((d) => d.consent?.marketing)).toEqual([true, true, true]);
    const byNumber = await c.find({ n: { $lt: 5 } }).sort({ n: -1 }).toArray();
    expect(byNumber.map((d) => d.n)).toEqual([4, 3, 2, 1, 0]);
  });

  it('sorts mixed types in BSON order (numbers before strings before ObjectIds)', async () => {
    const ids = await c.find({ $or: [{ _id: 'cus_0003' }, { _id: oid }, { _id: 7 }] }).sort({ _id: 1 }).toArray();
    expect(ids.map((d) => String(d._id))).toEqual(['7', 'cus_0003', oid.toHexString()]);
  });

  it('a read-only pipeline leaves the stored documents as they were', async () => {
    const before = await c.find({}).sort({ n: 1 }).toArray();
    const grouped = await c
      .aggregate([{ $match: { $or: [{ _id: { $in: stringIds } }] } }, { $sort: { n: -1 } }, { $group: { _id: '$group', docs: { $push: '$$ROOT' } } }])
      .toArray();
    expect(grouped.reduce((t, g) => t + g.docs.length, 0)).toBe(await c.countDocuments({ _id: { $in: stringIds } }, { collation: SIMPLE }));
    expect(await c.find({}).sort({ n: 1 }).toArray()).toEqual(before);
  });

  it('counting pipelines give what the general $group gives, including no match', async () => {
    const run = async (filter: Filter<Doc>, extraStage: boolean) =>
      c.aggregate([{ $match: filter }, ...(extraStage ? [{ $match: {} }] : []), { $group: { _id: 5, k: { $sum: 1 } } }]).toArray();
    for (const filter of [{}, { group: 'x' }, { $or: [{ _id: { $in: stringIds } }] }, { _id: 'missing' }] as Filter<Doc>[]) {
      expect(await run(filter, false)).toEqual(await run(filter, true));
    }
    expect(await run({ _id: 'missing' }, false)).toEqual([]);
    expect(await c.countDocuments({ _id: 'missing' })).toBe(0);
    const total = await c.countDocuments({});
    expect(await c.countDocuments({}, { skip: 2, limit: 3 })).toBe(Math.min(3, total - 2));
  });
});
