/**
 * `npm run load -- [--clients 8] [--requests 400] [--gateways 1|2] [--compare] [--max-seconds 120]`
 *
 * Starts the store as its own process (`npm run store`: development only, in memory) and one or
 * two gateways on it (loopback), then sends mixed persona requests (support with its task,
 * billing, marketing, analytics, care, partner ShipFast, customer) from N concurrent clients, M
 * requests in all, round robin over the gateways. Prints requests, errors by code, leaks (must
 * be 0) and access-log records against rows returned (must be equal); exits 1 otherwise.
 * `--compare`: the same load against one gateway, then two, and the throughput ratio, with the
 * CPU time per request of each process (figures are noisy on a shared machine).
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connectMongoose } from '../src/db/connect';
import { PartnerRegistry } from '../src/partners';
import { loadPolicies } from '../src/policy';
import { cpuMs, startGatewayProcess, startStore, stopChild, type Child } from './load/processes';
import { formatReport, runLoad, type LoadReport } from './load/run';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '8' },
    requests: { type: 'string', default: '400' },
    gateways: { type: 'string', default: '1' },
    compare: { type: 'boolean', default: false },
    'max-seconds': { type: 'string', default: '120' },
  },
});
const int = (name: string, raw: string | undefined, min: number, max: number): number => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    process.stderr.write(`load: --${name} must be an integer from ${min} to ${max}, got "${raw}"\n`);
    process.exit(2);
  }
  return n;
};
const clients = int('clients', values.clients, 1, 64);
const requests = int('requests', values.requests, 1, 100_000);
const gateways = values.compare ? 2 : int('gateways', values.gateways, 1, 2);
const maxSeconds = int('max-seconds', values['max-seconds'], 1, 600);

async function main(): Promise<number> {
  const jwtSecret = randomBytes(32).toString('base64url');
  const store = await startStore();
  const pseudonymKey = randomBytes(32).toString('base64url');
  // RATE_LIMITS=off: one token per persona sends hundreds of requests a minute (the limits have their own tests).
  const env = {
    MONGODB_URI: store.url, KEY_VAULT_URI: store.url, DB_NAME: 'load', JWT_SECRET: jwtSecret, MASTER_KEY: randomBytes(32).toString('base64'), SEED_DEMO: '1',
    PSEUDONYM_KEY: pseudonymKey, RATE_LIMITS: 'off',
  };
  const gws: Child[] = [];
  try {
    for (let i = 0; i < gateways; i += 1) gws.push(await startGatewayProcess(env)); // one after the other: the first seeds
    const conn = await connectMongoose(store.url, 'load');
    const base = loadPolicies(process.env.POLICIES_DIR || 'policies');
    const policies = PartnerRegistry.load(join(process.env.POLICIES_DIR || 'policies', 'partners'), base).policies;
    const run = async (urls: string[], n: number): Promise<{ r: LoadReport; cpu: string }> => {
      const pids = [store, ...gws].map((c) => c.proc.pid);
      const before = pids.map(cpuMs);
      const r = await runLoad({ urls, jwtSecret, pseudonymKey, policies, conn, clients, requests: n, maxSeconds });
      const after = pids.map(cpuMs);
      const per = pids.map((_, i) => (before[i] !== null && after[i] !== null ? (after[i]! - before[i]!) / r.requests : null));
      const cpu = `CPU ms/request: store ${per[0]?.toFixed(1) ?? '?'}, ${gws.map((_, i) => `gateway ${i + 1} ${per[i + 1]?.toFixed(1) ?? '?'}`).join(', ')}`;
      return { r, cpu };
    };
    process.stdout.write(`load: store ${store.url} (own process), ${gws.length} gateway(s): ${gws.map((g) => g.url).join(' ')}; ${clients} clients, ${requests} requests\n`);
    await run(gws.map((g) => g.url), Math.min(50, requests)); // warm-up: JIT, schema caches
    const results: LoadReport[] = [];
    const phases = values.compare ? [[gws[0]!.url], gws.map((g) => g.url)] : [gws.map((g) => g.url)];
    for (const urls of phases) {
      const { r, cpu } = await run(urls, requests);
      results.push(r);
      process.stdout.write(`\n== ${urls.length} gateway(s)\n${formatReport(r)}\n${cpu}\n`);
    }
    if (values.compare) process.stdout.write(`\nthroughput two gateways / one gateway: ${(results[1]!.rps / results[0]!.rps).toFixed(2)} (same ${clients} clients)\n`);
    await conn.close();
    return results.every((r) => r.leaks === 0 && r.mismatched === 0 && r.unrecorded === 0) ? 0 : 1;
  } finally {
    for (const g of gws) await stopChild(g);
    await stopChild(store);
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`load failed: ${err.message}\n`);
    process.exit(1);
  },
);
