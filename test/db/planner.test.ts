/**
 * Index-answered reads give the same results as a collection scan. Random documents (arrays
 * included: multikey indexes), random filters over indexed and unindexed fields, sorts an index
 * can and cannot answer; each result is compared with the same read hinted to `$natural` (a
 * collection scan on any backend). Then: the hot reads examine only the documents they return.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Collection, Document, Filter, Sort } from 'mongodb';
import { useDriver } from './fixture';

const f = useDriver();

/** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = rng(20240601);
const int = (n: number) => Math.floor(rand() * n);
const pick = <T>(xs: T[]): T => xs[int(xs.length)];
const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'Echo', 'zulu', 'é'];
const T0 = Date.UTC(2024, 0, 1);

function randomDoc(i: number): Document {
  const doc: Document = { _id: `id_${String(int(100000)).padStart(5, '0')}_${i}`, t: new Date(T0 + i * 1000 + int(999)) };
  const a = int(6);
  if (a < 3) doc.a = int(10);
  else if (a === 3) doc.a = [int(10), int(10)];
  else if (a === 4) doc.a = null;
  if (int(5)) doc.b = pick(WORDS);
  doc.subjects = Array.from({ length: int(3) }, () => ({ id: `cus_${int(8)}` }));
  doc.flag = rand() < 0.5;
  if (int(4) === 0) doc.opt = int(3);
  return doc;
}

function atom(ids: string[]): Document {
  switch (int(16)) {
    case 0:
      return { a: int(10) };
    case 1:
      return { a: { $in: [int(10), int(10), int(10)] } };
    case 2:
      return { a: { $gt: int(10) } };
    case 3:
      return { a: { $gte: int(5), $lt: 5 + int(5) } };
    case 4:
      return { a: null };
    case 5:
      return { a: { $ne: int(10) } };
    case 6:
      return { b: pick(WORDS) };
    case 7:
      return { b: { $in: [pick(WORDS), pick(WORDS)] } };
    case 8:
      return { b: { $gte: pick(WORDS) } };
    case 9:
      return { 'subjects.id': `cus_${int(8)}` };
    case 10:
      return { 'subjects.id': { $in: [`cus_${int(8)}`, `cus_${int(8)}`] } };
    case 11:
      return { t: { [pick(['$gte', '$lt'])]: new Date(T0 + int(600) * 1000) } };
    case 12:
      return { flag: rand() < 0.5 };
    case 13:
      return { opt: int(3) };
    case 14:
      return { _id: { $in: Array.from({ length: 1 + int(20) }, () => pick(ids)) } };
    default:
      return { _id: { [pick(['$lt', '$gte'])]: pick(ids) } };
  }
}

function randomFilter(ids: string[]): Document {
  switch (int(6)) {
    case 4:
      // A one-branch $or (as @casl/mongoose writes a single rule) is the branch's conjuncts.
      return { $and: [{ $or: [atom(ids)] }, atom(ids)] };
    case 5:
      return { $or: [{ $and: [atom(ids), { $or: [atom(ids)] }] }] };
    case 0:
      return atom(ids);
    case 1:
      return { $and: [atom(ids), atom(ids)] };
    case 2:
      return { $or: [atom(ids), atom(ids)] };
    default:
      return { $and: [{ $and: [atom(ids), atom(ids)] }, atom(ids)] };
  }
}

/** Sorts with a unique last key (t and _id are unique), so results have one right order. */
const SORTS: Array<Sort | undefined> = [undefined, { _id: -1 }, { _id: 1 }, { t: -1 }, { t: 1 }, { flag: 1, _id: -1 }, { flag: -1, _id: 1 }, { b: 1, a: -1, _id: 1 }, { a: 1, _id: 1 }];

let c: Collection;
let ids: string[];

beforeAll(async () => {
  c = f.db.collection(f.name('planner'));
  await c.createIndexes([
    { key: { a: 1 } },
    { key: { b: 1, t: -1 } },
    { key: { 'subjects.id': 1 } },
    { key: { t: -1 } },
    { key: { flag: 1, _id: -1 } },
    { key: { opt: 1 }, sparse: true },
  ]);
  const docs = Array.from({ length: 600 }, (_, i) => randomDoc(i));
  ids = docs.map((d) => d._id as string);
  await c.insertMany(docs);
});

const idsOf = (docs: Document[]) => docs.map((d) => d._id as string);

