/**
 * Store throughput, for the record: 10,000 small documents through the official driver against
 * the configured backend (MONGODB_URI, else a fresh embedded store). Prints figures only.
 */
import { MongoClient } from 'mongodb';
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
  } finally {
    await client.close();
    await database.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
