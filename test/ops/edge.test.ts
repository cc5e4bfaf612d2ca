/**
 * Observability wired into the HTTP edge of a real gateway: access lines with the request id (the
 * same id as the access-log record), GET /metrics behind METRICS_TOKEN holding the request,
 * latency, access-log flush and denial series after a few real requests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setLogSink } from '../../src/logger';
import { recordRateLimited, recordSequencerLag } from '../../src/server/observe';
import { startTestApp, type TestApp } from '../support/app';
import { gql } from '../support/graphql';
import { logEntries } from '../support/log';

const TOKEN = 'edge-test-scrape-token-0123456789';
let app: TestApp;
const lines: string[] = [];
let restore: ReturnType<typeof setLogSink>;

beforeAll(async () => {
  process.env.METRICS_TOKEN = TOKEN;
  restore = setLogSink((l) => lines.push(l));
  app = await startTestApp();
  delete process.env.METRICS_TOKEN;
});
afterAll(async () => {
  setLogSink(restore);
  await app?.stop();
});

const scrape = (token?: string) => fetch(`${app.url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

describe('the edge, observed', () => {
  it('writes one access line per request with its request id, and the same id is on the access-log record', async () => {
    const r = await fetch(`${app.url}/graphql?secret=should-not-appear`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${app.tokens.alice}`, 'x-purpose': 'customer-support', 'x-task-id': 'tsk_support_alice' },
      body: JSON.stringify({ query: '{ customer(id: "cus_0001") { id email } }' }),
    });
    expect(r.status).toBe(200);
    const id = r.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await new Promise((res) => setTimeout(res, 50));
    const access = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'request completed' && l.requestId === id);
    expect(access).toHaveLength(1);
    expect(access[0]).toMatchObject({ method: 'POST', route: '/graphql', status: 200, audience: 'staff' });
    const text = lines.filter((l) => l.includes(id!)).join('\n');
    expect(text).not.toContain('should-not-appear');
    expect(text).not.toContain(app.tokens.alice);
    expect(text).not.toContain('@'); // no email, no header
    const records = await logEntries(app, { requestId: id });
    expect(records.map((e) => e.subjectId)).toEqual(['cus_0001']);
  });

  it('serves /metrics only with the METRICS_TOKEN bearer', async () => {
    expect((await scrape()).status).toBe(401);
    expect((await scrape('wrong-token-0123456789abcdef')).status).toBe(401);
    expect((await scrape(TOKEN)).status).toBe(200);
  });

  it('holds requests by audience, purpose and code, latency, rows, flushes, denials, refusals and sequencer lag', async () => {
    await gql(app.url, '{ customers(first: 3) { edges { node { id fullName health { notes } } } } }', { token: app.tokens.bob, purpose: 'billing', task: 'tsk_billing_bob' });
    await gql(app.url, '{ customers(first: 3) { edges { node { id } } } }', { token: app.tokens.mia, purpose: 'billing' });
    await gql(app.url, '{ me { id } }', { token: app.tokens.customer, endpoint: '/self/graphql' });
    await gql(app.url, '{ customers(first: 1) { edges { node { id } } } }', { token: 'nope', endpoint: '/partner/graphql' });
    recordRateLimited('marketing');
    recordSequencerLag(1.5, 4);
    const body = await (await scrape(TOKEN)).text();
    const value = (series: string) => {
      const line = body.split('\n').find((l) => l.startsWith(series + ' '));
      return line ? Number(line.slice(series.length + 1)) : undefined;
    };
    expect(value('gateway_requests_total{audience="staff",purpose="billing",code="FORBIDDEN_FIELD"}')).toBe(1);
    expect(value('gateway_requests_total{audience="staff",purpose="none",code="PURPOSE_NOT_ALLOWED"}')).toBe(1);
    expect(value('gateway_requests_total{audience="self",purpose="self-service",code="OK"}')).toBe(1);
    expect(value('gateway_requests_total{audience="partner",purpose="none",code="UNAUTHENTICATED"}')).toBe(1);
    expect(value('gateway_requests_total{audience="staff",purpose="customer-support",code="OK"}')).toBeGreaterThanOrEqual(1);
    expect(value('gateway_request_duration_seconds_count{audience="staff"}')).toBeGreaterThanOrEqual(3);
    expect(value('gateway_rows_returned_total{audience="staff",purpose="billing"}')).toBe(3);
    expect(value('gateway_audit_flush_duration_seconds_count')).toBeGreaterThanOrEqual(4);
    expect(value('gateway_audit_flush_failures_total')).toBe(0);
    expect(value('gateway_denials_total{code="FORBIDDEN_FIELD"}')).toBe(1);
    expect(value('gateway_denials_total{code="PURPOSE_NOT_ALLOWED"}')).toBe(1);
    expect(value('gateway_denials_total{code="UNAUTHENTICATED"}')).toBe(1);
    expect(value('gateway_rate_limited_total{purpose="marketing"}')).toBe(1);
    expect(value('gateway_tlog_sequencer_lag_seconds')).toBe(1.5);
    expect(value('gateway_tlog_sequencer_pending_leaves')).toBe(4);
    expect(body).not.toMatch(/cus_\d|alice|bob|@/);
  });
});
