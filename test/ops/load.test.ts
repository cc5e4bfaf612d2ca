/**
 * The short load and leak run of `npm run load`, in npm test: seven personas mixed over eight
 * concurrent clients against a real gateway; no attribute or row outside each persona's policy,
 * and every returned row has its access-log record (records equal rows).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoad } from '../../bench/load/run';
import { leakedPaths } from '../../bench/load/check';
import { allowedFields } from '../../bench/load/scenarios';
import { startTestApp, type TestApp } from '../support/app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ env: { LOG_LEVEL: 'warn' } });
});
afterAll(async () => {
  await app?.stop();
});

describe('load and leak', () => {
  it('the leak check catches an attribute outside the policy (the check itself can fail)', () => {
    const allowed = allowedFields(app.running.services.policies, 'data-analyst', 'analytics');
    expect(allowed.has('address.country')).toBe(true);
    expect(allowed.has('fullName')).toBe(false);
    expect(leakedPaths({ id: 'x', segment: 'a', address: { country: 'FR', street: null } }, allowed)).toEqual([]);
    expect(leakedPaths({ id: 'x', fullName: 'N', address: { country: 'FR', street: 'S' } }, allowed)).toEqual(['fullName', 'address.street']);
  });

  it('mixed personas, 8 clients, 140 requests: 0 leaks, records equal rows, no failure', async () => {
    const r = await runLoad({ urls: [app.url], jwtSecret: app.config.jwtSecret, pseudonymKey: app.config.pseudonymKey, policies: app.running.services.policies, conn: app.running.services.conn, clients: 8, requests: 140, maxSeconds: 90 });
    expect(r.leakSamples).toEqual([]);
    expect(r.leaks).toBe(0);
    expect(r.requests).toBe(140);
    expect(Object.keys(r.perPersona).sort()).toEqual(['alice', 'bob', 'carla', 'customer', 'dan', 'mia', 'shipfast']);
    expect(r.statusByCode).toEqual({ 200: 140 });
    // Partial answers are normal (FORBIDDEN_FIELD); nothing failed.
    expect(Object.keys(r.errorsByCode).filter((c) => c !== 'FORBIDDEN_FIELD')).toEqual([]);
    expect(r.rows).toBeGreaterThan(140);
    expect(r.records).toBe(r.rows);
    expect(r.mismatched).toBe(0);
    expect(r.unrecorded).toBe(0);
  }, 120_000);
});
