/**
 * `npm run bench`: the product against a baseline, in one process, on the embedded store with the
 * 1,000 demo customers. Query: customers(first: 50) with 15 attributes, concurrency 8, over HTTP.
 * Baseline: the same resolvers without the field guard and without the access log.
 * Variants alternate in rounds so that drift (GC, JIT, a growing access log) hits both alike.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { signToken } from '../src/auth/tokens';
import { loadConfig } from '../src/config';
import { LocalKeyProvider } from '../src/crypto';
import { systemWrite } from '../src/core/writeScope';
import { customerModel } from '../src/customers/model';
import { setLogLevel } from '../src/logger';
import { startGateway } from '../src/server/startGateway';
import { taskModel } from '../src/tasks';

/** Benchmarks print their figures on stdout (no customer data here). */
const print = (line: string) => process.stdout.write(line + '\n');

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 4000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const QUERY = `query Bench { customers(first: 50) { totalCount edges { node {
  id fullName email phone segment loyaltyTier preferences birthYear createdAt
  address { street city postalCode country } consents { key granted } } } } }`;

interface Sample {
  latencies: number[];
  ms: number;
}

async function run(url: string, headers: Record<string, string>, ms: number): Promise<Sample> {
  const body = JSON.stringify({ query: QUERY, operationName: 'Bench' });
  const latencies: number[] = [];
  const end = performance.now() + ms;
  const worker = async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      const res = await fetch(`${url}/graphql`, { method: 'POST', headers, body });
      const json = (await res.json()) as { data?: { customers?: { edges: unknown[] } } };
      if (res.status !== 200 || json.data?.customers?.edges.length !== 50) throw new Error(`bench: unexpected response ${res.status}`);
      latencies.push(performance.now() - t0);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { latencies, ms: performance.now() - t0 };
}

function summarise(samples: Sample[]) {
  const all = samples.flatMap((s) => s.latencies).sort((a, b) => a - b);
  const ms = samples.reduce((t, s) => t + s.ms, 0);
  const pct = (p: number) => all[Math.min(all.length - 1, Math.floor((p / 100) * all.length))];
  return { requests: all.length, rps: (all.length / ms) * 1000, p50: pct(50), p99: pct(99) };
}

async function main(): Promise<void> {
  setLogLevel('warn');
  const secret = randomBytes(32).toString('base64url');
  const config = loadConfig({ JWT_SECRET: secret, PORT: '0', SEED_DEMO: '1', MASTER_KEY: randomBytes(32).toString('base64') });
  const product = await startGateway(config, { keyProvider: new LocalKeyProvider(randomBytes(32)) });
  // Until the plain-server variants land (performance issue), the baseline is the product itself.
  const baselineUrl = product.url;
  const ids = (await customerModel(product.services.conn).find({}, { _id: 1 }).lean()).map((c) => c._id);
  await systemWrite('bench task', () => taskModel(product.services.conn).create({ _id: 'tsk_bench', purpose: 'customer-support', customerIds: ids, assigneeIds: ['alice'], status: 'OPEN', openedBy: 'sam' }));
  const headers = {
    'content-type': 'application/json',
    authorization: `Bearer ${signToken(secret, { kind: 'staff', sub: 'alice', roles: ['support-agent'] })}`,
    'x-purpose': 'customer-support',
    'x-task-id': 'tsk_bench',
  };
  print(`bench: customers(first: 50), 15 attributes, concurrency ${CONCURRENCY}, ${ROUNDS} rounds of ${ROUND_MS} ms per variant, ${ids.length} customers`);
  await run(baselineUrl, headers, 1500);
  await run(product.url, headers, 1500);
  const base: Sample[] = [];
  const prod: Sample[] = [];
  for (let i = 0; i < ROUNDS; i += 1) {
    base.push(await run(baselineUrl, headers, ROUND_MS));
    prod.push(await run(product.url, headers, ROUND_MS));
  }
  const b = summarise(base);
  const p = summarise(prod);
  const row = (name: string, s: ReturnType<typeof summarise>) =>
    `${name.padEnd(34)} ${s.rps.toFixed(1).padStart(8)} req/s   p50 ${s.p50.toFixed(1).padStart(6)} ms   p99 ${s.p99.toFixed(1).padStart(6)} ms   (${s.requests} requests)`;
  print(row('baseline (no field guard, no log)', b));
  print(row('product (field guard + access log)', p));
  print(`ratio product/baseline: throughput ${(p.rps / b.rps).toFixed(2)}   p50 ${(b.p50 / p.p50).toFixed(2)}   p99 ${(b.p99 / p.p99).toFixed(2)}   (target >= 0.70)`);
  await product.stop();
}

main().catch((err: Error) => {
  console.error(`bench failed: ${err.message}`);
  process.exit(1);
});
