/**
 * What a filter says about single fields, as index bounds: the conjuncts of its top level (and of
 * nested `$and`s), each a path and its condition, and for each condition the intervals of values
 * it can match (points for equality and `$in`, type-bracketed ranges for `$gt`/`$lt`…). Intervals
 * are a superset of what the filter matches; the planner scans them and the filter still decides,
 * except for conjuncts it proves exact (see `exactOperand`).
 */
import type { Document } from 'bson';
import { compareValues, TypeEdge, typeRank } from '../storage/bsonOrder';

/** Values between `lo` and `hi` in mongod's order (ascending). */
export interface Interval {
  lo: unknown;
  loInc: boolean;
  hi: unknown;
  hiInc: boolean;
}

/** One top-level (or `$and`-nested) field condition of a filter. */
export interface Conjunct {
  path: string;
  cond: unknown;
  /** The object that holds `path`, to remove the conjunct from a residual filter. */
  owner: Document;
}

/** A condition's bounds: each analysed operator's intervals, and whether every operator was analysed. */
export interface Bounds {
  ops: Array<{ points: boolean; intervals: Interval[]; exact: boolean }>;
  /** Every operator of the condition has intervals (nothing else, e.g. `$ne`, is left to test). */
  complete: boolean;
}

export function isPlainObject(v: unknown): v is Document {
  return !!v && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

/** A single BSON value (not an array, regex or sub-document): usable as an exact lookup key. */
export function isScalar(v: unknown): boolean {
  if (v === null || v === undefined) return false;
  if (typeof v !== 'object') return true;
  if (v instanceof Date) return true;
  if (Array.isArray(v) || v instanceof RegExp) return false;
  return typeof (v as { _bsontype?: unknown })._bsontype === 'string' && (v as { _bsontype: string })._bsontype !== 'BSONRegExp';
}

/**
 * True for filters that match every document and cannot fail to compile: `{}`, and `$and`/`$or`
 * whose every part is such a filter.
 */
export function matchesAll(filter: Document): boolean {
  if (Object.getPrototypeOf(filter) !== Object.prototype) return false;
  const keys = Object.keys(filter);
  if (keys.length === 0) return true;
  return keys.every((k) => {
    const v = filter[k];
    if (k === '$and' || k === '$or') return Array.isArray(v) && v.length > 0 && v.every((p) => isPlainObject(p) && matchesAll(p));
    return false;
  });
}

/** `{ $or: [x] }` matches what `x` matches: its conditions are conjuncts like those of an `$and`. */
function isSingleOr(k: string, v: unknown): boolean {
  return k === '$or' && Array.isArray(v) && v.length === 1 && isPlainObject(v[0]);
}

/** The field conjuncts of a filter and its `$or` nodes (with their owners), through nested `$and`s. */
export function conjunctsOf(filter: Document): { fields: Conjunct[]; ors: Array<{ branches: Document[]; owner: Document }> } {
  const fields: Conjunct[] = [];
  const ors: Array<{ branches: Document[]; owner: Document }> = [];
  const visit = (f: Document): void => {
    for (const [k, v] of Object.entries(f)) {
      if ((k === '$and' || isSingleOr(k, v)) && Array.isArray(v)) {
        for (const part of v) if (isPlainObject(part)) visit(part);
      } else if (k === '$or' && Array.isArray(v) && v.length > 0 && v.every(isPlainObject)) {
        ors.push({ branches: v as Document[], owner: f });
      } else if (!k.startsWith('$')) {
        fields.push({ path: k, cond: v, owner: f });
      }
    }
  };
  visit(filter);
  return { fields, ors };
}

/**
 * Operand types for which the index order and the filter agree exactly on equality and ranges:
 * a conjunct made only of these, on a field no document holds an array for, is decided by the scan.
 */
function exactOperand(v: unknown): boolean {
  if (typeof v === 'string' || typeof v === 'boolean' || v instanceof Date) return true;
  return (v as { _bsontype?: string } | null)?._bsontype === 'ObjectId';
}

/** A value an index point can stand for (equality in mongod's order is equality in the filter's). */
function pointable(v: unknown): boolean {
  return v === null || (isScalar(v) && !(typeof v === 'number' && Number.isNaN(v)));
}

function point(v: unknown): Interval {
  return { lo: v, loInc: true, hi: v, hiInc: true };
}

/** Sorted, de-duplicated points. */
function points(values: unknown[]): Interval[] {
  const sorted = values.slice().sort((a, b) => compareValues(a, b));
  const out: Interval[] = [];
  for (const v of sorted) if (!out.length || compareValues(out[out.length - 1].lo, v) !== 0) out.push(point(v));
  return out;
}

/** Type ranks a range operand may bracket (numbers, strings, binData, ObjectId, bool, date, timestamp). */
const RANGE_TYPES = new Set([10, 15, 30, 35, 40, 45, 47]);

function range(op: string, v: unknown): Interval | undefined {
  const rank = typeRank(v);
  if (!RANGE_TYPES.has(rank) || (typeof v === 'number' && Number.isNaN(v))) return undefined;
  const low = new TypeEdge(rank, false);
  const high = new TypeEdge(rank, true);
  switch (op) {
    case '$gt':
      return { lo: v, loInc: false, hi: high, hiInc: true };
    case '$gte':
      return { lo: v, loInc: true, hi: high, hiInc: true };
    case '$lt':
      return { lo: low, loInc: true, hi: v, hiInc: false };
    case '$lte':
      return { lo: low, loInc: true, hi: v, hiInc: true };
    default:
      return undefined;
  }
}

/** The bounds of one field condition (`{ f: v }`, `{ f: { $in: [...] } }`, `{ f: { $gte: a, $lt: b } }`). */
export function boundsOf(cond: unknown): Bounds {
  const isOps = isPlainObject(cond) && Object.keys(cond).length > 0 && Object.keys(cond).every((k) => k.startsWith('$'));
  if (!isOps) {
    if (!pointable(cond)) return { ops: [], complete: false };
    return { ops: [{ points: true, intervals: [point(cond)], exact: exactOperand(cond) }], complete: true };
  }
  const ops: Bounds['ops'] = [];
  let complete = true;
  for (const [op, v] of Object.entries(cond as Document)) {
    if (op === '$eq' && pointable(v)) ops.push({ points: true, intervals: [point(v)], exact: exactOperand(v) });
    else if (op === '$in' && Array.isArray(v) && v.every(pointable)) {
      ops.push({ points: true, intervals: points(v), exact: v.every(exactOperand) });
    } else {
      const r = range(op, v);
      if (r) ops.push({ points: false, intervals: [r], exact: exactOperand(v) });
      else complete = false;
    }
  }
  ops.sort((a, b) => Number(b.points) - Number(a.points));
  return { ops, complete };
}

function cmpLo(a: Interval, b: Interval): number {
  return compareValues(a.lo, b.lo) || (a.loInc === b.loInc ? 0 : a.loInc ? -1 : 1);
}

function cmpHi(a: Interval, b: Interval): number {
  return compareValues(a.hi, b.hi) || (a.hiInc === b.hiInc ? 0 : a.hiInc ? 1 : -1);
}

function nonEmpty(i: Interval): boolean {
  const c = compareValues(i.lo, i.hi);
  return c < 0 || (c === 0 && i.loInc && i.hiInc);
}

/** The intersection of two sorted, disjoint interval lists. */
export function intersect(a: Interval[], b: Interval[]): Interval[] {
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = cmpLo(a[i], b[j]) >= 0 ? a[i] : b[j];
    const hi = cmpHi(a[i], b[j]) <= 0 ? a[i] : b[j];
    const r: Interval = { lo: lo.lo, loInc: lo.loInc, hi: hi.hi, hiInc: hi.hiInc };
    if (nonEmpty(r)) out.push(r);
    if (cmpHi(a[i], b[j]) <= 0) i++;
    else j++;
  }
  return out;
}

