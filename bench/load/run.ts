/**
 * The load and leak run: N concurrent clients send M requests in all, the personas mixed, spread
 * over one or more gateways (loopback only). Every row is checked against the persona's allowed
 * attributes (policyMatrix) and its row scope (task, consent, self); then the access log is read
 * and each request's Customer subjects recorded are compared with the rows it returned.
 */
import type { Connection } from 'mongoose';
import { accessLogModel } from '../../src/audit';
import { isPseudonym, pseudonymOf } from '../../src/crypto/pseudonym';
import type { PolicySet } from '../../src/core/policyModel';
import { customerModel } from '../../src/customers/model';
import { taskModel } from '../../src/tasks';
import { leakedPaths } from './check';
import { scenarios, type Scenario } from './scenarios';

export interface LoadOptions {
  /** Gateway base URLs (loopback only); requests go round robin. */
  urls: string[];
  jwtSecret: string;
  policies: PolicySet;
  /** The gateways' database (to read tasks, consents and the access log). */
  conn: Connection;
  /** Concurrent clients (1..64). */
  clients: number;
  /** Requests in all (1..100 000). */
  requests: number;
  /** Stop sending after this many seconds (1..600). Default 120. */
  maxSeconds?: number;
  /** Rows per list query. Default 10. */
  first?: number;
  /** The gateways' PSEUDONYM_KEY: rows of pseudonymous purposes (analytics) are checked under their real ids. */
  pseudonymKey: string;
}

export interface LoadReport {
  requests: number;
  seconds: number;
  rps: number;
  p50ms: number;
  p95ms: number;
  /** The slowest answer (a fault test bounds it). */
  maxMs: number;
  /** Rows returned (Customer nodes), and Customer subjects recorded in the access log for those requests. */
  rows: number;
  records: number;
  /** Requests whose recorded subjects differ from the rows they returned. */
  mismatched: number;
  /** Rows returned without their access-log record (must be 0, faults or not). */
  unrecorded: number;
  /** Attribute or row-scope leaks (must be 0), with the first few described (names only, never values). */
  leaks: number;
  leakSamples: string[];
  /** Error codes seen (FORBIDDEN_FIELD is a normal partial answer), and requests per persona. */
  errorsByCode: Record<string, number>;
  statusByCode: Record<string, number>;
  /** The first message seen for each code (messages never carry attribute values). */
  firstMessage: Record<string, string>;
  perPersona: Record<string, number>;
}

function checkOptions(o: LoadOptions): void {
  const bound = (name: string, v: number, min: number, max: number) => {
    if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`load: ${name} must be an integer from ${min} to ${max}, got ${v}`);
  };
  bound('clients', o.clients, 1, 64);
  bound('requests', o.requests, 1, 100_000);
  bound('maxSeconds', o.maxSeconds ?? 120, 1, 600);
  if (!o.urls.length) throw new RangeError('load: give at least one gateway URL');
  for (const u of o.urls) {
    const host = new URL(u).hostname;
    if (!(host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host))) throw new RangeError(`load: gateways must be on loopback, got ${host}`);
  }
}

interface Sent {
  scenario: Scenario;
  requestId: string | null;
  ids: string[];
}

const inc = (m: Record<string, number>, k: string, n = 1) => (m[k] = (m[k] ?? 0) + n);

