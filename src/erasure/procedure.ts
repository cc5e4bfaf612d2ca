/**
 * The erasure procedure: one sequence of resumable, idempotent steps, recorded as they complete,
 * for leaveProgram, withdrawConsent(storage), eraseCustomer and retention. The customer is marked
 * first (no request sees them from then on); the data key goes next (crypto-shredding: every copy
 * of their encrypted attributes, in any backup, becomes unreadable); then every store a capability
 * declared (core/capability.ts `stores`), the customer document last; then the record is DONE and
 * forgets the customer id.
 */
import type { Connection } from 'mongoose';
import type { CustomerDataStore } from '../core/capability';
import type { AppServices, DataKeys } from '../core/context';
import { systemWrite } from '../core/writeScope';
import { markErasing } from '../customers';
import { logger } from '../logger';
import { recordErasureEvent } from './events';
import { erasureModel, erasureRef, erasureRefKey, type ErasureDoc, type ErasureStepRecord } from './model';

/** Thrown by the `stopAfter` test hook: the procedure stopped as if the process had crashed. */
export class ErasureInterrupted extends Error {
  constructor(readonly afterStep: number) {
    super(`erasure stopped after step ${afterStep} (test hook)`);
    this.name = 'ErasureInterrupted';
  }
}

export interface ErasureRequest {
  /** Why (no personal data). */
  reason: string;
  /** `customer`, `retention`, or the requester's staff roles. */
  requestedBy: string;
}

export interface ErasureRunOptions {
  /**
   * TEST ONLY: stop (throw ErasureInterrupted) right after step k (1-based, see erasureSteps)
   * has been recorded, as a crash would; 0 stops once the request is recorded and the customer
   * marked, before any step. Default: never.
   */
  stopAfter?: number;
  /** Clock. Default: now. */
  now?: () => Date;
}

/** What the procedure needs: the connection, the data keys (only `destroy`), the declared stores, the reference key. */
export interface ErasureServices {
  conn: Connection;
  keys: Pick<DataKeys, 'destroy'>;
  stores: readonly CustomerDataStore[];
  /** HMAC key of the opaque reference (erasureRefKey). */
  refKey: Buffer;
}

type StepResult = Pick<ErasureStepRecord, 'count' | 'detail'>;

export interface ErasureStep {
  name: string;
  /** Idempotent: running it again after it completed removes nothing more and does no harm. */
  run(svc: ErasureServices, customerId: string): Promise<StepResult>;
}

/** The final step's name: the record becomes DONE and loses the customer id. */
export const MARK_DONE = 'markDone';

async function eraseFrom(conn: Connection, store: CustomerDataStore, id: string): Promise<number> {
  const erase = store.erase ?? 'delete';
  if (typeof erase === 'function') return erase(conn, id);
  if (erase === 'delete') return (await conn.collection(store.collection).deleteMany({ [store.customerKey]: id })).deletedCount;
  return (await conn.collection(store.collection).updateMany({ [erase.pull]: id }, { $pull: { [erase.pull]: id } } as never)).modifiedCount;
}

/** The steps, in order, for these stores: the data key, then every store (the customer document last). */
export function erasureSteps(stores: readonly CustomerDataStore[]): ErasureStep[] {
  const ordered = [...stores.filter((s) => !s.eraseLast), ...stores.filter((s) => s.eraseLast)];
  return [
    { name: 'destroyDataKey', run: async (svc, id) => ({ count: (await svc.keys.destroy(id)) ? 1 : 0 }) },
    ...ordered.map((store) => ({
      name: `erase:${store.collection}`,
      run: async (svc: ErasureServices, id: string) => ({ count: await eraseFrom(svc.conn, store, id) }),
    })),
  ];
}

/** Step names in order, numbered from 1 (the `stopAfter` hook counts the same way). */
export function erasureStepNames(stores: readonly CustomerDataStore[]): string[] {
  return [...erasureSteps(stores).map((s) => s.name), MARK_DONE];
}

const services = new WeakMap<AppServices, ErasureServices>();

/** The procedure's services for a running gateway (stores from the manifests; reference key derived from JWT_SECRET). */
export function erasureServicesOf(app: AppServices): ErasureServices {
  let svc = services.get(app);
  if (!svc) {
    svc = { conn: app.conn, keys: app.keys, stores: app.capabilities.flatMap((c) => c.stores ?? []), refKey: erasureRefKey(app.config.jwtSecret) };
    services.set(app, svc);
  }
  return svc;
}

