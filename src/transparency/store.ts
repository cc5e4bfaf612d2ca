/**
 * What the sequencer keeps besides the nodes: the tree head (collection `tlogState`, one document)
 * and every signed checkpoint (collection `tlogCheckpoints`, one per tree size, never removed).
 *
 *   tlogState        { _id: 'tree', size, root: Binary, pending?: Batch, updatedAt }
 *   tlogCheckpoints  { treeSize, root (base64), note (the signed note text), at: Date }
 *
 * `pending` is the batch being sequenced, written before any of it: a crash mid-batch is resumed by
 * applying the same batch again (every step of it is idempotent).
 */
import type { Connection } from 'mongoose';
import { EMPTY_ROOT } from '../audit/tlog/merkle';

export const STATE_COLLECTION = 'tlogState';
export const CHECKPOINT_COLLECTION = 'tlogCheckpoints';
export const VERIFICATION_COLLECTION = 'tlogVerifications';

/** One document of a batch: its collection, id and number of leaves, in leaf order. */
export interface BatchItem {
  c: string;
  id: unknown;
  n: number;
}

/** A batch: leaves [from, from + leaves) are the items' leaves, in order. */
export interface Batch {
  from: number;
  leaves: number;
  items: BatchItem[];
}

export interface TreeState {
  _id: 'tree';
  size: number;
  root: Uint8Array;
  pending?: Batch;
  updatedAt: Date;
}

export interface CheckpointDoc {
  treeSize: number;
  /** Base64 of the RFC 6962 root. */
  root: string;
  /** The signed note (C2SP tlog-checkpoint). */
  note: string;
  at: Date;
}

/** One run of the whole-log verification, as the privacy officer's report reads it. */
export interface VerificationDoc {
  at: Date;
  ok: boolean;
  records: number;
  treeSize: number;
  root: string;
  failure?: string;
}

export function stateColl(conn: Connection) {
  return conn.collection<TreeState>(STATE_COLLECTION);
}

export function checkpointColl(conn: Connection) {
  return conn.collection<CheckpointDoc>(CHECKPOINT_COLLECTION);
}

export function verificationColl(conn: Connection) {
  return conn.collection<VerificationDoc>(VERIFICATION_COLLECTION);
}

/** Bytes of a stored Binary or Buffer. */
export function bytesOf(value: unknown): Buffer {
  if (value instanceof Uint8Array) return Buffer.from(value);
  const binary = value as { buffer?: Uint8Array; position?: number } | null;
  if (binary?.buffer instanceof Uint8Array) return Buffer.from(binary.buffer.subarray(0, binary.position));
  throw new TypeError('expected stored bytes');
}

/** The tree head; the empty tree when nothing was sequenced yet. */
export async function readState(conn: Connection): Promise<TreeState> {
  const doc = await stateColl(conn).findOne({ _id: 'tree' });
  if (!doc) return { _id: 'tree', size: 0, root: EMPTY_ROOT, updatedAt: new Date(0) };
  return { ...doc, root: bytesOf(doc.root) };
}

/** The checkpoint of the largest tree size, or null. */
export function latestCheckpoint(conn: Connection): Promise<CheckpointDoc | null> {
  return checkpointColl(conn).find({}, { projection: { _id: 0 } }).sort({ treeSize: -1 }).limit(1).next();
}

/** The checkpoint at exactly `treeSize`, or null. */
export function checkpointAt(conn: Connection, treeSize: number): Promise<CheckpointDoc | null> {
  return checkpointColl(conn).findOne({ treeSize }, { projection: { _id: 0 } });
}

/** Indexes: one checkpoint per size; the latest verification first. */
export async function ensureStoreIndexes(conn: Connection): Promise<void> {
  await checkpointColl(conn).createIndex({ treeSize: 1 }, { unique: true });
  await verificationColl(conn).createIndex({ at: -1 });
}