export async function runLoad(o: LoadOptions): Promise<LoadReport> {
  checkOptions(o);
  const list = scenarios(o.policies, o.jwtSecret, o.first ?? 10);
  const taskIds = list.flatMap((s) => (s.task ? [s.task] : []));
  const tasks = new Map((await taskModel(o.conn).find({ _id: { $in: taskIds } }).lean().exec()).map((t) => [t._id as string, new Set(t.customerIds as string[])]));
  const report: LoadReport = { requests: 0, seconds: 0, rps: 0, p50ms: 0, p95ms: 0, maxMs: 0, rows: 0, records: 0, mismatched: 0, unrecorded: 0, leaks: 0, leakSamples: [], errorsByCode: {}, statusByCode: {}, firstMessage: {}, perPersona: {} };
  const leak = (s: Scenario, what: string) => {
    report.leaks += 1;
    if (report.leakSamples.length < 10) report.leakSamples.push(`${s.persona} (${s.role}, ${s.purpose}): ${what}`);
  };
  const sent: Sent[] = [];
  const latencies: number[] = [];
  const deadline = Date.now() + (o.maxSeconds ?? 120) * 1000;
  let next = 0;
  const t0 = performance.now();
  const client = async () => {
    for (;;) {
      const n = next++;
      if (n >= o.requests || Date.now() > deadline) return;
      const s = list[n % list.length]!; // the same mix whatever the concurrency
      const url = o.urls[n % o.urls.length]!;
      const start = performance.now();
      let status = 0;
      let body: { data?: Record<string, any> | null; errors?: Array<{ message?: string; extensions?: { code?: string } }> } = {};
      let requestId: string | null = null;
      try {
        const res = await fetch(url + s.endpoint, { method: 'POST', headers: s.headers, body: JSON.stringify({ query: s.query }), signal: AbortSignal.timeout(30_000) });
        status = res.status;
        requestId = res.headers.get('x-request-id');
        body = (await res.json()) as typeof body;
      } catch (err) {
        inc(report.errorsByCode, `CLIENT_${(err as Error).name}`);
      }
      latencies.push(performance.now() - start);
      inc(report.statusByCode, String(status));
      inc(report.perPersona, s.persona);
      for (const e of body.errors ?? []) {
        const code = e.extensions?.code ?? 'NO_CODE';
        inc(report.errorsByCode, code);
        report.firstMessage[code] ??= String(e.message ?? '').slice(0, 200);
      }
      const rows = body.data ? s.rows(body.data) : [];
      const ids: string[] = [];
      for (const row of rows) {
        const id = String(row.id);
        ids.push(id);
        for (const path of leakedPaths(row, s.allowed)) leak(s, `attribute ${path} of a returned row`);
        if (s.task && !tasks.get(s.task)?.has(id)) leak(s, `row ${id} outside task ${s.task}`);
        if (s.self && id !== s.self) leak(s, `another customer's record (${id})`);
      }
      if (rows.length && status !== 200) leak(s, `rows returned with HTTP ${status}`);
      report.rows += rows.length;
      sent.push({ scenario: s, requestId, ids });
    }
  };
  await Promise.all(Array.from({ length: o.clients }, () => client()));
  report.seconds = (performance.now() - t0) / 1000;
  report.requests = sent.length;
  report.rps = report.requests / report.seconds;
  latencies.sort((a, b) => a - b);
  report.p50ms = latencies[Math.floor(latencies.length * 0.5)] ?? 0;
  report.p95ms = latencies[Math.floor(latencies.length * 0.95)] ?? 0;
  report.maxMs = latencies.at(-1) ?? 0;
  await realIds(o, sent, leak);
  await checkConsent(o, sent, leak);
  await compareRecords(o.conn, sent, report);
  return report;
}

/**
 * Rows of a pseudonymous purpose carry `psn_` ids: each must be the pseudonym of a real customer
 * (a real id there is a leak), and the checks below run on the real ids the log records.
 */
async function realIds(o: LoadOptions, sent: Sent[], leak: (s: Scenario, what: string) => void): Promise<void> {
  const purposes = [...new Set(sent.map((x) => x.scenario.purpose))].filter((p) => o.policies.purposes.get(p)?.pseudonymous);
  if (purposes.length === 0) return;
  const all = (await customerModel(o.conn).collection.find({}, { projection: { _id: 1 } }).toArray()).map((d) => String(d._id));
  for (const purpose of purposes) {
    const real = new Map(all.map((id) => [pseudonymOf(o.pseudonymKey, purpose, id), id]));
    for (const x of sent) {
      if (x.scenario.purpose !== purpose) continue;
      x.ids = x.ids.map((id) => {
        const r = real.get(id);
        if (!r) leak(x.scenario, isPseudonym(id) ? `an unknown pseudonym` : `a real customer id (${id}) under a pseudonymous purpose`);
        return r ?? id;
      });
    }
  }
}

