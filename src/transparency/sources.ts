/**
 * The record sources the transparency log sequences: every capability's declared `records`, one
 * per collection, and the ids by which proofs name their leaves.
 *
 *   access log entry   `<document id>.<k>` (the id the access log and the customer's history show)
 *   one-leaf record    `<kind>:<document id>`, e.g. `consentEvent:65f0c1…`
 *   multi-leaf record  `<kind>:<document id>#<j>` (leaf j of the document)
 */
import { Types } from 'mongoose';
import { ACCESS_LOG_RECORDS, type RecordSource } from '../audit';
import type { Capability } from '../core/capability';

/** Every declared record source, once per collection, in manifest order. Throws if two kinds claim one collection. */
export function recordSourcesOf(capabilities: readonly Capability[]): RecordSource[] {
  const byCollection = new Map<string, RecordSource>();
  const kinds = new Set<string>();
  for (const cap of capabilities) {
    for (const source of cap.records ?? []) {
      const known = byCollection.get(source.collection);
      if (known) {
        if (known.kind !== source.kind) throw new Error(`record collection ${source.collection} is declared as kind ${known.kind} and as ${source.kind}`);
        continue;
      }
      if (kinds.has(source.kind)) throw new Error(`record kind ${source.kind} is declared for two collections`);
      byCollection.set(source.collection, source);
      kinds.add(source.kind);
    }
  }
  return [...byCollection.values()];
}

/** A document id as text: an ObjectId's hex, a string itself. */
export function idText(id: unknown): string {
  return id instanceof Types.ObjectId ? id.toHexString() : String(id);
}

/** The id of leaf `j` of a document of `source` (see the file comment). */
export function recordId(source: RecordSource, docId: unknown, j: number): string {
  if (source.collection === ACCESS_LOG_RECORDS.collection) return `${idText(docId)}.${j}`;
  return source.leaves ? `${source.kind}:${idText(docId)}#${j}` : `${source.kind}:${idText(docId)}`;
}

/** Where a record id points: the source, the document id (as stored) and the leaf within it; null when it names nothing. */
export interface RecordRef {
  source: RecordSource;
  docId: Types.ObjectId | string;
  leaf: number;
}

const HEX24 = /^[0-9a-f]{24}$/;

function storedId(text: string): Types.ObjectId | string {
  return HEX24.test(text) ? new Types.ObjectId(text) : text;
}

/** Parses a record id; null when it has none of the three forms or names an undeclared kind. */
export function parseRecordId(text: string, sources: readonly RecordSource[]): RecordRef | null {
  const entry = /^([0-9a-f]{24})\.(0|[1-9][0-9]{0,5})$/.exec(text);
  if (entry) {
    const source = sources.find((s) => s.collection === ACCESS_LOG_RECORDS.collection);
    return source ? { source, docId: new Types.ObjectId(entry[1]), leaf: Number(entry[2]) } : null;
  }
  const other = /^([A-Za-z][A-Za-z0-9_.-]{0,63}):([A-Za-z0-9_.:-]{1,128}?)(?:#(0|[1-9][0-9]{0,5}))?$/.exec(text);
  if (!other) return null;
  const source = sources.find((s) => s.kind === other[1]);
  if (!source || source.collection === ACCESS_LOG_RECORDS.collection) return null;
  if (!!source.leaves !== (other[3] !== undefined)) return null;
  return { source, docId: storedId(other[2]!), leaf: other[3] === undefined ? 0 : Number(other[3]) };
}

/** The time a document says it was written: its ObjectId's time, else its `at`; null when it says neither. */
export function writtenAt(doc: Record<string, unknown>): number | null {
  if (doc._id instanceof Types.ObjectId) return doc._id.getTimestamp().getTime();
  return doc.at instanceof Date ? doc.at.getTime() : null;
}

/**
 * When a document was inserted, as far as its id proves it: an ObjectId's time (made by the driver
 * at insert); null for any other id (an `at` field may be a business time, e.g. of a backup).
 */
export function insertedAt(doc: Record<string, unknown>): number | null {
  return doc._id instanceof Types.ObjectId ? doc._id.getTimestamp().getTime() : null;
}
