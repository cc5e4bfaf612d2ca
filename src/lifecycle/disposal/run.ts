/**
 * The disposal job: applies the retention schedule as a run of resumable, idempotent steps (one per
 * rule, in schedule order), each step's count recorded as it completes. One instance of a cluster
 * runs it at a time (the `disposal` lease); a run a crash left RUNNING is completed first, with the
 * cutoffs of its own start, so it ends as if it had never stopped.
 */
import type { Connection } from 'mongoose';
import type { RecordSource } from '../../audit';
import { newId } from '../../core/ids';
import { Lease } from '../../db/lease';
import type { ErasureServices } from '../../erasure';
import { logger } from '../../logger';
import type { RetentionSchedule } from '../retention/schedule';
import { disposalRunModel, RUN_RECORD_COLLECTION, type DisposalRunDoc, type DisposalRunRecord } from './model';
import { applyRule } from './rules';

export const DISPOSAL_LEASE = 'disposal';

export interface DisposalServices {
  conn: Connection;
  erasure: ErasureServices;
  schedule: RetentionSchedule;
  records: readonly RecordSource[];
  /** How long the lease lasts unless renewed (it is renewed before every step), ms. */
  leaseMs: number;
}

export interface DisposalOptions {
  /** Count only; change nothing. Default false. */
  dryRun?: boolean;
  /** Clock. Default: now. */
  now?: () => Date;
  /** TEST ONLY: stop (throw DisposalInterrupted) right after step k (1-based) of the new run was recorded; 0: once the run is recorded, before any step. */
  stopAfter?: number;
  /** Called after every step is recorded (k is 1-based); `npm run disposal:run --pause-after` waits here. */
  afterStep?: (k: number, rule: string, run: string) => Promise<void>;
}

export class DisposalInterrupted extends Error {
  constructor(readonly afterStep: number) {
    super(`disposal run stopped after step ${afterStep} (test hook)`);
    this.name = 'DisposalInterrupted';
  }
}

/** Another instance holds the lease: a run is in progress there. */
export class DisposalBusy extends Error {
  constructor(readonly until: Date | null) {
    super(`a disposal run is in progress on another instance (its lease runs until ${until?.toISOString() ?? 'now'})`);
    this.name = 'DisposalBusy';
  }
}

async function finish(svc: DisposalServices, runId: string, status: 'DONE' | 'FAILED', at: Date): Promise<DisposalRunDoc> {
  const model = disposalRunModel(svc.conn);
  const run = (await model.findById(runId).lean<DisposalRunDoc>().exec())!;
  const records = svc.conn.collection<DisposalRunRecord>(RUN_RECORD_COLLECTION);
  const record: DisposalRunRecord = { _id: run._id, at, startedAt: run.startedAt, finishedAt: at, dryRun: run.dryRun, status, items: run.items };
  try {
    await records.insertOne(record);
  } catch (err) {
    if ((err as { code?: number }).code !== 11000) throw err;
  }
  const written = (await records.findOne({ _id: run._id }))!;
  await model.updateOne({ _id: run._id, status: 'RUNNING' }, { $set: { status: written.status, finishedAt: written.finishedAt } }).exec();
  return (await model.findById(run._id).lean<DisposalRunDoc>().exec())!;
}

/** Runs the steps of `run` not yet recorded, then records the run's end. */
async function execute(svc: DisposalServices, run: DisposalRunDoc, lease: Lease, opts: DisposalOptions, hooks: boolean): Promise<DisposalRunDoc> {
  const now = opts.now ?? (() => new Date());
  const model = disposalRunModel(svc.conn);
  const done = new Set(run.items.map((i) => i.rule));
  const heartbeat = async () => {
    if (!(await lease.renew())) throw new Error('the disposal lease was lost (expired and taken by another instance): this instance stops, the holder completes the run');
  };
  const ctx = { conn: svc.conn, erasure: svc.erasure, records: svc.records, runId: run._id, startedAt: run.startedAt, heartbeat };
  try {
    for (const [i, rule] of svc.schedule.rules.entries()) {
      if (!done.has(rule.id)) {
        await heartbeat();
        const count = await applyRule(ctx, rule, run.dryRun, svc.schedule.rules.slice(0, i));
        await model.updateOne({ _id: run._id, 'items.rule': { $ne: rule.id } }, { $push: { items: { rule: rule.id, data: rule.data, action: rule.action, count } } }).exec();
      }
      if (hooks) {
        await opts.afterStep?.(i + 1, rule.id, run._id);
        if (opts.stopAfter === i + 1) throw new DisposalInterrupted(i + 1);
      }
    }
  } catch (err) {
    if (!(err instanceof DisposalInterrupted) && !/lease was lost/.test((err as Error).message)) {
      logger.error('disposal run failed', { run: run._id, error: (err as Error).name });
      await finish(svc, run._id, 'FAILED', now());
    }
    throw err;
  }
  const finished = await finish(svc, run._id, 'DONE', now());
  logger.info('disposal run done', { run: run._id, dryRun: finished.dryRun, items: finished.items.map((i) => `${i.rule}=${i.count}`).join(' ') });
  return finished;
}

async function withLease<T>(svc: DisposalServices, fn: (lease: Lease) => Promise<T>): Promise<T> {
  const lease = new Lease(svc.conn, DISPOSAL_LEASE, svc.leaseMs);
  if (!(await lease.acquire())) throw new DisposalBusy((await lease.current())?.expiresAt ?? null);
  try {
    return await fn(lease);
  } finally {
    await lease.release().catch(() => undefined);
  }
}

async function resumeUnder(svc: DisposalServices, lease: Lease, opts: DisposalOptions): Promise<DisposalRunDoc[]> {
  const running = await disposalRunModel(svc.conn).find({ status: 'RUNNING' }).sort({ startedAt: 1 }).lean<DisposalRunDoc[]>().exec();
  const out: DisposalRunDoc[] = [];
  for (const run of running) {
    logger.info('disposal run resumed', { run: run._id, stepsDone: run.items.length });
    out.push(await execute(svc, run, lease, opts, false));
  }
  return out;
}

/** Completes every run a crash left RUNNING (under the lease). Throws DisposalBusy when another instance holds it. */
export async function resumeDisposals(svc: DisposalServices, opts: DisposalOptions = {}): Promise<DisposalRunDoc[]> {
  return withLease(svc, (lease) => resumeUnder(svc, lease, opts));
}

/**
 * One disposal run: under the lease, completes any interrupted run, then applies the schedule once.
 * Returns the runs completed on the way and the new run. Throws DisposalBusy when another instance holds the lease.
 */
export async function runDisposal(svc: DisposalServices, opts: DisposalOptions = {}): Promise<{ resumed: DisposalRunDoc[]; run: DisposalRunDoc }> {
  const now = opts.now ?? (() => new Date());
  return withLease(svc, async (lease) => {
    const resumed = await resumeUnder(svc, lease, opts);
    const run: DisposalRunDoc = { _id: newId('run_'), startedAt: now(), dryRun: opts.dryRun ?? false, status: 'RUNNING', items: [] };
    await disposalRunModel(svc.conn).create(run);
    if (opts.stopAfter === 0) throw new DisposalInterrupted(0);
    return { resumed, run: await execute(svc, run, lease, opts, true) };
  });
}