/** Whether a value lies in one of the intervals. */
export function within(intervals: Interval[], v: unknown): boolean {
  for (const iv of intervals) {
    const lo = compareValues(v, iv.lo);
    if (lo < 0 || (lo === 0 && !iv.loInc)) continue;
    const hi = compareValues(v, iv.hi);
    if (hi < 0 || (hi === 0 && iv.hiInc)) return true;
  }
  return false;
}

/** Whether `null` (a missing field) can be in the intervals: sparse indexes do not hold it. */
export function admitsNull(intervals: Interval[]): boolean {
  return within(intervals, null) || within(intervals, undefined);
}

/**
 * The filter without the given conjuncts (`owner` → paths to drop), `$and`s rebuilt around them.
 * The original filter is not modified.
 */
export function withoutConjuncts(filter: Document, drop: Map<Document, Set<string>>): Document {
  const rebuild = (f: Document): Document => {
    const gone = drop.get(f);
    const out: Document = {};
    for (const [k, v] of Object.entries(f)) {
      if (gone?.has(k)) continue;
      if (k === '$and' && Array.isArray(v) && v.length > 0) {
        const parts = v.map((p) => (isPlainObject(p) ? rebuild(p) : p)).filter((p) => !(isPlainObject(p) && Object.keys(p).length === 0));
        if (parts.length) out.$and = parts;
        continue;
      }
      if (isSingleOr(k, v)) {
        const branch = rebuild((v as Document[])[0]);
        if (Object.keys(branch).length) out.$or = [branch];
        continue;
      }
      out[k] = v;
    }
    return out;
  };
  return rebuild(filter);
}
