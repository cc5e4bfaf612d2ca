/**
 * `npm run bench:report`: privacyReport's time on an access log of REPORT_BENCH_N documents
 * (default 1,000,000), seeded through the raw driver (insertMany, batches of REPORT_BENCH_BATCH,
 * default 20,000) into the configured backend (MONGODB_URI, else a fresh embedded store in this
 * process), spread over 365 days, with consents, erasures and a disposal run beside it. Prints the
 * seed time and the report's time (wall and CPU time of a first run, then the median of REPORT_BENCH_RUNS more, default 3),
 * over the whole year and over 30 days. Figures only, no customer data.
 */
import 'reflect-metadata';
import { MongoClient, ObjectId, type Db } from 'mongodb';
import { loadPolicies } from '../src/policy';
import { computeReport, parseRange } from '../src/report';
import { startTestDatabase } from '../test/support/database';

const print = (line: string) => process.stdout.write(line + '\n');
const N = Number(process.env.REPORT_BENCH_N ?? 1_000_000);
const BATCH = Number(process.env.REPORT_BENCH_BATCH ?? 20_000);
const RUNS = Number(process.env.REPORT_BENCH_RUNS ?? 3);
const DAY = 86_400_000;
const START = Date.UTC(2025, 0, 1);
const PURPOSES = ['customer-support', 'billing', 'marketing', 'analytics', 'care', 'audit', 'privacy-request', 'order-fulfilment'];
const ROLES = ['support-agent', 'billing-agent', 'marketing-specialist', 'data-analyst', 'care-advisor', 'privacy-officer', 'supervisor'];
const FIELDS = [['id', 'fullName', 'email'], ['id', 'phone', 'address.city'], ['id', 'paymentCard.last4'], ['id', 'health.conditions'], ['id', 'segment', 'loyaltyTier']];
const CODES = ['PURPOSE_NOT_ALLOWED', 'TASK_REQUIRED', 'FORBIDDEN', 'CONSENT_REQUIRED'];

/** One access-log document as the recorder writes it (deterministic in i). */
function accessDoc(i: number) {
  const at = new Date(START + Math.floor((i / N) * 365 * DAY));
  const kind = i % 97 === 0 ? 'denied' : i % 11 === 0 ? 'partial' : 'allowed';
  const subjects = 1 + (i % 3);
  const subjectIds = Array.from({ length: subjects }, (_, k) => `cus_${String((i * 7 + k) % 10_000).padStart(4, '0')}`);
  const entry = kind === 'denied'
    ? { subjectType: 'Operation', subjectIds: [null], fieldsRead: [], fieldsDenied: [], fieldsWritten: [], decision: 'denied', code: CODES[i % CODES.length], reason: 'refused', k0: 0 }
    : { subjectType: 'Customer', subjectIds, fieldsRead: FIELDS[i % FIELDS.length], fieldsDenied: kind === 'partial' ? ['phone'] : [], fieldsWritten: [], decision: kind, k0: 0 };
  return {
    _id: ObjectId.createFromTime(Math.floor(at.getTime() / 1000)),
    at, requestId: `req_${i}`, actor: { kind: 'staff', id: `usr_${i % 60}`, roles: [ROLES[i % 60 % ROLES.length]] },
    purpose: kind === 'denied' && i % 2 ? null : PURPOSES[i % PURPOSES.length], taskId: null, operationName: 'Bench', audience: 'staff',
    phase: i % 50 === 0 ? 'intent' : 'request', entries: [entry], subjects: entry.subjectIds.length,
  };
}

