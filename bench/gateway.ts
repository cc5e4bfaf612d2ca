/**
 * `npm run bench`: the gateway against what a team would build instead, over HTTP.
 *
 * The store runs in its own process (`npm run store`), each server in its own process with
 * NODE_ENV=production: `plain` (Apollo 5 + mongoose, the same decryption, no policy, no log),
 * `shield` (plain + a graphql-shield rule on every Customer field), `log` (plain + one record per
 * row) and `product` (the gateway). autocannon drives one variant at a time, in rounds that
 * alternate between variants (the order rotates each round) so that drift hits all alike. Each
 * round prints req/s, p50 and p99 from autocannon and the CPU per request of the server and of the
 * store (from /proc); ratios are taken round by round and reported as median [min–max].
 *
 *   npm run bench                       every persona at 10, 50 and 200 rows; exits 1 under target
 *   npm run bench -- --quick            everything in this process, at 50 rows (support unless --personas), no gate
 *   npm run bench -- --profile          also writes a CPU profile of the product under load
 *   options: --rounds 4 --seconds 3 --connections 8 --personas support,marketing,care --sizes 10,50,200 --no-gate
 */
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { generateSigningKey } from '../src/audit/tlog/signingKey';
import { signToken } from '../src/auth/tokens';
import { loadConfig } from '../src/config';
import { systemWrite } from '../src/core/writeScope';
import { EmbeddedMongoServer } from '../src/db/embedded';
import { setLogLevel } from '../src/logger';
import { startGateway } from '../src/server/startGateway';
import { taskModel } from '../src/tasks';
import { summariseProfile } from './cpuProfile';
import { startPlainServer } from './plainServer';

