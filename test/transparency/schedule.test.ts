/**
 * The gateway verifies the whole log on its own schedule (TLOG_VERIFY_MS) on the lease holder: the
 * outcome is kept in tlogVerifications; a failure (here a record changed through the raw driver)
 * is an error log line and the metrics gateway_tlog_verify_ok 0 / gateway_tlog_verify_failures_total.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { metrics } from '../../src/metrics';
import { startTestApp, type TestApp } from '../support/app';
import { gql } from '../support/graphql';
import { settled } from './support';

let app: TestApp;
let since: Date;
beforeAll(async () => {
  app = await startTestApp({ env: { TLOG_SEQUENCER: '1', TLOG_CHECKPOINT_MS: '200', TLOG_VERIFY_MS: '1500' } });
  for (let i = 0; i < 3; i++) await gql(app.url, '{ me { id } }', { token: app.tokens.customer, endpoint: '/self/graphql' });
  await settled(app.running.services.conn, ['accessLog', 'consentEvents', 'erasureEvents']);
  since = new Date();
}, 180_000);
afterAll(() => app?.stop());

async function nextVerification(after: Date, ok: boolean) {
  const coll = app.running.services.conn.collection('tlogVerifications');
  for (let i = 0; i < 300; i++) {
    const doc = await coll.findOne({ at: { $gt: after }, ok });
    if (doc) return doc;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no verification with ok ${ok}`);
}

const series = async (name: string) => {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(await metrics.text());
  return m ? Number(m[1]) : null;
};

describe('scheduled whole-log verification', () => {
  it('passes on an untouched log, then reports a changed record as a failure: kept, logged and counted', async () => {
    const good = await nextVerification(since, true);
    expect(good).toMatchObject({ ok: true });
    expect(good.records).toBeGreaterThan(0);
    expect(good.root).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(await series('gateway_tlog_verify_ok')).toBe(1);
    const failuresBefore = (await series('gateway_tlog_verify_failures_total')) ?? 0;

    const errors = vi.spyOn(process.stderr, 'write');
    const conn = app.running.services.conn;
    const doc = await conn.collection('accessLog').find().sort({ leaf: 1 }).limit(1).next();
    const t = new Date();
    await conn.collection('accessLog').updateOne({ _id: doc!._id }, { $set: { purpose: 'marketing' } });
    const bad = await nextVerification(t, false);
    expect(bad.failure).toContain(`record ${doc!._id.toHexString()}.0`);
    expect(await series('gateway_tlog_verify_ok')).toBe(0);
    expect(await series('gateway_tlog_verify_failures_total')).toBeGreaterThan(failuresBefore);
    expect(errors.mock.calls.map((c) => String(c[0])).some((line) => line.includes('transparency log verification FAILED'))).toBe(true);
    errors.mockRestore();

    // /readyz keeps its status and shows the failure in its detail.
    const ready = await fetch(`${app.url}/readyz`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as any;
    expect(body.detail.tlog.lastVerification.ok).toBe(false);
  }, 120_000);
});