async function seed(db: Db): Promise<number> {
  const log = db.collection('accessLog');
  await log.createIndexes([{ key: { at: 1 } }, { key: { purpose: 1, _id: -1 } }, { key: { 'actor.id': 1, _id: -1 } }, { key: { 'entries.subjectIds': 1, _id: -1 } }]);
  const t0 = performance.now();
  for (let start = 0; start < N; start += BATCH) {
    const docs = [];
    for (let i = start; i < Math.min(N, start + BATCH); i++) docs.push(accessDoc(i));
    await log.insertMany(docs, { ordered: false });
  }
  const ms = performance.now() - t0;
  await db.collection('consentEvents').insertMany(Array.from({ length: 20_000 }, (_, i) => ({
    customerId: `cus_${i % 10_000}`, key: ['marketing', 'analytics', 'health-data'][i % 3], granted: i % 4 !== 0, at: new Date(START + (i % 365) * DAY), source: 'self-service', textVersion: '2024-01',
  })));
  await db.collection('erasures').insertMany(Array.from({ length: 500 }, (_, i) => ({
    _id: `e${i}`, status: i % 10 ? 'DONE' : 'PENDING', requestedAt: new Date(START + (i % 365) * DAY), completedAt: i % 10 ? new Date(START + (i % 365) * DAY + 1000 * (i + 1)) : null, reason: 'bench', requestedBy: 'customer', steps: [],
  })) as never);
  await db.collection('disposalRuns').insertOne({ _id: 'run_bench' as never, startedAt: new Date(START + 100 * DAY), dryRun: false, status: 'DONE', items: [{ rule: 'closed-tasks', data: 'tasks', action: 'delete', count: 1234 }] });
  return ms;
}

/** CPU seconds of this process (user + system) since `from`: on a shared machine, wall time overstates. */
function cpuSince(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1e6;
}

async function timed(fn: () => Promise<unknown>): Promise<{ first: number; firstCpu: number; median: number | null }> {
  const once = async () => { const t = performance.now(); await fn(); return performance.now() - t; };
  const cpu = process.cpuUsage();
  const first = await once();
  const firstCpu = cpuSince(cpu);
  const rest: number[] = [];
  for (let i = 0; i < RUNS; i++) rest.push(await once());
  rest.sort((a, b) => a - b);
  return { first, firstCpu, median: rest.length ? rest[Math.floor(rest.length / 2)] : null };
}

async function main(): Promise<void> {
  const database = await startTestDatabase();
  const client = await MongoClient.connect(database.uri, { serverSelectionTimeoutMS: 10_000 });
  try {
    const db = client.db(database.dbName);
    print(`backend: ${process.env.MONGODB_URI ? 'MONGODB_URI' : 'embedded store (in this process)'}; ${N.toLocaleString('en-US')} access-log documents`);
    const seedCpu = process.cpuUsage();
    const seedMs = await seed(db);
    print(`seed (insertMany, batches of ${BATCH.toLocaleString('en-US')}, 4 indexes)`.padEnd(60)
      + `${(seedMs / 1000).toFixed(1).padStart(8)} s wall, ${cpuSince(seedCpu).toFixed(1)} s CPU  (${Math.round(N / (seedMs / 1000)).toLocaleString('en-US')} docs/s)`);
    const fields = loadPolicies().fields;
    for (const [label, from, to] of [['privacyReport, 365 days (every document)', '2025-01-01', '2025-12-31'], ['privacyReport, 30 days', '2025-06-01', '2025-06-30']] as const) {
      const range = parseRange(from, to);
      let entries = '';
      const t = await timed(async () => { entries = (await computeReport(db, range, fields)).accesses.entries; });
      const again = t.median === null ? '' : `, ${(t.median / 1000).toFixed(2)} s median of ${RUNS} more`;
      print(`${label}`.padEnd(60) + `${(t.first / 1000).toFixed(2).padStart(8)} s wall, ${t.firstCpu.toFixed(2)} s CPU${again}  (${entries} entries)`);
    }
    const mem = process.memoryUsage();
    print(`${'process memory (rss / heap used)'.padEnd(60)}${(mem.rss / 2 ** 30).toFixed(2).padStart(8)} GB / ${(mem.heapUsed / 2 ** 30).toFixed(2)} GB`);
  } finally {
    await client.close();
    await database.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
