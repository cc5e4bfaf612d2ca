import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalKeyProvider } from '../../src/crypto';
import { customerModel } from '../../src/customers/model';
import { eraseCustomer, ErasureInterrupted, erasureModel, erasureRef, erasureServicesOf, erasureStepNames, resumeErasures, type ErasureDoc } from '../../src/erasure';
import { CAPABILITIES } from '../../src/server/capabilities';

const ERASURE_STEP_NAMES = erasureStepNames(CAPABILITIES.flatMap((c) => c.stores ?? []));
import { startGateway, type RunningGateway } from '../../src/server/startGateway';
import { startTestApp, type TestApp } from '../support/app';
import { codes, gql } from '../support/graphql';
import { expectedSteps, leftOf, NOTHING_LEFT, plantCustomerData, type Planted } from './plant';

const root = resolve(__dirname, '../..');
const provider = new LocalKeyProvider(randomBytes(32));
let app: TestApp;
let restarted: RunningGateway | null = null;
beforeAll(async () => { app = await startTestApp({ keyProvider: provider }); });
afterAll(async () => {
  await restarted?.stop().catch(() => undefined);
  await app.stop();
});

const REQUEST = { reason: 'crash test', requestedBy: 'privacy-officer' };
const records = () => erasureModel(app.running.services.conn);
const steps = (doc: ErasureDoc | null) => doc!.steps.map((s) => ({ name: s.name, count: s.count }));

/** Starts an erasure and really stops it right after step k, as a crash would. */
async function interruptAfter(id: string, k: number): Promise<{ planted: Planted; record: ErasureDoc }> {
  const planted = await plantCustomerData(app, id);
  const svc = erasureServicesOf(app.running.services);
  await expect(eraseCustomer(svc, id, REQUEST, { stopAfter: k })).rejects.toThrow(ErasureInterrupted);
  const record = await records().findOne({ customerId: id }).lean<ErasureDoc>().exec();
  return { planted, record: record! };
}

describe('a crash after step k, for every k, is completed by the resume', () => {
  const total = ERASURE_STEP_NAMES.length;
  for (let k = 1; k < total; k += 1) {
    it(`after step ${k} (${ERASURE_STEP_NAMES[k - 1]})`, async () => {
      const id = `cus_${String(100 + k).padStart(4, '0')}`;
      const { planted, record } = await interruptAfter(id, k);
      expect(record.status).toBe('PENDING');
      expect(steps(record)).toEqual(expectedSteps(planted).slice(0, k));
      // While pending, the customer is already refused, even though their document may still exist.
      const refused = await gql(app.url, '{ me { id } }', { token: app.sign({ kind: 'customer', sub: id }), endpoint: '/self/graphql' });
      expect(codes(refused)).toEqual(['UNAUTHENTICATED']);

      expect(await resumeErasures(erasureServicesOf(app.running.services))).toBe(1);
      const done = await records().findById(record._id).lean<ErasureDoc>().exec();
      expect(done!.status).toBe('DONE');
      expect(done!.customerId).toBeUndefined();
      expect(steps(done)).toEqual(expectedSteps(planted));
      expect(await leftOf(app, id)).toEqual(NOTHING_LEFT);
    });
  }

  it(`after the last step (${total}) there is nothing left to resume`, async () => {
    const id = 'cus_0120';
    const { planted, record } = await interruptAfter(id, total);
    expect(record).toBeNull();
    const done = await records().findById(erasureRef(erasureServicesOf(app.running.services).refKey, id)).lean<ErasureDoc>().exec();
    expect(done!.status).toBe('DONE');
    expect(steps(done)).toEqual(expectedSteps(planted));
    expect(await resumeErasures(erasureServicesOf(app.running.services))).toBe(0);
    expect(await leftOf(app, id)).toEqual(NOTHING_LEFT);
  });

  it('resuming twice changes nothing (every step is recorded once)', async () => {
    const id = 'cus_0121';
    const { planted, record } = await interruptAfter(id, 3);
    await Promise.all([resumeErasures(erasureServicesOf(app.running.services)), resumeErasures(erasureServicesOf(app.running.services))]);
    const done = await records().findById(record._id).lean<ErasureDoc>().exec();
    expect(done!.steps.map((s) => s.name)).toEqual(ERASURE_STEP_NAMES);
    expect(steps(done).slice(0, 3)).toEqual(expectedSteps(planted).slice(0, 3));
    expect(await leftOf(app, id)).toEqual(NOTHING_LEFT);
  });
});

describe('resume entry points', () => {
  it('`npm run erasure:resume` completes pending erasures on MONGODB_URI', async () => {
    const id = 'cus_0130';
    // Stopped before the first step: the data key, in the key vault, is still there to destroy.
    const { planted, record } = await interruptAfter(id, 0);
    expect((await leftOf(app, id)).dataKey).toBe(1);
    const run = await new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
      execFile(join(root, 'node_modules/.bin/tsx'), ['src/cli/erasureResume.ts'], {
        cwd: root, env: { PATH: process.env.PATH ?? '', MONGODB_URI: app.db.uri, DB_NAME: app.db.dbName },
      }, (err, stdout, stderr) => done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
    });
    expect(run.stderr).not.toContain('failed');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('erasure:resume: 1 pending erasure(s) completed');
    const done = await records().findById(record._id).lean<ErasureDoc>().exec();
    expect(done!.status).toBe('DONE');
    expect(steps(done)).toEqual(expectedSteps(planted));
    expect(await leftOf(app, id)).toEqual(NOTHING_LEFT);
  });

  it('`npm run erasure:resume` without MONGODB_URI says what is missing', async () => {
    const run = await new Promise<{ code: number; stderr: string }>((done) => {
      execFile(join(root, 'node_modules/.bin/tsx'), ['src/cli/erasureResume.ts'], { cwd: root, env: { PATH: process.env.PATH ?? '' } },
        (err, _out, stderr) => done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr }));
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('MONGODB_URI is required');
  });

  it('the next gateway start completes a pending erasure', async () => {
    const id = 'cus_0140';
    const { planted, record } = await interruptAfter(id, 4);
    await app.running.stop(); // the gateway only: the test database keeps running
    restarted = await startGateway(app.config, { keyProvider: provider });
    const done = await erasureModel(restarted.services.conn).findById(record._id).lean<ErasureDoc>().exec();
    expect(done!.status).toBe('DONE');
    expect(steps(done)).toEqual(expectedSteps(planted));
    const left = await customerModel(restarted.services.conn).countDocuments({ _id: id }).exec();
    expect(left).toBe(0);
    const refused = await gql(restarted.url, '{ me { id } }', { token: app.sign({ kind: 'customer', sub: id }), endpoint: '/self/graphql' });
    expect(codes(refused)).toEqual(['UNAUTHENTICATED']);
  });
});
