/**
 * Store figures, for the record, through the official driver against the configured backend
 * (MONGODB_URI, else a fresh embedded store in this process). Prints figures only.
 *
 * 1. Throughput on 10,000 small documents.
 * 2. Reads answered from indexes on an access log of STORE_BENCH_N documents (default 1,000,000):
 *    pages of the newest entries (sorted by _id descending, per subject, per purpose, next page),
 *    counts, a 1,000-id $in, a dotted-path equality, an aggregate with $match/$sort/$limit, and
 *    the memory the collection takes (embedded store only: it shares this process's heap).
 */
import { MongoClient, ObjectId, type Db } from 'mongodb';
import { startTestDatabase } from '../test/support/database';

/** Benchmarks print their figures on stdout (no customer data here). */
const print = (line: string) => process.stdout.write(line + '\n');

const N = 10_000;

interface Small {
  _id: string;
  i: number;
  segment: string;
  name: string;
  country: string;
}

function rate(label: string, count: number, ms: number): void {
  print(`${label.padEnd(44)} ${String(count).padStart(6)} ops  ${ms.toFixed(0).padStart(6)} ms  ${Math.round((count / ms) * 1000).toString().padStart(8)} ops/s`);
}

async function time<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const out = await fn();
  return [out, performance.now() - t0];
}

async function main(): Promise<void> {
  const database = await startTestDatabase();
  const client = await MongoClient.connect(database.uri, { serverSelectionTimeoutMS: 10_000 });
  try {
    const db = client.db(database.dbName);
    const docs = (prefix: string): Small[] =>
      Array.from({ length: N }, (_, i) => ({ _id: `${prefix}_${i}`, i, segment: `s${i % 10}`, name: `Customer ${i}`, country: i % 3 ? 'FR' : 'DE' }));
    print(`backend: ${process.env.MONGODB_URI ? 'MONGODB_URI' : `embedded store at ${database.uri}`}`);

    const bulk = db.collection<Small>('bulk');
    const [, tMany] = await time(() => bulk.insertMany(docs('b')));
    rate('insertMany (one call)', N, tMany);

    const single = db.collection<Small>('single');
    const [, tOne] = await time(async () => {
      for (const d of docs('s')) await single.insertOne(d);
    });
    rate('insertOne, sequential', N, tOne);

    const [, tById] = await time(async () => {
      for (let i = 0; i < N; i++) await bulk.findOne({ _id: `b_${(i * 7919) % N}` });
    });
    rate('findOne by _id, sequential', N, tById);

    const ROUNDS = 200;
    const [found, tFilter] = await time(async () => {
      let total = 0;
      for (let r = 0; r < ROUNDS; r++) total += (await bulk.find({ segment: `s${r % 10}`, country: 'FR' }).toArray()).length;
      return total;
    });
    rate(`find by filter (${ROUNDS} queries, docs returned)`, found, tFilter);
    rate(`find by filter (${ROUNDS} queries, queries)`, ROUNDS, tFilter);

    const [scanned, tScan] = await time(async () => {
      let n = 0;
      for await (const _doc of bulk.find({}, { batchSize: 1000 })) n++;
      return n;
    });
    rate('full scan with cursor (docs)', scanned, tScan);

    const PAGES = 200;
    const [, tPage] = await time(async () => {
      await Promise.all(
        Array.from({ length: 8 }, async (_, w) => {
          for (let p = w; p < PAGES; p += 8) await bulk.find({ country: 'FR' }).sort({ _id: 1 }).skip((p % 20) * 50).limit(50).toArray();
        }),
      );
    });
    rate('pages of 50, sorted, concurrency 8 (pages)', PAGES, tPage);

    await accessLogAtScale(db, Number(process.env.STORE_BENCH_N ?? 1_000_000), !process.env.MONGODB_URI);
  } finally {
    await client.close();
    await database.stop();
  }
}

/** Median wall time of `runs` calls (after one warm-up call), in milliseconds. */
async function median(runs: number, fn: () => Promise<unknown>): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

function figure(label: string, ms: number, note = ''): void {
  print(`${label.padEnd(64)} ${ms.toFixed(1).padStart(9)} ms${note ? '  ' + note : ''}`);
}

const PURPOSES = ['support', 'billing', 'marketing', 'fraud', 'audit', 'analytics', 'delivery', 'legal'];

