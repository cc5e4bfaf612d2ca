/**
 * The ordered entries of one index: (key, record) pairs sorted by key in the index's order, ties
 * by record id (insertion sequence), as a list of sorted chunks. Inserting into or removing from a
 * chunk moves at most CHUNK entries, so appends and random inserts both stay cheap at a million
 * entries; seeking a bound is a binary search over the chunks, then within one.
 */
import type { Document } from 'bson';

/** A stored document and its record id. The document object is replaced on update; the record stays. */
export interface Rec {
  doc: Document;
  /** Insertion sequence: the natural order, and mongod's RecordId for tie-breaking. */
  readonly seq: number;
  /** Set once the document is deleted (readers holding the record skip it). */
  removed?: boolean;
}

/** Compares an entry's key with a bound's key (a prefix of a compound key, or a whole key). */
export type BoundCompare = (entryKey: unknown, boundKey: unknown) => number;

/** One side of a scan range. */
export interface Bound {
  key: unknown;
  inclusive: boolean;
}

const CHUNK = 128;

interface Chunk {
  keys: unknown[];
  recs: Rec[];
}

interface Pos {
  c: number;
  i: number;
}

export class OrderedIndex {
  private chunks: Chunk[] = [];
  private count = 0;

  constructor(
    /** Full-key comparison in index order. */
    private readonly compareKeys: (a: unknown, b: unknown) => number,
    /** Entry key against a (possibly prefix) bound key, in index order. */
    private readonly compareBound: BoundCompare,
  ) {}

  get size(): number {
    return this.count;
  }

  private cmpEntry(key: unknown, seq: number, ck: unknown, cs: number): number {
    return this.compareKeys(ck, key) || cs - seq;
  }

  /** The position of the first entry not below (key, seq). */
  private seekEntry(key: unknown, seq: number): Pos {
    const chunks = this.chunks;
    let lo = 0;
    let hi = chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const ch = chunks[mid];
      const last = ch.keys.length - 1;
      if (this.cmpEntry(key, seq, ch.keys[last], ch.recs[last].seq) < 0) lo = mid + 1;
      else hi = mid;
    }
    if (lo === chunks.length) return { c: lo, i: 0 };
    const ch = chunks[lo];
    let a = 0;
    let b = ch.keys.length;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (this.cmpEntry(key, seq, ch.keys[mid], ch.recs[mid].seq) < 0) a = mid + 1;
      else b = mid;
    }
    return { c: lo, i: a };
  }

  insert(key: unknown, rec: Rec): void {
    this.count++;
    const chunks = this.chunks;
    if (chunks.length === 0) {
      chunks.push({ keys: [key], recs: [rec] });
      return;
    }
    // Appends (increasing keys, the common case for _id and timestamps) go straight to the end.
    const tail = chunks[chunks.length - 1];
    const lastAt = tail.keys.length - 1;
    let c: number;
    let i: number;
    if (this.cmpEntry(key, rec.seq, tail.keys[lastAt], tail.recs[lastAt].seq) < 0) {
      c = chunks.length - 1;
      i = tail.keys.length;
    } else {
      ({ c, i } = this.seekEntry(key, rec.seq));
      if (c === chunks.length) {
        c = chunks.length - 1;
        i = chunks[c].keys.length;
      }
    }
    const ch = chunks[c];
    if (i === ch.keys.length) {
      ch.keys.push(key);
      ch.recs.push(rec);
    } else {
      ch.keys.splice(i, 0, key);
      ch.recs.splice(i, 0, rec);
    }
    if (ch.keys.length > CHUNK * 2) {
      const half = ch.keys.length >>> 1;
      chunks.splice(c + 1, 0, { keys: ch.keys.splice(half), recs: ch.recs.splice(half) });
    }
  }

  /** Removes the entry (key, rec). Returns false when it was not there. */
  remove(key: unknown, rec: Rec): boolean {
    const { c, i } = this.seekEntry(key, rec.seq);
    const ch = this.chunks[c];
    if (!ch || ch.recs[i] !== rec) return false;
    ch.keys.splice(i, 1);
    ch.recs.splice(i, 1);
    if (ch.keys.length === 0) this.chunks.splice(c, 1);
    this.count--;
    return true;
  }

  /** First position whose entry is inside the bound from below (`null`: the start). */
  private lowerPos(bound: Bound | null): Pos {
    if (!bound) return { c: 0, i: 0 };
    // Entries below the bound: compare < 0 (inclusive) or <= 0 (exclusive), i.e. compare < limit.
    return this.firstNot(bound.key, bound.inclusive ? 0 : 1);
  }

  /** First position past the bound from above (`null`: the end). */
  private upperPos(bound: Bound | null): Pos {
    if (!bound) return { c: this.chunks.length, i: 0 };
    return this.firstNot(bound.key, bound.inclusive ? 1 : 0);
  }

  /**
   * The first position whose key compares to `key` at `limit` or above (the entries compare below
   * it for a prefix of the index). No closure: this runs for every bound of every scan.
   */
  private firstNot(key: unknown, limit: 0 | 1): Pos {
    const chunks = this.chunks;
    const cmp = this.compareBound;
    let lo = 0;
    let hi = chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const keys = chunks[mid].keys;
      if (cmp(keys[keys.length - 1], key) < limit) lo = mid + 1;
      else hi = mid;
    }
    if (lo === chunks.length) return { c: lo, i: 0 };
    const keys = chunks[lo].keys;
    let a = 0;
    let b = keys.length;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (cmp(keys[mid], key) < limit) a = mid + 1;
      else b = mid;
    }
    return { c: lo, i: a };
  }

  private normal(p: Pos): Pos {
    if (p.c < this.chunks.length && p.i >= this.chunks[p.c].keys.length) return { c: p.c + 1, i: 0 };
    return p;
  }

  /** Number of entries between the bounds. */
  countRange(lo: Bound | null, hi: Bound | null, cap = Infinity): number {
    if (!lo && !hi) return this.count;
    const a = this.normal(this.lowerPos(lo));
    const b = this.normal(this.upperPos(hi));
    if (a.c > b.c || (a.c === b.c && a.i >= b.i)) return 0;
    if (a.c === b.c) return b.i - a.i;
    let n = this.chunks[a.c].keys.length - a.i;
    for (let c = a.c + 1; c < b.c && n < cap; c++) n += this.chunks[c].keys.length;
    return n + b.i;
  }

  /** The entries between the bounds, in index order or (reverse) against it. */
  *range(lo: Bound | null, hi: Bound | null, reverse = false): Generator<[unknown, Rec]> {
    const a = this.normal(this.lowerPos(lo));
    const b = this.normal(this.upperPos(hi));
    if (a.c > b.c || (a.c === b.c && a.i >= b.i)) return;
    const chunks = this.chunks;
    if (!reverse) {
      for (let c = a.c; c <= b.c && c < chunks.length; c++) {
        const ch = chunks[c];
        const end = c === b.c ? b.i : ch.keys.length;
        for (let i = c === a.c ? a.i : 0; i < end; i++) yield [ch.keys[i], ch.recs[i]];
      }
      return;
    }
    for (let c = Math.min(b.c, chunks.length - 1); c >= a.c; c--) {
      const ch = chunks[c];
      const end = c === b.c ? b.i : ch.keys.length;
      const start = c === a.c ? a.i : 0;
      for (let i = end - 1; i >= start; i--) yield [ch.keys[i], ch.recs[i]];
    }
  }

  clear(): void {
    this.chunks = [];
    this.count = 0;
  }
}
