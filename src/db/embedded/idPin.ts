/**
 * Which exact `_id` values a filter pins, so a collection can look its candidates up in the `_id`
 * map instead of testing every document, and the filter left to test on those candidates.
 *
 * A pin is found at top level, inside a (nested) `$and`, and, failing those, inside an `$or` with
 * one branch or whose every branch pins `_id` (CASL's `accessibleBy` output has that shape).
 *
 * When every pinned value is a string or a number, the pinned conjunct is exact: a stored
 * document whose `_id` is a string or number has the canonical key of a pinned value exactly when
 * mingo's `$eq`/`$in` matches it. The conjunct is then removed from the residual filter (mingo's
 * `$in` over m values costs a hash map of m entries per document), and the caller keeps only
 * candidates with a string or number `_id` (mingo would reject the others, e.g. a Decimal128 whose
 * canonical key equals a pinned number's). Otherwise the residual is the whole filter.
 */
import type { Document } from 'bson';

export interface IdPin {
  /** The pinned values in the filter's order (possibly repeated: callers deduplicate by key). */
  values: unknown[];
  /**
   * True when the pin came from an `$or`: candidates are then returned in natural order (as the
   * unnarrowed scan did before `$or` was recognised). Pins found at top level or in `$and` keep
   * the order of the pinned values.
   */
  fromOr: boolean;
  /** True when the pinned conjunct was removed from `residual` (see the file comment). */
  stripped: boolean;
  /** The filter to apply to the candidates. */
  residual: Document;
}

function isPlainObject(v: unknown): v is Document {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** A single BSON value (not an array, regex or sub-document): usable as an exact lookup key. */
export function isScalar(v: unknown): boolean {
  if (v === null || v === undefined) return false;
  if (typeof v !== 'object') return true;
  if (v instanceof Date) return true;
  if (Array.isArray(v) || v instanceof RegExp) return false;
  return typeof (v as { _bsontype?: unknown })._bsontype === 'string';
}

/** An `_id` value is usable as an exact lookup key (not an operator expression or regex). */
function isExactValue(v: unknown): boolean {
  if (isScalar(v)) return true;
  if (v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof RegExp)) {
    return Object.keys(v as Document).every((k) => !k.startsWith('$'));
  }
  return false;
}

/** Values whose canonical-key match is exactly mingo's equality for string/number `_id`s. */
function isKeyExact(v: unknown): boolean {
  return typeof v === 'string' || typeof v === 'number';
}

/** The exact values an `_id` condition allows: `v`, `{ $eq: v }` or `{ $in: [scalars] }`. */
function exactValues(v: unknown): unknown[] | undefined {
  if (isExactValue(v)) return [v];
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const ops = Object.keys(v as Document);
  if (ops.length !== 1) return undefined;
  const arg = (v as Document)[ops[0]];
  if (ops[0] === '$eq' && isExactValue(arg)) return [arg];
  if (ops[0] === '$in' && Array.isArray(arg) && arg.every((a) => isScalar(a))) return arg;
  return undefined;
}

function isEmptyFilter(f: Document): boolean {
  return Object.keys(f).length === 0;
}

function find(f: Document, withOr: boolean): IdPin | undefined {
  if (f._id !== undefined) {
    const values = exactValues(f._id);
    if (values) {
      const stripped = values.every(isKeyExact);
      let residual = f;
      if (stripped) {
        residual = { ...f };
        delete residual._id;
      }
      return { values, fromOr: false, stripped, residual };
    }
  }
  if (Array.isArray(f.$and)) {
    for (let i = 0; i < f.$and.length; i++) {
      const part: unknown = f.$and[i];
      if (!isPlainObject(part)) continue;
      const pin = find(part, withOr);
      if (!pin) continue;
      if (!pin.stripped) return { ...pin, residual: f };
      const and = f.$and.slice();
      and[i] = pin.residual;
      return { ...pin, residual: { ...f, $and: and } };
    }
  }
  if (withOr && Array.isArray(f.$or) && f.$or.length > 0) {
    const branches = f.$or.map((b: unknown) => (isPlainObject(b) ? find(b, withOr) : undefined));
    if (branches.every((b): b is IdPin => b !== undefined)) {
      const values = branches.length === 1 ? branches[0].values : branches.flatMap((b) => b.values);
      if (branches.length === 1) {
        const [only] = branches;
        return { values, fromOr: true, stripped: only.stripped, residual: only.stripped ? { ...f, $or: [only.residual] } : f };
      }
      // Several branches: each candidate matches its own branch's pin, so the whole $or holds
      // only when every branch is nothing but an exact pin.
      const stripped = branches.every((b) => b.stripped && isEmptyFilter(b.residual));
      return { values, fromOr: true, stripped, residual: stripped ? { ...f, $or: [{}] } : f };
    }
  }
  return undefined;
}

/**
 * The `_id` pin of `filter`, if any. Pins at top level or in `$and` win over pins in `$or` (the
 * forms recognised first keep their earlier behaviour).
 */
export function pinIds(filter: Document): IdPin | undefined {
  return find(filter, false) ?? find(filter, true);
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
    if (k === '$and') return Array.isArray(v) && v.length > 0 && v.every((p) => isPlainObject(p) && matchesAll(p));
    if (k === '$or') return Array.isArray(v) && v.length > 0 && v.every((p) => isPlainObject(p) && matchesAll(p));
    return false;
  });
}
