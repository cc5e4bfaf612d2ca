/**
 * The erasure's records in the transparency log (collection `erasureEvents`, append-only): one
 * event when an erasure is requested, one per completed step, one when it is done. They hold the
 * opaque reference, never the customer id. The erasure record (`erasures`) is the working state;
 * these events are what proves the procedure ran.
 *
 *   { _id: ObjectId, erasure: <reference>, event: 'requested' | 'step' | 'done', step: '' | <name>,
 *     at: Date, reason?, requestedBy?, count?, detail? }
 *
 * Writing one twice (a resumed procedure) is a no-op: a unique index on (erasure, event, step).
 */
import type { Connection } from 'mongoose';
import type { RecordSourceDeclaration } from '../core/capability';
import type { ErasureStepRecord } from './model';

export const ERASURE_EVENTS = 'erasureEvents';

/** The erasure's record source: one leaf per event. */
export const ERASURE_RECORDS: RecordSourceDeclaration = { kind: 'erasureEvent', collection: ERASURE_EVENTS };

export type ErasureEvent =
  | { event: 'requested'; at: Date; reason: string; requestedBy: string }
  | { event: 'step'; at: Date; step: ErasureStepRecord }
  | { event: 'done'; at: Date };

export async function ensureErasureEventIndexes(conn: Connection): Promise<void> {
  await conn.collection(ERASURE_EVENTS).createIndex({ erasure: 1, event: 1, step: 1 }, { unique: true });
}

/** Appends an event of erasure `ref` unless it is already recorded. */
export async function recordErasureEvent(conn: Connection, ref: string, e: ErasureEvent): Promise<void> {
  const doc: Record<string, unknown> = { erasure: ref, event: e.event, step: '', at: e.at };
  if (e.event === 'requested') Object.assign(doc, { reason: e.reason, requestedBy: e.requestedBy });
  if (e.event === 'step') {
    Object.assign(doc, { step: e.step.name, at: e.step.doneAt, count: e.step.count });
    if (e.step.detail) doc.detail = e.step.detail;
  }
  try {
    await conn.collection(ERASURE_EVENTS).insertOne(doc);
  } catch (err) {
    if ((err as { code?: number }).code !== 11000) throw err;
  }
}
