/**
 * Faults under load, on a real gateway over the embedded store: the store going away (suspend,
 * then back on the same port) and hanging; a policy file made invalid while running. Every request
 * answers within a few seconds, as 200 or 503 DATABASE_UNAVAILABLE / AUDIT_UNAVAILABLE (never a
 * 500), no row leaves without its access-log record, /readyz follows the store, and the gateway
 * recovers by itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoad, type LoadReport } from '../../bench/load/run';
import { EmbeddedMongoServer } from '../../src/db/embedded';
import { setLogSink } from '../../src/logger';
import { copyPolicies, type PolicyCopy } from '../policy/policyCopy';
import { startTestApp, type TestApp } from '../support/app';
import { codes, gql } from '../support/graphql';

let store: EmbeddedMongoServer;
let app: TestApp;
let policies: PolicyCopy;
const lines: string[] = [];
let restoreSink: ReturnType<typeof setLogSink>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  store = await EmbeddedMongoServer.start();
  policies = copyPolicies();
  restoreSink = setLogSink((l) => {
    if (!l.includes('"level":"info"')) lines.push(l);
  });
  process.env.REQUEST_DEADLINE_MS = '6000'; // the backstop: no request waits longer for an outage
  app = await startTestApp({ env: { MONGODB_URI: store.uri, KEY_VAULT_URI: store.uri, POLICIES_DIR: policies.dir, AUDIT_TIMEOUT_MS: '2000' } });
  delete process.env.REQUEST_DEADLINE_MS;
}, 60_000);
afterAll(async () => {
  await app?.stop();
  await store?.stop();
  setLogSink(restoreSink);
  policies?.remove();
});

async function readyz(): Promise<number> {
  return (await fetch(`${app.url}/readyz`, { signal: AbortSignal.timeout(5000) })).status;
}

/** Polls a real read (support agent, one customer) until it answers 200: the driver's pool is back, not just /readyz's ping. */
async function readsAgain(withinMs: number): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < withinMs) {
    const r = await gql(app.url, '{ customer(id: "cus_0001") { id } }', { token: app.tokens.alice, purpose: 'customer-support', task: 'tsk_support_alice' });
    if (r.status === 200) return;
    await sleep(200);
  }
  throw new Error(`reads did not answer 200 within ${withinMs} ms of the store's return`);
}

/** Polls /readyz until it answers `status`; resolves to the seconds it took. */
async function until(status: number, withinMs: number): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < withinMs) {
    if ((await readyz()) === status) return (Date.now() - t0) / 1000;
    await sleep(100);
  }
  throw new Error(`/readyz did not turn ${status} within ${withinMs} ms`);
}

const load = (seconds: number) =>
  runLoad({ urls: [app.url], jwtSecret: app.config.jwtSecret, pseudonymKey: app.config.pseudonymKey, policies: app.running.services.policies, conn: app.running.services.conn, clients: 4, requests: 5000, maxSeconds: seconds });

function expectFailClosed(r: LoadReport): void {
  const masked = lines.filter((l) => l.includes('unexpected error masked'));
  if (masked.length) console.info(masked.join('\n')); // class and file:line of a masked error, to fix it
  expect(r.leakSamples).toEqual([]);
  expect(r.unrecorded).toBe(0); // no row left without its record
  expect(Object.keys(r.statusByCode).filter((s) => s !== '200' && s !== '503')).toEqual([]);
  expect(Object.entries(r.firstMessage).filter(([c]) => !['FORBIDDEN_FIELD', 'DATABASE_UNAVAILABLE', 'AUDIT_UNAVAILABLE'].includes(c))).toEqual([]);
  expect(r.statusByCode['503']).toBeGreaterThan(0); // the fault did bite
  expect(r.statusByCode['200']).toBeGreaterThan(0);
}

