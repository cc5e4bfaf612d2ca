/**
 * The disposal job inside the gateway: DISPOSAL_SCHEDULE validated up front (default, off, a bad
 * expression refused naming the variable), the croner job runs the schedule on two instances of one
 * database without two runs at once, and a bad retention.yaml stops the gateway from starting.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_DISPOSAL_SCHEDULE, loadConfig } from '../../src/config';
import { LocalKeyProvider } from '../../src/crypto';
import { disposalRunModel, type DisposalRunDoc } from '../../src/lifecycle';
import { PolicyLoadError } from '../../src/policy';
import { startGateway, type RunningGateway } from '../../src/server/startGateway';
import { copyPolicies } from '../policy/policyCopy';
import { startTestApp, type TestApp } from '../support/app';

const base = { JWT_SECRET: randomBytes(32).toString('base64url'), MONGODB_URI: 'mongodb://127.0.0.1:1/x' };

describe('DISPOSAL_SCHEDULE and DISPOSAL_LEASE_MS', () => {
  it('default every day at 03:00 UTC, `off` turns the job off, a cron expression is taken as is', () => {
    expect(DEFAULT_DISPOSAL_SCHEDULE).toBe('0 3 * * *');
    expect(loadConfig(base).disposalSchedule).toBe('0 3 * * *');
    expect(loadConfig({ ...base, DISPOSAL_SCHEDULE: 'off' }).disposalSchedule).toBeNull();
    expect(loadConfig({ ...base, DISPOSAL_SCHEDULE: '30 2 * * 0' }).disposalSchedule).toBe('30 2 * * 0');
    expect(loadConfig(base).disposalLeaseMs).toBe(300_000);
  });
  it('a bad value is refused up front, naming the variable, the rule and what was received', () => {
    expect(() => loadConfig({ ...base, DISPOSAL_SCHEDULE: 'daily' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, DISPOSAL_SCHEDULE: 'daily' })).toThrow('Invalid configuration DISPOSAL_SCHEDULE: must be a cron expression or off (expected e.g. "0 3 * * *"');
    expect(() => loadConfig({ ...base, DISPOSAL_SCHEDULE: '61 * * * *' })).toThrow('received "61 * * * *"');
    expect(() => loadConfig({ ...base, DISPOSAL_LEASE_MS: '10' })).toThrow('Invalid configuration DISPOSAL_LEASE_MS: must be an integer in range (expected 1000..86400000, received "10")');
  });
});

describe('the schedule inside the gateway', () => {
  let app: TestApp;
  let second: RunningGateway | null = null;
  const keyProvider = new LocalKeyProvider(randomBytes(32));
  beforeAll(async () => {
    app = await startTestApp({ env: { DISPOSAL_SCHEDULE: '* * * * * *', DISPOSAL_LEASE_MS: '5000' }, keyProvider });
  }, 60_000);
  afterAll(async () => {
    await second?.stop().catch(() => undefined);
    await app.stop();
  });

  it('runs the disposal job on its own, one run at a time across two instances', async () => {
    second = await startGateway(app.config, { keyProvider });
    const runs = disposalRunModel(app.running.services.conn);
    const deadline = Date.now() + 15_000;
    let seen: DisposalRunDoc[] = [];
    while (Date.now() < deadline) {
      seen = await runs.find({ status: 'DONE' }).sort({ startedAt: 1 }).lean<DisposalRunDoc[]>().exec();
      if (seen.length >= 3) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(seen.length).toBeGreaterThanOrEqual(3);
    // No two runs overlap: each starts after the previous one finished.
    for (let i = 1; i < seen.length; i += 1) expect(seen[i]!.startedAt.getTime()).toBeGreaterThanOrEqual(seen[i - 1]!.finishedAt!.getTime());
    expect(seen.every((r) => r.dryRun === false && r.items.length === 10)).toBe(true);
  }, 30_000);

  it('a bad retention.yaml stops the gateway from starting, naming file and key', async () => {
    const copy = copyPolicies();
    try {
      copy.edit('retention.yaml', 'keepFor: P1Y\n    after: closed', 'keepFor: one year\n    after: closed');
      const err = await startGateway({ ...app.config, policiesDir: copy.dir, disposalSchedule: null }, { keyProvider }).then(() => null, (e: Error) => e);
      expect(err).toBeInstanceOf(PolicyLoadError);
      expect(err!.message).toContain('retention.yaml: rules.closed-tasks.keepFor: must be an ISO 8601 duration');
    } finally {
      copy.remove();
    }
  });
});
