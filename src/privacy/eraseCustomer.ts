import { logger } from '../logger';
import { erasureModel, type ErasureDoc } from './erasureModel';
import { erasureRef } from './erasureRef';
import { markErasing } from './erasingMark';
import { ERASURE_STEPS, ERASURE_STEP_NAMES, MARK_DONE, type ErasureServices } from './erasureSteps';

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
  /** `customer`, or the requester's staff roles. */
  requestedBy: string;
}

export interface ErasureRunOptions {
  /**
   * TEST ONLY: stop (throw ErasureInterrupted) right after step k (1-based, see ERASURE_STEP_NAMES)
   * has been recorded, as a crash would. Default: never.
   */
  stopAfter?: number;
  /** Clock. Default: now. */
  now?: () => Date;
}

export interface StartErasureServices extends ErasureServices {
  /** HMAC key of the opaque reference (erasureRefKey). */
  refKey: Buffer;
}

/**
 * Erases a customer: starts (or joins) the erasure record for them, then runs every step not yet
 * done. Idempotent: erasing an erased customer returns the existing record. The record holds the
 * customer id only while PENDING.
 */
export async function eraseCustomer(svc: StartErasureServices, customerId: string, req: ErasureRequest, opts: ErasureRunOptions = {}): Promise<ErasureDoc> {
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
  await markErasing(svc.conn, customerId); // every run, so a resumed erasure is marked too
  const done = new Set(record.steps.map((s) => s.name));
  for (let i = 0; i < ERASURE_STEP_NAMES.length; i += 1) {
    const name = ERASURE_STEP_NAMES[i]!;
    if (!done.has(name)) {
      if (name === MARK_DONE) {
        const at = now();
        await model
          .updateOne(
            { _id: record._id, status: 'PENDING' },
            { $set: { status: 'DONE', completedAt: at }, $unset: { customerId: '' }, $push: { steps: { name, doneAt: at, count: 0 } } },
          )
          .exec();
      } else {
        const result = await ERASURE_STEPS[i]!.run(svc, customerId);
        await model
          .updateOne({ _id: record._id, 'steps.name': { $ne: name } }, { $push: { steps: { name, doneAt: now(), ...result } } })
          .exec();
      }
    }
    if (opts.stopAfter === i + 1) throw new ErasureInterrupted(i + 1);
  }
  const final = await model.findById(record._id).lean<ErasureDoc>().exec();
  if (!final) throw new Error(`erasure ${record._id} record vanished`);
  logger.info('erasure done', { erasure: record._id, steps: final.steps.length });
  return final;
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
