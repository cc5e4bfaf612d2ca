/**
 * The records that prove themselves: every append-only collection whose documents are leaves of
 * the transparency log (audit/tlog) is a record source, declared by the capability that writes it
 * (`Capability.records`). A source says how one stored document becomes leaves (the access log: one
 * leaf per subject entry), and pruning (retention, erasure) replaces a document's body by the hashes
 * of its leaves, so proofs over it still verify.
 */
import type { Connection } from 'mongoose';
import { flatten, type AccessEvent } from './accessLog';
import { recordLeafHash } from './tlog/canonical';

/** An append-only collection of records that are leaves of the transparency log. */
export interface RecordSource {
  /** The record kind named in the leaf encoding, e.g. `accessLog`. */
  kind: string;
  collection: string;
  /** The leaf bodies of one stored (unpruned) document, in order. Default: the document itself, one leaf. */
  leaves?: (doc: Record<string, unknown>) => Record<string, unknown>[];
}

/** What a pruned record keeps: its id, its place in the tree once sequenced, and the hashes of its leaves. */
export interface PrunedRecord {
  _id: unknown;
  /** Set by the sequencer: the index of the document's first leaf. */
  leaf?: number;
  pruned: { at: Date; by: string };
  /** Leaf hashes (32 bytes each), in leaf order. */
  leafHashes: Buffer[];
}

export function isPruned(doc: Record<string, unknown>): doc is Record<string, unknown> & PrunedRecord {
  return !!doc.pruned && Array.isArray(doc.leafHashes);
}

/** Fields the sequencer sets on a record after it was written; they are not part of what a leaf commits to. */
export const SEQUENCER_FIELDS = ['leaf'] as const;

/** The leaf bodies of a stored document of this source (never of a pruned one). */
export function leafBodies(source: RecordSource, doc: Record<string, unknown>): Record<string, unknown>[] {
  if (isPruned(doc)) throw new Error(`${source.kind} ${String(doc._id)} is pruned: it has leaf hashes, not bodies`);
  const { leaf: _leaf, ...body } = doc;
  return source.leaves ? source.leaves(body) : [body];
}

/** Bytes as stored: a Buffer, or a BSON Binary as the raw driver and lean() return it. */
function storedBytes(value: unknown): Buffer {
  if (value instanceof Uint8Array) return Buffer.from(value);
  const binary = value as { _bsontype?: string; buffer?: Uint8Array; position?: number } | null;
  if (binary?._bsontype === 'Binary' && binary.buffer instanceof Uint8Array) return Buffer.from(binary.buffer.subarray(0, binary.position));
  throw new TypeError('a pruned record\'s leaf hash is not stored as bytes');
}

/** The leaf hashes of a stored document: computed from its bodies, or kept by pruning. */
export function leafHashesOf(source: RecordSource, doc: Record<string, unknown>): Buffer[] {
  if (isPruned(doc)) return doc.leafHashes.map(storedBytes);
  return leafBodies(source, doc).map((body) => recordLeafHash(source.kind, body));
}

/** The access log: one leaf per subject entry, each naming who and why (the request's header) and one subject. */
export const ACCESS_LOG_RECORDS: RecordSource = {
  kind: 'accessLog',
  collection: 'accessLog',
  leaves: (doc) => {
    const event = doc as unknown as AccessEvent;
    return flatten(event).map((entry) => ({ ...entry, audience: event.audience, phase: event.phase }));
  },
};

/** The consent ledger: one leaf per event. */
export const CONSENT_RECORDS: RecordSource = { kind: 'consentEvent', collection: 'consentEvents' };

/**
 * Prunes the documents of `source` matching `filter` to their leaf hashes (retention's `prune`,
 * erasure of ledger bodies): the body is gone, the proofs stay. Idempotent (pruned documents are
 * skipped). `by` names who pruned (a disposal run id, an erasure reference). Returns how many.
 */
export async function pruneToHash(conn: Connection, source: RecordSource, filter: Record<string, unknown>, by: string, at = new Date()): Promise<number> {
  const coll = conn.collection(source.collection);
  let pruned = 0;
  for (;;) {
    const docs = await coll.find({ $and: [filter, { pruned: { $exists: false } }] }).limit(500).toArray();
    if (docs.length === 0) return pruned;
    const ops = docs.map((doc) => {
      const replacement: Record<string, unknown> = { pruned: { at, by }, leafHashes: leafHashesOf(source, doc) };
      if (typeof doc.leaf === 'number') replacement.leaf = doc.leaf;
      return { replaceOne: { filter: { _id: doc._id, pruned: { $exists: false } }, replacement } };
    });
    const res = await coll.bulkWrite(ops, { ordered: false });
    pruned += res.modifiedCount;
    if (docs.length < 500) return pruned;
  }
}
