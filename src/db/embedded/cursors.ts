/**
 * Server-side cursors. A query's results are materialised when the cursor opens (documents are
 * immutable snapshots, see Collection) and handed out in batches by getMore.
 */
import { Long, type Document } from 'bson';
import { bsonSize } from './docSize';
import { CommandError } from './errors';

/** mongod's default first batch size for find and aggregate. */
export const DEFAULT_FIRST_BATCH = 101;
/** A batch stops growing once it reaches this many bytes (mongod's 16 MB reply budget). */
const MAX_BATCH_BYTES = 16 * 1024 * 1024 - 16 * 1024;
/** Idle cursors are reaped after this long (mongod's cursorTimeoutMillis default: 10 minutes). */
export const CURSOR_TIMEOUT_MS = 10 * 60 * 1000;

interface OpenCursor {
  ns: string;
  docs: Document[];
  pos: number;
  lastUsed: number;
  /** `noCursorTimeout`: never reaped for idleness (killCursors or exhaustion ends it). */
  immortal: boolean;
}

export interface CursorReply {
  [key: string]: unknown;
  cursor: Document;
  ok: 1;
}

export class CursorRegistry {
  private readonly open = new Map<number, OpenCursor>();
  private nextId = 1 + Math.floor(Math.random() * 2 ** 40);

  get size(): number {
    return this.open.size;
  }

  private take(c: OpenCursor, max: number | undefined): Document[] {
    const out: Document[] = [];
    let bytes = 0;
    const limit = max === undefined || max <= 0 ? Infinity : max;
    while (c.pos < c.docs.length && out.length < limit) {
      const doc = c.docs[c.pos];
      bytes += bsonSize(doc);
      if (out.length > 0 && bytes > MAX_BATCH_BYTES) break;
      out.push(doc);
      c.pos++;
    }
    return out;
  }

  /**
   * The reply to a cursor-producing command: the first batch (default 101 documents;
   * `batchSize: 0` gives an empty one) and a cursor id, 0 when everything fit or `singleBatch`.
   */
  first(ns: string, docs: Document[], batchSize: number | undefined, singleBatch = false, noTimeout = false): CursorReply {
    const c: OpenCursor = { ns, docs, pos: 0, lastUsed: Date.now(), immortal: noTimeout };
    const firstBatch = batchSize === 0 ? [] : this.take(c, batchSize ?? DEFAULT_FIRST_BATCH);
    let id = 0;
    if (!singleBatch && c.pos < docs.length) {
      id = this.nextId++;
      this.open.set(id, c);
    }
    return { cursor: { firstBatch, id: Long.fromNumber(id), ns }, ok: 1 };
  }

  /** The next batch of an open cursor. Throws CursorNotFound (43) for unknown or killed ids. */
  more(id: number, ns: string, batchSize: number | undefined): CursorReply {
    const c = this.open.get(id);
    if (!c || c.ns !== ns) throw CommandError.of('CursorNotFound', `cursor id ${id} not found`);
    c.lastUsed = Date.now();
    const nextBatch = this.take(c, batchSize);
    const exhausted = c.pos >= c.docs.length;
    if (exhausted) this.open.delete(id);
    return { cursor: { nextBatch, id: Long.fromNumber(exhausted ? 0 : id), ns }, ok: 1 };
  }

  kill(id: number): boolean {
    return this.open.delete(id);
  }

  /** Drops cursors idle for longer than `maxIdleMs`. */
  sweep(maxIdleMs = CURSOR_TIMEOUT_MS): void {
    const cutoff = Date.now() - maxIdleMs;
    for (const [id, c] of this.open) if (!c.immortal && c.lastUsed < cutoff) this.open.delete(id);
  }

  clear(): void {
    this.open.clear();
  }
}