/** Benchmarks print their figures on stdout (no customer data here). */
const print = (line: string) => process.stdout.write(line + '\n');

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    'no-gate': { type: 'boolean', default: false },
    rounds: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '8' },
    personas: { type: 'string' },
    sizes: { type: 'string', default: '10,50,200' },
  },
});
const positive = (name: string, raw: string): number => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got "${raw}"`);
  return n;
};
const QUICK = args.quick!;
const ROUNDS = QUICK ? 2 : positive('rounds', args.rounds!);
const SECONDS = QUICK ? 2 : positive('seconds', args.seconds!);
const CONNECTIONS = positive('connections', args.connections!);
const SIZES = (QUICK ? '50' : args.sizes!).split(',').map((s) => positive('sizes', s));

const VARIANTS = ['plain', 'shield', 'log', 'product'] as const;
type Variant = (typeof VARIANTS)[number];
/** The variants --profile profiles, under the same load one after the other. */
const PROFILED: readonly Variant[] = ['product', 'plain'];

interface Persona {
  name: string;
  sub: string;
  role: string;
  purpose: string;
  task?: string;
  fields: string;
}
const PERSONAS: Persona[] = [
  { name: 'support', sub: 'alice', role: 'support-agent', purpose: 'customer-support', task: 'tsk_bench_support',
    fields: 'id fullName email phone segment loyaltyTier preferences address { street city postalCode country } consents { key granted }' },
  { name: 'marketing', sub: 'mia', role: 'marketing-specialist', purpose: 'marketing', fields: 'id fullName email segment loyaltyTier preferences' },
  { name: 'care', sub: 'carla', role: 'care-advisor', purpose: 'care', task: 'tsk_bench_care', fields: 'id fullName phone health { conditions notes }' },
];
const personas = (args.personas ?? (QUICK ? 'support' : 'support,marketing,care')).split(',').map((name) => {
  const p = PERSONAS.find((x) => x.name === name);
  if (!p) throw new Error(`--personas: unknown persona "${name}" (support, marketing, care)`);
  return p;
});

/** Targets (issue 11): at 50 rows for support and marketing; at 200 rows against shield. */
const TARGET = { plainThroughput: 0.9, plainP99: 1.3, shield50: 1.5, shield200: 2 };

interface Round {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  /** CPU ms per request of the server process and of the store process (null in --quick). */
  serverCpu: number | null;
  storeCpu: number | null;
}

const CLK_TCK = 100;
/** utime + stime of a process, in ms (Linux /proc). */
function cpuMs(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(rest[11]) + Number(rest[12])) * 1000) / CLK_TCK;
  } catch {
    return null;
  }
}

interface Child {
  proc: ChildProcess;
  url: string;
}

/** Starts `node --import tsx <script>` and resolves with the first stdout line matching `ready`. */
function startChild(script: string, argv: string[], env: NodeJS.ProcessEnv, ready: RegExp, nodeArgs: string[] = []): Promise<Child> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script, ...argv], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = ready.exec(out);
      if (m) {
        proc.stdout!.off('data', onData);
        proc.stdout!.resume();
        resolve({ proc, url: m[1] });
      }
    };
    proc.stdout!.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`${script} exited with ${code} before it was ready`)));
  });
}

function stopChild(child: Child): Promise<void> {
  return new Promise((resolve) => {
    if (child.proc.exitCode !== null) return resolve();
    child.proc.once('exit', () => resolve());
    child.proc.kill('SIGTERM');
  });
}

const queryOf = (p: Persona, size: number) => `query Bench { customers(first: ${size}) { edges { node { ${p.fields} } } } }`;

function headersOf(p: Persona, secret: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    authorization: `Bearer ${signToken(secret, { kind: 'staff', sub: p.sub, roles: [p.role] }, '12h')}`,
    'x-purpose': p.purpose,
    ...(p.task ? { 'x-task-id': p.task } : {}),
  };
}

/** One request, checked: every variant must answer the same data without errors. */
async function answer(url: string, p: Persona, size: number, secret: string): Promise<string> {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: headersOf(p, secret), body: JSON.stringify({ query: queryOf(p, size), operationName: 'Bench' }) });
  const text = await res.text();
  const json = JSON.parse(text) as { data?: { customers?: { edges: unknown[] } }; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  if (res.status !== 200 || json.errors || !json.data?.customers) {
    throw new Error(`bench: ${url} answered ${res.status} ${json.errors?.map((e) => e.extensions?.code ?? e.message).join(', ') ?? ''} for ${p.name}`);
  }
  return text;
}

async function round(url: string, p: Persona, size: number, secret: string, expectBody: string, pids: { server?: number; store?: number }): Promise<Round> {
  const s0 = cpuMs(pids.server);
  const d0 = cpuMs(pids.store);
  const result = await autocannon({
    url: `${url}/graphql`, method: 'POST', connections: CONNECTIONS, duration: SECONDS, headers: headersOf(p, secret),
    body: JSON.stringify({ query: queryOf(p, size), operationName: 'Bench' }), expectBody,
  });
  const s1 = cpuMs(pids.server);
  const d1 = cpuMs(pids.store);
  const total = result.requests.total;
  if (result.non2xx || result.errors || result.timeouts || (result as { mismatches?: number }).mismatches) {
    throw new Error(`bench: ${url} had ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts, ${(result as { mismatches?: number }).mismatches} wrong bodies`);
  }
  return {
    requests: total,
    rps: total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    serverCpu: s0 !== null && s1 !== null ? (s1 - s0) / total : null,
    storeCpu: d0 !== null && d1 !== null ? (d1 - d0) / total : null,
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const f1 = (n: number | null) => (n === null ? '   -' : n.toFixed(1).padStart(6));
const spread = (xs: number[]) => `${median(xs).toFixed(2)} [${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}]`;

interface Setup {
  /** Profiles the product process while `load` runs (not in --quick). */
  profile?: (variant: Variant | 'store', load: () => Promise<number>) => Promise<number>;
  urls: Record<Variant, string>;
  pids: Record<Variant | 'store', number | undefined>;
  secret: string;
  stop(): Promise<void>;
}

/** Seeds the demo data (1,000 customers) and a task over all of them for each persona that needs one. */
async function seed(env: Record<string, string>): Promise<void> {
  const seeding = await startGateway(loadConfig({ ...env, NODE_ENV: 'development', SEED_DEMO: '1', PORT: '0' }));
  const tasks = taskModel(seeding.services.conn);
  const ids = (await seeding.services.conn.collection('customers').find({}, { projection: { _id: 1 } }).toArray()).map((c) => String(c._id));
  await systemWrite('bench: tasks over every customer', async () => {
    for (const p of PERSONAS.filter((x) => x.task)) {
      await tasks.create({ _id: p.task, purpose: p.purpose, customerIds: ids, assigneeIds: [p.sub], status: 'OPEN', openedBy: 'sam' });
    }
  });
  await seeding.stop();
}

async function setUp(profileDir: string | null): Promise<Setup> {
  const secret = randomBytes(32).toString('base64url');
  const base = {
    JWT_SECRET: secret, PSEUDONYM_KEY: randomBytes(32).toString('base64url'), MASTER_KEY: randomBytes(32).toString('base64'), DB_NAME: 'bench', KEY_VAULT_DB: 'bench-keys', LOG_LEVEL: 'warn',
    // RATE_LIMITS=off: the load is thousands of requests a minute from one token (the operation limits stay on).
    RATE_LIMITS: 'off',
    // The transparency log's key: required in production (the product variant runs with NODE_ENV=production).
    TLOG_SIGNING_KEY: generateSigningKey('bench.localhost/tlog').signingKey,
  };
  if (QUICK) {
    const store = await EmbeddedMongoServer.start({ host: '127.0.0.1', port: 0 });
    const env = { ...base, MONGODB_URI: store.uri, KEY_VAULT_URI: store.uri };
    await seed(env);
    const product = await startGateway(loadConfig({ ...env, NODE_ENV: 'production', PORT: '0', SEED_DEMO: '0' }));
    const plains = await Promise.all((['plain', 'shield', 'log'] as const).map((variant) =>
      startPlainServer({ variant, mongoUri: store.uri, dbName: env.DB_NAME, keyVaultDb: env.KEY_VAULT_DB, masterKey: env.MASTER_KEY, jwtSecret: secret })));
    return {
      urls: { plain: plains[0].url, shield: plains[1].url, log: plains[2].url, product: product.url },
      pids: { plain: undefined, shield: undefined, log: undefined, product: undefined, store: undefined },
      secret,
      async stop() {
        await Promise.all([product.stop(), ...plains.map((x) => x.stop())]);
        await store.stop();
      },
    };
  }
  const store = await startChild('bench/serve.ts', [], { LOG_LEVEL: 'warn', BENCH_VARIANT: 'store', ...(profileDir ? { BENCH_PROFILE: join(profileDir, 'store.cpuprofile') } : {}) }, /^READY (\S+)$/m);
  const env = { ...base, MONGODB_URI: store.url, KEY_VAULT_URI: store.url };
  await seed(env);
  const children = {} as Record<Variant, Child>;
  for (const variant of VARIANTS) {
    const profile = profileDir && PROFILED.includes(variant) ? { BENCH_PROFILE: join(profileDir, `${variant}.cpuprofile`) } : {};
    children[variant] = await startChild('bench/serve.ts', [], { ...env, ...profile, NODE_ENV: 'production', PORT: '0', SEED_DEMO: '0', BENCH_VARIANT: variant }, /^READY (\S+)$/m);
  }
  return {
    profile: async (variant, load) => {
      const proc = variant === 'store' ? store.proc : children[variant].proc;
      const written = new Promise<void>((resolve) => {
        const onData = (chunk: Buffer) => {
          if (chunk.toString().includes('PROFILED ')) {
            proc.stdout!.off('data', onData);
            resolve();
          }
        };
        proc.stdout!.on('data', onData);
      });
      proc.kill('SIGUSR2');
      const requests = await load();
      proc.kill('SIGUSR2');
      await written;
      return requests;
    },
    urls: Object.fromEntries(VARIANTS.map((v) => [v, children[v].url])) as Record<Variant, string>,
    pids: { ...Object.fromEntries(VARIANTS.map((v) => [v, children[v].proc.pid])), store: store.proc.pid } as Setup['pids'],
    secret,
    async stop() {
      await Promise.all(VARIANTS.map((v) => stopChild(children[v])));
      await stopChild(store);
    },
  };
}

async function main(): Promise<void> {
  setLogLevel('warn');
  const profileDir = args.profile ? join('bench', 'profiles', new Date().toISOString().replace(/[:.]/g, '-')) : null;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const setup = await setUp(profileDir);
  const failures: string[] = [];
  const profiled: Partial<Record<Variant, number>> = {};
  const storeProfiled: Partial<Record<Variant, number>> = {};
  try {
    print(`bench: ${QUICK ? 'quick mode, everything in one process' : 'store and each server in its own process, NODE_ENV=production'}; ` +
      `autocannon ${CONNECTIONS} connections, ${ROUNDS} rounds of ${SECONDS} s per variant, alternating; 1,000 customers, tasks over all of them`);
    for (const p of personas) {
      for (const size of SIZES) {
        const expected = await answer(setup.urls.product, p, size, setup.secret);
        for (const v of VARIANTS) {
          const got = await answer(setup.urls[v], p, size, setup.secret);
          if (JSON.stringify(JSON.parse(got)) !== JSON.stringify(JSON.parse(expected))) throw new Error(`bench: ${v} and product answer different data for ${p.name} at ${size} rows`);
        }
        const rows = (JSON.parse(expected) as { data: { customers: { edges: unknown[] } } }).data.customers.edges.length;
        const bodies = Object.fromEntries(await Promise.all(VARIANTS.map(async (v) => [v, await answer(setup.urls[v], p, size, setup.secret)]))) as Record<Variant, string>;
        for (const v of VARIANTS) await round(setup.urls[v], p, size, setup.secret, bodies[v], {}); // warm-up
        const rounds = Object.fromEntries(VARIANTS.map((v) => [v, [] as Round[]])) as Record<Variant, Round[]>;
        for (let r = 0; r < ROUNDS; r += 1) {
          for (let i = 0; i < VARIANTS.length; i += 1) {
            const v = VARIANTS[(i + r) % VARIANTS.length];
            rounds[v].push(await round(setup.urls[v], p, size, setup.secret, bodies[v], { server: setup.pids[v], store: setup.pids.store }));
          }
        }
        print('');
        print(`${p.name} (${p.role}, ${p.purpose}${p.task ? ', task over 1,000 customers' : ''}): customers(first: ${size}), ${rows} rows`);
        print('  variant     req/s   p50 ms   p99 ms   server CPU ms/req   store CPU ms/req');
        for (const v of VARIANTS) {
          const rs = rounds[v];
          const cpu = (k: 'serverCpu' | 'storeCpu') => (rs.every((x) => x[k] !== null) ? median(rs.map((x) => x[k]!)) : null);
          print(`  ${v.padEnd(9)} ${f1(median(rs.map((x) => x.rps)))}   ${f1(median(rs.map((x) => x.p50)))}   ${f1(median(rs.map((x) => x.p99)))}              ${f1(cpu('serverCpu'))}             ${f1(cpu('storeCpu'))}`);
        }
        const ratio = (a: Variant, b: Variant, k: 'rps' | 'p99' | 'p50') => rounds[a].map((x, i) => x[k] / rounds[b][i][k]);
        const vsPlain = ratio('product', 'plain', 'rps');
        const p99VsPlain = ratio('product', 'plain', 'p99');
        const vsShield = ratio('product', 'shield', 'rps');
        print(`  throughput product/plain ${spread(vsPlain)}   product/shield ${spread(vsShield)}   product/log ${spread(ratio('product', 'log', 'rps'))}`);
        print(`  latency (product/plain, lower is better) p50 ${spread(ratio('product', 'plain', 'p50'))}   p99 ${spread(p99VsPlain)}`);
        if (QUICK || args['no-gate']) continue;
        const name = `${p.name} at ${size} rows`;
        if (size === 50 && p.name !== 'care') {
          if (median(vsPlain) < TARGET.plainThroughput) failures.push(`${name}: product/plain throughput ${median(vsPlain).toFixed(2)} < ${TARGET.plainThroughput}`);
          if (median(p99VsPlain) > TARGET.plainP99) failures.push(`${name}: product/plain p99 ${median(p99VsPlain).toFixed(2)} > ${TARGET.plainP99}`);
          if (median(vsShield) < TARGET.shield50) failures.push(`${name}: product/shield throughput ${median(vsShield).toFixed(2)} < ${TARGET.shield50}`);
        }
        if (size === 200 && p.name !== 'care' && median(vsShield) < TARGET.shield200) failures.push(`${name}: product/shield throughput ${median(vsShield).toFixed(2)} < ${TARGET.shield200}`);
      }
    }
    if (profileDir && setup.profile) {
      // A steady load of the support persona at 50 rows on each profiled variant alone.
      const support = PERSONAS[0];
      for (const v of PROFILED) {
        const body = await answer(setup.urls[v], support, 50, setup.secret);
        // The server and the store are profiled one after the other, under the same load.
        const load = async () => {
          let n = 0;
          for (let i = 0; i < 2; i += 1) n += (await round(setup.urls[v], support, 50, setup.secret, body, {})).requests;
          return n;
        };
        profiled[v] = await setup.profile(v, load);
        storeProfiled[v] = await setup.profile('store', load);
        renameSync(join(profileDir, 'store.cpuprofile'), join(profileDir, `store-under-${v}.cpuprofile`));
      }
    }
  } finally {
    await setup.stop();
  }
  if (profileDir) {
    const load = (title: string, files: Array<{ v: string; file: string; requests: number }>) => {
      const summaries = files.map((f) => {
        if (!existsSync(f.file)) throw new Error(`bench: no CPU profile was written at ${f.file} (--profile needs the servers in their own processes, not --quick)`);
        return { ...f, summary: summariseProfile(f.file, 200) };
      });
      print('');
      print(`${title} (idle excluded): ${summaries.map((s) => s.file).join(', ')}`);
      print(`  CPU ms per request by area   ${summaries.map((s) => s.v.padStart(8)).join(' ')}`);
      const areas = [...new Set(summaries.flatMap((s) => s.summary.byArea.slice(0, 14).map((a) => a.area)))];
      const perReq = (s: (typeof summaries)[number], area: string) => (s.summary.byArea.find((a) => a.area === area)?.ms ?? 0) / Math.max(1, s.requests);
      areas.sort((a, b) => perReq(summaries[0], b) - perReq(summaries[0], a));
      for (const area of areas) print(`    ${area.padEnd(26)} ${summaries.map((s) => perReq(s, area).toFixed(2).padStart(8)).join(' ')}`);
      print(`    ${'total'.padEnd(26)} ${summaries.map((s) => (s.summary.totalMs / Math.max(1, s.requests)).toFixed(2).padStart(8)).join(' ')}`);
      for (const s of summaries) {
        print(`  ${s.v}: top functions (self time)`);
        for (const f of s.summary.byFunction.slice(0, 12)) print(`    ${(f.share * 100).toFixed(1).padStart(5)} %  ${f.name}  [${f.area}]`);
      }
    };
    load('CPU profiles of the servers under the support load at 50 rows', PROFILED.map((v) => ({ v, file: join(profileDir, `${v}.cpuprofile`), requests: profiled[v] ?? 0 })));
    load('CPU profiles of the store under the same loads', PROFILED.map((v) => ({ v, file: join(profileDir, `store-under-${v}.cpuprofile`), requests: storeProfiled[v] ?? 0 })));
  }
  if (failures.length) {
    print('');
    print('bench: BELOW TARGET');
    for (const f of failures) print(`  ${f}`);
    process.exit(1);
  }
  if (!QUICK && !args['no-gate']) print('\nbench: every target met');
}

main().catch((err: Error) => {
  console.error(`bench failed: ${err.message}`);
  process.exit(1);
});
