/**
 * Inclusion and consistency proofs from the stored tree, with the checks that make bad input a
 * clear BAD_USER_INPUT: an unknown or not yet sequenced record, a tree size that is not a signed
 * checkpoint (or above the latest one, or not covering the record), `from > to`.
 */
import type { Connection } from 'mongoose';
import { leafHashesOf, type RecordSource } from '../audit';
import { consistencyProof, inclusionProof } from '../audit/tlog/merkle';
import type { MongoNodeStore } from '../audit/tlog/mongoNodeStore';
import { InputError } from '../core/errors';
import { parseRecordId, type RecordRef } from './sources';
import { checkpointAt, latestCheckpoint } from './store';

/** InclusionProof as the contract gives it: hashes in base64, `checkpoint` the signed note at `treeSize`. */
export interface InclusionProofView {
  recordId: string;
  leafIndex: number;
  treeSize: number;
  leafHash: string;
  hashes: string[];
  checkpoint: string;
}

/** A record found by its id: the stored document, its leaf index and leaf hash (null when unsequenced). */
export interface LocatedRecord {
  ref: RecordRef;
  doc: Record<string, unknown>;
  leafIndex: number | null;
  leafHash: Buffer;
}

/** Finds the record an id names; null when the id is malformed or names no stored record. */
export async function locateRecord(conn: Connection, sources: readonly RecordSource[], id: string): Promise<LocatedRecord | null> {
  const ref = parseRecordId(id, sources);
  if (!ref) return null;
  const doc = await conn.collection(ref.source.collection).findOne({ _id: ref.docId as never });
  if (!doc) return null;
  let hashes: Buffer[];
  try {
    hashes = leafHashesOf(ref.source, doc);
  } catch {
    return null;
  }
  const leafHash = hashes[ref.leaf];
  if (!leafHash) return null;
  return { ref, doc, leafIndex: typeof doc.leaf === 'number' ? doc.leaf + ref.leaf : null, leafHash };
}

const b64 = (h: Uint8Array) => Buffer.from(h).toString('base64');

async function signedSize(conn: Connection, field: string, size: number | null | undefined): Promise<{ treeSize: number; note: string; latest: number }> {
  const latest = await latestCheckpoint(conn);
  if (!latest) throw new InputError(field, 'cannot be answered yet: the log has no signed checkpoint; ask again in a few seconds');
  if (size == null) return { treeSize: latest.treeSize, note: latest.note, latest: latest.treeSize };
  if (!Number.isSafeInteger(size) || size < 0) throw new InputError(field, 'must be a non-negative integer');
  if (size > latest.treeSize) throw new InputError(field, `must not exceed the tree size of the latest checkpoint (${latest.treeSize})`);
  const at = await checkpointAt(conn, size);
  return { treeSize: size, note: at?.note ?? '', latest: latest.treeSize };
}

/**
 * The inclusion proof of a located record in the signed tree of `treeSize` leaves (default: the
 * latest checkpoint). `field` names the argument in errors.
 */
export async function proveRecord(conn: Connection, nodes: MongoNodeStore, rec: LocatedRecord, recordId: string, treeSize: number | null | undefined, field: string): Promise<InclusionProofView> {
  const size = await signedSize(conn, 'treeSize', treeSize);
  if (rec.leafIndex === null || rec.leafIndex >= size.treeSize) {
    if (treeSize == null || rec.leafIndex === null) throw new InputError(field, 'is not in a signed checkpoint yet: records are sequenced within seconds; ask again');
    throw new InputError('treeSize', `must be larger than the record's leaf index (${rec.leafIndex})`);
  }
  if (!size.note) throw new InputError('treeSize', 'must be the tree size of a signed checkpoint (GET /transparency/checkpoint gives the latest)');
  const hashes = await inclusionProof(rec.leafIndex, size.treeSize, nodes.readNodes);
  return { recordId, leafIndex: rec.leafIndex, treeSize: size.treeSize, leafHash: b64(rec.leafHash), hashes: hashes.map(b64), checkpoint: size.note };
}

/** The consistency proof between tree sizes `from` ≤ `to` ≤ the latest checkpoint's size, in base64. */
export async function proveConsistency(conn: Connection, nodes: MongoNodeStore, from: number, to: number): Promise<string[]> {
  if (!Number.isSafeInteger(from) || from < 0) throw new InputError('from', 'must be a non-negative integer');
  if (!Number.isSafeInteger(to) || to < 0) throw new InputError('to', 'must be a non-negative integer');
  if (from > to) throw new InputError('from', `must not exceed "to" (from ${from}, to ${to})`);
  await signedSize(conn, 'to', to);
  return (await consistencyProof(from, to, nodes.readNodes)).map(b64);
}