async function accessLogAtScale(db: Db, n: number, embedded: boolean): Promise<void> {
  print(`\naccess log of ${n.toLocaleString('en-US')} entries, indexes { subjectId: 1, _id: -1 }, { 'actor.id': 1, _id: -1 }, { purpose: 1, _id: -1 }`);
  const log = db.collection('accessLog');
  await log.createIndexes([{ key: { subjectId: 1, _id: -1 } }, { key: { 'actor.id': 1, _id: -1 } }, { key: { purpose: 1, _id: -1 } }]);
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = Date.UTC(2025, 0, 1);
  const ids: ObjectId[] = [];
  const BATCH = 10_000;
  const [, tLoad] = await time(async () => {
    for (let start = 0; start < n; start += BATCH) {
      const docs = [];
      for (let i = start; i < Math.min(n, start + BATCH); i++) {
        const _id = ObjectId.createFromTime(Math.floor(t0 / 1000) + i);
        if (i % 997 === 0) ids.push(_id);
        docs.push({
          _id,
          at: new Date(t0 + i * 1000),
          requestId: `req_${i}`,
          actor: { kind: 'staff', id: `usr_${i % 50}`, roles: ['agent'] },
          purpose: PURPOSES[i % PURPOSES.length],
          taskId: null,
          operationName: 'CustomerView',
          subjectType: 'Customer',
          subjectId: `cus_${i % 10_000}`,
          fieldsRead: ['fullName', 'email'],
          fieldsDenied: [],
          fieldsWritten: [],
          decision: 'allowed',
        });
      }
      await log.insertMany(docs, { ordered: false });
    }
  });
  rate('load (insertMany batches of 10,000, 3 secondary indexes)', n, tLoad);
  if (embedded) {
    gc?.();
    const heap = process.memoryUsage().heapUsed - heapBefore;
    const how = gc ? 'after a full GC' : 'without a GC: run with node --expose-gc for the live size';
    print(`${'heap used by the collection and its indexes'.padEnd(64)} ${(heap / 2 ** 20).toFixed(0).padStart(9)} MB  (${Math.round(heap / n)} bytes per entry, ${how})`);
  }
  const RUNS = 7;
  // Loading a million documents leaves the collector busy for a while: start the figures after a full GC.
  gc?.();
  const newest = await log.find({}).sort({ _id: -1 }).limit(101).toArray();
  const cursor = newest[100]._id;
  figure('page of 100 newest, whole log (sort _id desc, limit 101)', await median(RUNS, () => log.find({}).sort({ _id: -1 }).limit(101).toArray()));
  figure('next page, whole log (_id < cursor)', await median(RUNS, () => log.find({ _id: { $lt: cursor } }).sort({ _id: -1 }).limit(101).toArray()));
  figure(
    'page of 100 newest of one subject ({ $and: [{}, { subjectId }] })',
    await median(RUNS, () => log.find({ $and: [{}, { subjectId: 'cus_4242' }] }).sort({ _id: -1 }).limit(101).toArray()),
  );
  figure(
    `next page of one purpose (${Math.round(n / PURPOSES.length).toLocaleString('en-US')} entries)`,
    await median(RUNS, () => log.find({ $and: [{ purpose: 'audit' }, { _id: { $lt: cursor } }] }).sort({ _id: -1 }).limit(101).toArray()),
  );
  figure('page of one actor (dotted path actor.id)', await median(RUNS, () => log.find({ 'actor.id': 'usr_7' }).sort({ _id: -1 }).limit(101).toArray()));
  figure('countDocuments of one subject', await median(RUNS, () => log.countDocuments({ $and: [{}, { subjectId: 'cus_4242' }] })));
  figure('countDocuments of one purpose', await median(RUNS, () => log.countDocuments({ purpose: 'audit' })));
  figure('countDocuments of the whole log', await median(RUNS, () => log.countDocuments({})));
  const thousand = ids.slice(0, 1000);
  figure(`find by $in of ${thousand.length} _ids`, await median(RUNS, () => log.find({ _id: { $in: thousand } }).toArray()));
  figure(
    'aggregate [$match subjectId, $sort _id desc, $limit 100]',
    await median(RUNS, () => log.aggregate([{ $match: { subjectId: 'cus_77' } }, { $sort: { _id: -1 } }, { $limit: 100 }]).toArray()),
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