/**
 * Erases a customer: starts (or joins) the erasure record for them, then runs every step not yet
 * done. Idempotent: erasing an erased customer returns the existing record. The record holds the
 * customer id only while PENDING.
 */
export async function eraseCustomer(svc: ErasureServices, customerId: string, req: ErasureRequest, opts: ErasureRunOptions = {}): Promise<ErasureDoc> {
  const now = opts.now ?? (() => new Date());
  const ref = erasureRef(svc.refKey, customerId);
  const model = erasureModel(svc.conn);
  await model
    .updateOne(
      { _id: ref },
      { $setOnInsert: { status: 'PENDING', requestedAt: now(), reason: req.reason, requestedBy: req.requestedBy, steps: [], customerId } },
      { upsert: true },
    )
    .exec();
  const record = await model.findById(ref).lean<ErasureDoc>().exec();
  if (!record) throw new Error('erasure record vanished right after it was written');
  if (record.status === 'DONE') return record;
  logger.info('erasure started', { erasure: ref, requestedBy: req.requestedBy });
  return runErasure(svc, record, opts);
}

/**
 * Runs the remaining steps of a PENDING erasure record, recording each one as it completes.
 * Used by eraseCustomer and by the resume at start / `npm run erasure:resume`.
 */
export async function runErasure(svc: ErasureServices, record: ErasureDoc, opts: ErasureRunOptions = {}): Promise<ErasureDoc> {
  const now = opts.now ?? (() => new Date());
  const model = erasureModel(svc.conn);
  const customerId = record.customerId;
  if (record.status === 'DONE') return record;
  if (!customerId) throw new Error(`erasure ${record._id} is PENDING without its customer id`);
  return systemWrite(`erasure ${record._id}`, async () => {
    await markErasing(svc, customerId); // every run, so a resumed erasure is marked too
    if (opts.stopAfter === 0) throw new ErasureInterrupted(0);
    const steps = erasureSteps(svc.stores);
    const names = [...steps.map((s) => s.name), MARK_DONE];
    const done = new Set(record.steps.map((s) => s.name));
    // The transparency log's records of it (idempotent: a resumed run adds only what is missing).
    await recordErasureEvent(svc.conn, record._id, { event: 'requested', at: record.requestedAt, reason: record.reason, requestedBy: record.requestedBy });
    for (const step of record.steps) await recordErasureEvent(svc.conn, record._id, { event: 'step', at: step.doneAt, step });
    for (let i = 0; i < names.length; i += 1) {
      const name = names[i]!;
      if (!done.has(name)) {
        if (name === MARK_DONE) {
          const at = now();
          await model
            .updateOne(
              { _id: record._id, status: 'PENDING' },
              { $set: { status: 'DONE', completedAt: at }, $unset: { customerId: '' }, $push: { steps: { name, doneAt: at, count: 0 } } },
            )
            .exec();
          await recordErasureEvent(svc.conn, record._id, { event: 'done', at });
        } else {
          const result = await steps[i]!.run(svc, customerId);
          const step: ErasureStepRecord = { name, doneAt: now(), ...result };
          await model.updateOne({ _id: record._id, 'steps.name': { $ne: name } }, { $push: { steps: step } }).exec();
          await recordErasureEvent(svc.conn, record._id, { event: 'step', at: step.doneAt, step });
        }
      }
      if (opts.stopAfter === i + 1) throw new ErasureInterrupted(i + 1);
    }
    const final = await model.findById(record._id).lean<ErasureDoc>().exec();
    if (!final) throw new Error(`erasure ${record._id} record vanished`);
    logger.info('erasure done', { erasure: record._id, steps: final.steps.length });
    return final;
  });
}

/** Completes every PENDING erasure (at gateway start and by `npm run erasure:resume`). Returns how many. */
export async function resumeErasures(svc: ErasureServices, opts: ErasureRunOptions = {}): Promise<number> {
  const pending = await erasureModel(svc.conn).find({ status: 'PENDING' }).lean<ErasureDoc[]>().exec();
  for (const record of pending) {
    logger.info('erasure resumed', { erasure: record._id, stepsDone: record.steps.length });
    await runErasure(svc, record, opts);
  }
  return pending.length;
}