describe('index-answered reads equal a collection scan', () => {
  it('find, with and without sort, skip and limit', async () => {
    for (let q = 0; q < 150; q++) {
      const filter = randomFilter(ids) as Filter<Document>;
      const sort = pick(SORTS);
      const limit = sort ? pick([0, 1, 7]) : 0;
      const skip = sort ? pick([0, 0, 3]) : 0;
      const planned = await c.find(filter, { sort, limit, skip }).toArray();
      const scanned = await c.find(filter, { sort, limit, skip, hint: { $natural: 1 } }).toArray();
      const label = JSON.stringify({ filter, sort, limit, skip });
      if (sort) expect(idsOf(planned), label).toEqual(idsOf(scanned));
      else expect(idsOf(planned).sort(), label).toEqual(idsOf(scanned).sort());
    }
  });

  it('countDocuments and count', async () => {
    for (let q = 0; q < 60; q++) {
      const filter = randomFilter(ids) as Filter<Document>;
      const label = JSON.stringify(filter);
      const scanned = await c.countDocuments(filter, { hint: { $natural: 1 } });
      expect(await c.countDocuments(filter), label).toBe(scanned);
      const reply = await f.db.command({ count: c.collectionName, query: filter });
      expect(reply.n, label).toBe(scanned);
    }
  });

  it('aggregate whose leading stages are $match, $sort, $limit', async () => {
    for (let q = 0; q < 40; q++) {
      const filter = randomFilter(ids);
      const sort = pick(SORTS.filter((s): s is Sort => s !== undefined)) as Document;
      const pipeline = [{ $match: filter }, { $sort: sort }, { $limit: 5 }, { $project: { _id: 1 } }];
      const planned = await c.aggregate(pipeline).toArray();
      const scanned = await c.find(filter, { sort: sort as Sort, limit: 5, hint: { $natural: 1 }, projection: { _id: 1 } }).toArray();
      expect(idsOf(planned), JSON.stringify(pipeline)).toEqual(idsOf(scanned));
    }
  });
});

describe('reads answered from indexes examine only what they return', () => {
  let log: Collection;
  beforeAll(async () => {
    log = f.db.collection(f.name('accessLog'));
    await log.createIndex({ subjectId: 1, _id: -1 });
    await log.createIndex({ 'consentState.marketing': 1 });
    await log.insertMany(
      Array.from({ length: 3000 }, (_, i) => ({ subjectId: `cus_${i % 30}`, consentState: { marketing: i % 3 === 0 }, n: i })),
    );
  });

  it('a page of the newest entries of one subject (equality prefix, then _id descending)', async () => {
    const explained = await log.find({ subjectId: 'cus_7' }).sort({ _id: -1 }).limit(20).explain('executionStats');
    expect(JSON.stringify(explained.queryPlanner.winningPlan)).toContain('IXSCAN');
    expect(explained.executionStats.nReturned).toBe(20);
    expect(explained.executionStats.totalDocsExamined).toBe(20);
  });

  it('the next page: the same index, bounded by the last _id seen', async () => {
    const first = await log.find({ subjectId: 'cus_7' }).sort({ _id: -1 }).limit(20).toArray();
    const next = { $and: [{ subjectId: 'cus_7' }, { _id: { $lt: first[19]._id } }] };
    const explained = await log.find(next).sort({ _id: -1 }).limit(20).explain('executionStats');
    expect(explained.executionStats.totalDocsExamined).toBe(20);
    const page = await log.find(next).sort({ _id: -1 }).limit(20).toArray();
    expect(page[0]._id.toHexString() < first[19]._id.toHexString()).toBe(true);
  });

  it('the newest entries of the whole log, by the _id index read backwards', async () => {
    const explained = await log.find({}).sort({ _id: -1 }).limit(10).explain('executionStats');
    expect(explained.executionStats.totalDocsExamined).toBe(10);
  });

  it('a row filter as @casl/mongoose writes it: one-branch $or of a 1,000-id $in, sorted by _id, limited', async () => {
    const all = await log.find({}, { projection: { _id: 1 } }).sort({ _id: 1 }).toArray();
    const scope = all.slice(0, 1000).map((d) => d._id).reverse();
    const filter = { $and: [{ $and: [{ $or: [{ _id: { $in: scope } }] }, { n: { $ne: 3 } }] }, {}] };
    const explained = await log.find(filter).sort({ _id: 1 }).limit(50).explain('executionStats');
    expect(explained.executionStats.nReturned).toBe(50);
    expect(explained.executionStats.totalDocsExamined).toBe(51);
    const page = await log.find(filter).sort({ _id: 1 }).limit(50).toArray();
    expect(page.map((d) => d.n)).toEqual([0, 1, 2, ...Array.from({ length: 47 }, (_, i) => i + 4)]);
  });

  it('an $in of many _ids, and an equality on a dotted path', async () => {
    const some = await log.find({}, { projection: { _id: 1 } }).limit(200).toArray();
    const byIds = await log.find({ _id: { $in: some.map((d) => d._id) } }).explain('executionStats');
    expect(byIds.executionStats.nReturned).toBe(200);
    expect(byIds.executionStats.totalDocsExamined).toBe(200);
    const consent = await log.find({ 'consentState.marketing': true }).limit(15).explain('executionStats');
    expect(consent.executionStats.totalDocsExamined).toBe(15);
  });
});