/** Rows of a consent-bound purpose must belong to customers who granted that consent. */
async function checkConsent(o: LoadOptions, sent: Sent[], leak: (s: Scenario, what: string) => void): Promise<void> {
  const byScenario = new Map<Scenario, Set<string>>();
  for (const x of sent) {
    const consent = o.policies.purposes.get(x.scenario.purpose)?.consent;
    if (!consent || !x.ids.length) continue;
    const set = byScenario.get(x.scenario) ?? new Set();
    x.ids.forEach((id) => set.add(id));
    byScenario.set(x.scenario, set);
  }
  for (const [s, ids] of byScenario) {
    const consent = o.policies.purposes.get(s.purpose)!.consent!;
    const docs = await customerModel(o.conn).find({ _id: { $in: [...ids] } }, { consentState: 1 }).lean().exec();
    for (const d of docs) if ((d.consentState as Record<string, boolean> | undefined)?.[consent] !== true) leak(s, `row ${d._id} without consent ${consent}`);
  }
}

/** Customer subjects recorded (with fields read) per request, against the rows each returned. */
async function compareRecords(conn: Connection, sent: Sent[], report: LoadReport): Promise<void> {
  const byId = new Map(sent.filter((x) => x.requestId).map((x) => [x.requestId!, x]));
  const recorded = new Map<string, Set<string>>();
  const ids = [...byId.keys()];
  for (let i = 0; i < ids.length; i += 500) {
    const docs = await accessLogModel(conn).collection.find({ requestId: { $in: ids.slice(i, i + 500) }, phase: 'request' }, { projection: { requestId: 1, entries: 1 } }).toArray();
    for (const d of docs) {
      const set = recorded.get(d.requestId as string) ?? new Set<string>();
      for (const e of d.entries as Array<{ subjectType: string; subjectIds: (string | null)[]; fieldsRead: string[] }>) {
        if (e.subjectType === 'Customer' && e.fieldsRead.length > 0) for (const id of e.subjectIds) if (id) set.add(id);
      }
      recorded.set(d.requestId as string, set);
    }
  }
  for (const x of sent) {
    const got = x.requestId ? recorded.get(x.requestId) ?? new Set<string>() : new Set<string>();
    report.records += got.size;
    const same = got.size === new Set(x.ids).size && x.ids.every((id) => got.has(id));
    if (!same) report.mismatched += 1;
    report.unrecorded += x.ids.filter((id) => !got.has(id)).length;
  }
}

/** The report as printed by `npm run load`. */
export function formatReport(r: LoadReport): string {
  const codes = Object.entries(r.errorsByCode).sort().map(([k, v]) => `${k}=${v}`).join(' ') || 'none';
  const status = Object.entries(r.statusByCode).sort().map(([k, v]) => `${k}=${v}`).join(' ');
  return [
    `requests ${r.requests} in ${r.seconds.toFixed(1)} s (${r.rps.toFixed(1)} req/s, p50 ${r.p50ms.toFixed(0)} ms, p95 ${r.p95ms.toFixed(0)} ms, max ${r.maxMs.toFixed(0)} ms)`,
    `per persona: ${Object.entries(r.perPersona).map(([k, v]) => `${k}=${v}`).join(' ')}`,
    `HTTP status: ${status}`,
    `errors by code: ${codes}`,
    `rows returned ${r.rows}, access-log records ${r.records}, requests where they differ ${r.mismatched}, rows without their record ${r.unrecorded}`,
    `leaks ${r.leaks}${r.leakSamples.length ? `: ${r.leakSamples.join('; ')}` : ''}`,
  ].join('\n');
}