describe('the store goes away during a load', () => {
  it('stopped: 503 within seconds, /readyz 503, no data without its record, recovery on the same port', async () => {
    const running = load(12);
    await sleep(2000);
    await store.suspend();
    const down = await until(503, 5000);
    await sleep(4000);
    await store.resume();
    const up = await until(200, 20_000);
    const r = await running;
    expectFailClosed(r);
    expect(r.maxMs).toBeLessThan(9000);
    await readsAgain(20_000);
    const after = await gql(app.url, '{ customer(id: "cus_0001") { id email } }', { token: app.tokens.alice, purpose: 'customer-support', task: 'tsk_support_alice' });
    expect(after.status).toBe(200);
    expect(after.data?.customer.email).toContain('@');
    console.info(`store stopped: ${r.requests} requests, HTTP ${JSON.stringify(r.statusByCode)}, codes ${JSON.stringify(r.errorsByCode)}, max ${r.maxMs.toFixed(0)} ms; readyz 503 after ${down} s, 200 ${up} s after resume`);
  }, 60_000);

  it('hung (accepts, never answers): 503 within seconds instead of waiting for the outage, then recovery', async () => {
    const running = load(14);
    await sleep(2000);
    store.hang();
    const down = await until(503, 5000);
    await sleep(6000);
    store.unhang();
    const up = await until(200, 20_000);
    const r = await running;
    expectFailClosed(r);
    expect(r.maxMs).toBeLessThan(12_000);
    await readsAgain(20_000);
    console.info(`store hung: ${r.requests} requests, HTTP ${JSON.stringify(r.statusByCode)}, codes ${JSON.stringify(r.errorsByCode)}, max ${r.maxMs.toFixed(0)} ms; readyz 503 after ${down} s, 200 ${up} s after unhang`);
  }, 60_000);

  it('a read during an outage is DATABASE_UNAVAILABLE with HTTP 503, never a 500, and carries no data', async () => {
    await store.suspend();
    try {
      const t0 = Date.now();
      const r = await gql(app.url, '{ customers(first: 3) { edges { node { id email } } } }', { token: app.tokens.mia, purpose: 'marketing' });
      expect(Date.now() - t0).toBeLessThan(8000);
      expect(r.status).toBe(503);
      expect(codes(r)[0]).toMatch(/^(DATABASE_UNAVAILABLE|AUDIT_UNAVAILABLE)$/);
      expect(r.data?.customers ?? null).toBeNull();
      const task = await gql(app.url, '{ customer(id: "cus_0001") { id } }', { token: app.tokens.alice, purpose: 'customer-support', task: 'tsk_support_alice' });
      expect(task.status).toBe(503); // the task lookup, while the context is built
      expect(codes(task)).toEqual(['DATABASE_UNAVAILABLE']);
      expect(JSON.stringify(task)).not.toMatch(/Mongo|127\.0\.0\.1|context creation/i);
    } finally {
      await store.resume();
    }
    await until(200, 20_000);
    await readsAgain(20_000);
  }, 60_000);
});

describe('a policy file changed while running', () => {
  const mia = () => gql(app.url, '{ customers(first: 2) { edges { node { id fullName email } } } }', { token: app.tokens.mia, purpose: 'marketing' });
  const emailDenied = (r: Awaited<ReturnType<typeof mia>>) => codes(r).includes('FORBIDDEN_FIELD');

  it('a valid change is applied without a restart', async () => {
    expect(emailDenied(await mia())).toBe(false);
    policies.edit('roles/marketing-specialist.yaml', 'fields: [fullName, email, segment', 'fields: [fullName, segment');
    const t0 = Date.now();
    while (!emailDenied(await mia()) && Date.now() - t0 < 10_000) await sleep(100);
    if (!emailDenied(await mia())) console.info(lines.join('\n'));
    expect(emailDenied(await mia())).toBe(true);
  });

  it('an invalid file keeps the last good policy and logs an error naming the file', async () => {
    const before = app.running.services.policies.version;
    lines.length = 0;
    policies.edit('roles/marketing-specialist.yaml', 'reason: Campaigns address', 'reson: Campaigns address');
    const t0 = Date.now();
    while (!lines.some((l) => l.includes('policy reload rejected')) && Date.now() - t0 < 10_000) await sleep(100);
    const error = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'policy reload rejected; the last good policy stays in force');
    expect(error).toMatchObject({ level: 'error' });
    expect(String(error!.error)).toContain('marketing-specialist.yaml');
    expect(app.running.services.policies.version).toBe(before);
    const r = await mia();
    expect(r.status).toBe(200);
    expect(emailDenied(r)).toBe(true); // still the last good policy: fullName yes, email no
    expect(r.data?.customers.edges[0].node.fullName).toEqual(expect.any(String));
  });
});
