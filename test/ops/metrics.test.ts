import type { AddressInfo } from 'node:net';
import express from 'express';
import { register as promGlobalRegister } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config';
import {
  AUDIENCE_LABELS,
  CODE_LABELS,
  createMetrics,
  metricsHandler,
  metricsTokenFromEnv,
  type GatewayMetrics,
} from '../../src/metrics';
import { loadPolicies } from '../../src/policy';
import { ErrorCode } from '../../src/core/errors';

const TOKEN = 'scrape-token-0123456789abcdef';

async function serve(m: GatewayMetrics, token?: string) {
  const app = express();
  app.get('/metrics', metricsHandler({ metrics: m, token }));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(r)) };
}

/** Parses the exposition into { "name{labels}": value }, labels sorted. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not an exposition line: ${line}`);
    const labels = m[2] ? m[2].split(/,(?=[a-z_]+=")/).sort().join(',') : '';
    out.set(labels ? `${m[1]}{${labels}}` : m[1], Number(m[3]));
  }
  return out;
}

describe('/metrics', () => {
  const policies = loadPolicies('policies');
  const m = createMetrics({ purposes: policies.purposes.keys() });
  let srv: Awaited<ReturnType<typeof serve>>;
  let text = '';

  beforeAll(async () => {
    m.requestDone({ audience: 'staff', purpose: 'billing', code: 'OK', seconds: 0.004, rows: 3 });
    m.requestDone({ audience: 'staff', purpose: 'billing', code: 'OK', seconds: 0.2, rows: 1 });
    m.requestDone({ audience: 'staff', purpose: 'billing', code: 'FORBIDDEN_FIELD', seconds: 0.03, rows: 2 });
    m.requestDone({ audience: 'self', purpose: 'self-service', code: 'OK', seconds: 7, rows: 1 });
    m.requestDone({ audience: 'partner', purpose: null, code: 'UNAUTHENTICATED', seconds: 0.0005 });
    // What a careless caller might pass: a customer id, an email, a made-up purpose and code.
    m.requestDone({ audience: 'cus_42', purpose: 'a@b.example', code: 'SOMETHING_ELSE', seconds: 0.001 });
    m.requestDone({ audience: 'staff', purpose: 'not-in-catalogue', code: 'OK', seconds: 0.001 });
    m.auditFlush(0.012, true);
    m.auditFlush(5.0, false);
    m.sequencerLag({ seconds: 2.5, leaves: 17 });
    m.rateLimited('marketing');
    m.rateLimited('cus_42');
    m.denial('FORBIDDEN_FIELD', 3);
    m.denial('FORBIDDEN');
    m.denial('alice@corp.example');
    srv = await serve(m);
    const res = await fetch(`${srv.base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    text = await res.text();
  });
  afterAll(() => srv?.close());

  it('holds the request counter by audience, purpose and code, mapping anything unknown to other', () => {
    const s = samples(text);
    expect(s.get('gateway_requests_total{audience="staff",code="OK",purpose="billing"}')).toBe(2);
    expect(s.get('gateway_requests_total{audience="staff",code="FORBIDDEN_FIELD",purpose="billing"}')).toBe(1);
    expect(s.get('gateway_requests_total{audience="self",code="OK",purpose="self-service"}')).toBe(1);
    expect(s.get('gateway_requests_total{audience="partner",code="UNAUTHENTICATED",purpose="none"}')).toBe(1);
    expect(s.get('gateway_requests_total{audience="other",code="other",purpose="other"}')).toBe(1);
    expect(s.get('gateway_requests_total{audience="staff",code="OK",purpose="other"}')).toBe(1);
  });

  it('holds the latency histogram by audience with 1 ms to 10 s buckets', () => {
    const s = samples(text);
    expect(s.get('gateway_request_duration_seconds_bucket{audience="staff",le="0.001"}')).toBe(1);
    expect(s.get('gateway_request_duration_seconds_bucket{audience="staff",le="0.005"}')).toBe(2);
    expect(s.get('gateway_request_duration_seconds_bucket{audience="staff",le="0.25"}')).toBe(4);
    expect(s.get('gateway_request_duration_seconds_count{audience="staff"}')).toBe(4);
    expect(s.get('gateway_request_duration_seconds_bucket{audience="self",le="5"}')).toBe(0);
    expect(s.get('gateway_request_duration_seconds_bucket{audience="self",le="10"}')).toBe(1);
    expect(s.get('gateway_request_duration_seconds_bucket{audience="partner",le="0.001"}')).toBe(1);
    expect(s.get('gateway_request_duration_seconds_sum{audience="self"}')).toBe(7);
  });

  it('holds rows, audit flushes, sequencer lag, rate-limit refusals and denials', () => {
    const s = samples(text);
    expect(s.get('gateway_rows_returned_total{audience="staff",purpose="billing"}')).toBe(6);
    expect(s.get('gateway_rows_returned_total{audience="self",purpose="self-service"}')).toBe(1);
    expect(s.get('gateway_audit_flush_duration_seconds_count')).toBe(2);
    expect(s.get('gateway_audit_flush_duration_seconds_bucket{le="0.025"}')).toBe(1);
    expect(s.get('gateway_audit_flush_failures_total')).toBe(1);
    expect(s.get('gateway_tlog_sequencer_lag_seconds')).toBe(2.5);
    expect(s.get('gateway_tlog_sequencer_pending_leaves')).toBe(17);
    expect(s.get('gateway_rate_limited_total{purpose="marketing"}')).toBe(1);
    expect(s.get('gateway_rate_limited_total{purpose="other"}')).toBe(1);
    expect(s.get('gateway_denials_total{code="FORBIDDEN_FIELD"}')).toBe(3);
    expect(s.get('gateway_denials_total{code="FORBIDDEN"}')).toBe(1);
    expect(s.get('gateway_denials_total{code="other"}')).toBe(1);
  });

  it('every gateway_ series is documented with HELP and TYPE', () => {
    const names = [...new Set([...text.matchAll(/^# TYPE (gateway_\w+) (\w+)$/gm)].map((x) => `${x[1]} ${x[2]}`))].sort();
    expect(names).toEqual([
      'gateway_audit_flush_duration_seconds histogram',
      'gateway_audit_flush_failures_total counter',
      'gateway_denials_total counter',
      'gateway_rate_limited_total counter',
      'gateway_request_duration_seconds histogram',
      'gateway_requests_total counter',
      'gateway_rows_returned_total counter',
      'gateway_tlog_sequencer_lag_seconds gauge',
      'gateway_tlog_sequencer_pending_leaves gauge',
    ]);
    for (const n of names) expect(text).toMatch(new RegExp(`^# HELP ${n.split(' ')[0]} \\S`, 'm'));
  });

  it('no label is other than audience, purpose, code or le, and every value is from its closed set', () => {
    const purposes = new Set([...policies.purposes.keys(), 'none', 'other']);
    const allowed: Record<string, Set<string>> = {
      audience: new Set([...AUDIENCE_LABELS, 'other']),
      purpose: purposes,
      code: new Set([...CODE_LABELS, 'other']),
    };
    let checked = 0;
    for (const key of samples(text).keys()) {
      if (!key.startsWith('gateway_')) continue;
      for (const [, name, value] of key.matchAll(/([a-z_]+)="([^"]*)"/g)) {
        if (name === 'le') continue;
        expect(Object.keys(allowed)).toContain(name);
        expect(allowed[name].has(value)).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
    expect(text).not.toMatch(/cus_42|a@b\.example|alice|not-in-catalogue|SOMETHING_ELSE/);
  });

  it('includes the default process metrics, in its own registry (not prom-client\'s global one)', async () => {
    const s = samples(text);
    expect(s.get('process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(s.has('process_resident_memory_bytes')).toBe(true);
    expect([...s.keys()].some((k) => k.startsWith('nodejs_eventloop_lag_seconds'))).toBe(true);
    expect(await promGlobalRegister.metrics()).not.toContain('gateway_');
    const other = createMetrics({ defaultMetrics: false });
    expect(await other.text()).not.toMatch(/gateway_requests_total\{/);
    expect(await other.text()).not.toContain('process_cpu');
  });

  it('the code catalogue covers every ErrorCode of the server', () => {
    for (const code of Object.values(ErrorCode)) expect(CODE_LABELS).toContain(code);
  });

  it('setPurposes replaces the catalogue (a policy reload)', async () => {
    const fresh = createMetrics({ defaultMetrics: false });
    fresh.requestDone({ audience: 'staff', purpose: 'billing', code: 'OK', seconds: 0.01 });
    fresh.setPurposes(['billing']);
    fresh.requestDone({ audience: 'staff', purpose: 'billing', code: 'OK', seconds: 0.01 });
    const s = samples(await fresh.text());
    expect(s.get('gateway_requests_total{audience="staff",code="OK",purpose="other"}')).toBe(1);
    expect(s.get('gateway_requests_total{audience="staff",code="OK",purpose="billing"}')).toBe(1);
  });
});

describe('METRICS_TOKEN', () => {
  const m = createMetrics({ defaultMetrics: false });
  let srv: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    m.denial('FORBIDDEN');
    srv = await serve(m, TOKEN);
  });
  afterAll(() => srv?.close());

  it('is required on every scrape when set: 401 with WWW-Authenticate otherwise, nothing exposed', async () => {
    const attempts: (string | undefined)[] = [undefined, 'Bearer', `Bearer ${TOKEN.slice(0, -1)}`, `Bearer ${TOKEN}x`, `Basic ${TOKEN}`, TOKEN];
    for (const authorization of attempts) {
      const res = await fetch(`${srv.base}/metrics`, { headers: authorization ? { authorization } : {} });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
      expect(await res.text()).not.toContain('gateway_');
    }
    const ok = await fetch(`${srv.base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('gateway_denials_total{code="FORBIDDEN"} 1');
  });

  it('an open /metrics (no token) answers without Authorization', async () => {
    const open = await serve(m);
    try {
      const res = await fetch(`${open.base}/metrics`);
      expect(res.status).toBe(200);
    } finally {
      await open.close();
    }
  });

  it('shorter than 16 characters is a ConfigError naming the variable, the rule and the lengths, never the token', () => {
    expect(metricsTokenFromEnv({})).toBeUndefined();
    expect(metricsTokenFromEnv({ METRICS_TOKEN: '' })).toBeUndefined();
    expect(metricsTokenFromEnv({ METRICS_TOKEN: TOKEN })).toBe(TOKEN);
    const tooShort = 'sesame-open-15c';
    expect(tooShort.length).toBe(15);
    let err: unknown;
    try {
      metricsTokenFromEnv({ METRICS_TOKEN: tooShort });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe('Invalid configuration METRICS_TOKEN: is too short (expected at least 16 characters, received 15 characters)');
    expect((err as Error).message).not.toContain(tooShort);
    expect(() => metricsHandler({ token: tooShort })).toThrow(/METRICS_TOKEN: is too short/);
    expect(() => metricsTokenFromEnv({ METRICS_TOKEN: 'sixteen chars ok' })).toThrow(/METRICS_TOKEN: must be printable ASCII without spaces/);
  });
});
