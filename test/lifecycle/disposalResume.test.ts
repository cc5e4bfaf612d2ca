/**
 * A disposal run stopped after any step, as a crash would, resumes to the same end state and the
 * same counts; a retention erasure a crash left half done is completed by the next run; and a real
 * SIGKILL of `npm run disposal:run` mid-run is completed by the next `npm run disposal:run`.
 */
import { execFile, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eraseCustomer, ErasureInterrupted } from '../../src/erasure';
import { DisposalInterrupted, disposalRunModel, disposalServicesOf, loadRetention, resumeDisposals, runDisposal, type DisposalRunDoc } from '../../src/lifecycle';
import { startTestApp, type TestApp } from '../support/app';
import { DISPOSED, leftOf, ONE_EACH, plant } from './plant';

const root = resolve(__dirname, '../..');
const RULES = loadRetention(join(root, 'policies')).rules.length;
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ env: { DISPOSAL_SCHEDULE: 'off', DISPOSAL_LEASE_MS: '1500' } });
}, 60_000);
afterAll(async () => app.stop());

const svc = () => disposalServicesOf(app.running.services);
const counts = (run: DisposalRunDoc) => run.items.map(({ rule, count }) => ({ rule, count }));
const runs = () => disposalRunModel(app.running.services.conn);

describe('a run stopped after step k, for every k, is resumed to the same end', () => {
  for (let k = 0; k <= RULES; k += 1) {
    it(`after step ${k}`, async () => {
      const planted = await plant(app, `k${k}`, `cus_00${30 + k}`);
      await expect(runDisposal(svc(), { stopAfter: k })).rejects.toThrow(DisposalInterrupted);
      const stopped = await runs().findOne({ status: 'RUNNING' }).lean<DisposalRunDoc>().exec();
      expect(stopped!.items.map((i) => i.rule)).toEqual(ONE_EACH.slice(0, k).map((i) => i.rule));
      const [resumed, ...more] = await resumeDisposals(svc());
      expect(more).toEqual([]);
      expect(resumed!._id).toBe(stopped!._id);
      expect(resumed!.status).toBe('DONE');
      expect(counts(resumed!)).toEqual(ONE_EACH);
      expect(await leftOf(app, planted)).toEqual(DISPOSED);
      expect(await resumeDisposals(svc())).toEqual([]);
    });
  }

  it('a retention erasure stopped half way is completed (and counted) by the next run', async () => {
    const planted = await plant(app, 'half', 'cus_0045');
    const { erasure } = svc();
    await expect(eraseCustomer(erasure, planted.inactive, { reason: 'retention', requestedBy: 'retention' }, { stopAfter: 2 })).rejects.toThrow(ErasureInterrupted);
    const { run } = await runDisposal(svc());
    expect(counts(run)).toEqual(ONE_EACH);
    expect(await leftOf(app, planted)).toEqual(DISPOSED);
  });
});

describe('npm run disposal:run', () => {
  const env = () => ({
    PATH: process.env.PATH ?? '', MONGODB_URI: app.db.uri, DB_NAME: app.db.dbName, KEY_VAULT_URI: app.db.uri, KEY_VAULT_DB: app.config.keyVaultDb,
    JWT_SECRET: app.config.jwtSecret, DISPOSAL_LEASE_MS: '1500', LOG_LEVEL: 'error',
  });
  const cli = (args: string[]) => new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/disposalRun.ts', ...args], { cwd: root, env: env() },
      (err, stdout, stderr) => done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });

  it('killed with SIGKILL mid-run, the next run completes it', async () => {
    const planted = await plant(app, 'kill', 'cus_0047');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/disposalRun.ts', '--pause-after', '4'], { cwd: root, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stderr.on('data', (b: Buffer) => { out += b.toString(); });
    await new Promise<void>((ok, fail) => {
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        if (/paused after step 4/.test(out)) ok();
      });
      child.on('exit', (code) => fail(new Error(`disposal:run exited (${code}) before pausing: ${out}`)));
    });
    const exited = new Promise((ok) => child.on('exit', ok));
    child.kill('SIGKILL');
    await exited;
    const killed = await runs().findOne({ status: 'RUNNING' }).lean<DisposalRunDoc>().exec();
    expect(killed!.items.map((i) => i.rule)).toEqual(ONE_EACH.slice(0, 4).map((i) => i.rule));
    const left = await leftOf(app, planted);
    expect(left).toMatchObject({ customer: 0, oldTask: 0, sent: 0, expired: 0, oldCode: 1, accessLogPruned: false });

    const r = await cli([]); // waits for the killed holder's lease to expire
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`disposal:run: resumed ${killed!._id}: DONE, 10 record(s)`);
    expect(r.stdout).toMatch(/disposal:run: run run_\S+: DONE, 0 record\(s\)/);
    const done = await runs().findById(killed!._id).lean<DisposalRunDoc>().exec();
    expect(counts(done!)).toEqual(ONE_EACH);
    expect(await leftOf(app, planted)).toEqual(DISPOSED);
  }, 60_000);

  it('a dry run prints the counts per rule and changes nothing', async () => {
    const planted = await plant(app, 'dry', 'cus_0046');
    const before = await leftOf(app, planted);
    const r = await cli(['--dry-run']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^disposal:run: run run_\S+ \(dry run\): DONE, 10 record\(s\)\n/);
    expect(r.stdout).toMatch(/ {2}inactive-customers +customers +erase +1\n/);
    expect(r.stdout).toMatch(/ {2}access-log +accessLog +prune +1\n/);
    expect(await leftOf(app, planted)).toEqual(before);
  });

  it('without MONGODB_URI it says what is missing', async () => {
    const r = await new Promise<{ code: number; stderr: string }>((done) => {
      execFile(process.execPath, ['--import', 'tsx', 'src/cli/disposalRun.ts'], { cwd: root, env: { PATH: process.env.PATH ?? '' } },
        (err, _o, stderr) => done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr }));
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('MONGODB_URI is required');
  });
});
