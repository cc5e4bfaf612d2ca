/**
 * mongod's total order over BSON values, used for index keys and for sorting: first the canonical
 * type order (MinKey < undefined < null < numbers < strings < objects < arrays < binData <
 * ObjectId < bool < date < timestamp < regex < … < MaxKey), then the value within the type.
 * Numbers of every width compare by exact value (NaN first); strings compare by code point (the
 * UTF-8 byte order mongod uses without a collation); documents compare field by field (type,
 * name, value); arrays element by element; binData by length, subtype, then bytes.
 *
 * `TypeEdge` values bound a type's range in an index scan: `{ $gt: 5 }` scans (5, end of numbers].
 */
import type { Document } from 'bson';

/** A string comparison other than the binary one (a collation). */
export type StringCompare = (a: string, b: string) => number;

/** The lowest or highest key of one canonical type, for type-bracketed index bounds. */
export class TypeEdge {
  constructor(
    readonly rank: number,
    /** true: above every value of the type; false: below every value of it. */
    readonly high: boolean,
  ) {}
}

const MIN_KEY = -1;
const MAX_KEY = 127;

interface Tagged {
  _bsontype?: string;
}

/** bson 7 keeps an ObjectId's 12 bytes as four 24-bit integers (its `id` getter copies them). */
interface ObjectIdParts {
  _bsontype?: string;
  i0: number;
  i1: number;
  i2: number;
  i3: number;
}

/** mongod's canonical type rank of a value (`canonicalizeBSONType`). */
export function typeRank(v: unknown): number {
  if (v === undefined) return 0;
  if (v === null) return 5;
  switch (typeof v) {
    case 'number':
    case 'bigint':
      return 10;
    case 'string':
      return 15;
    case 'boolean':
      return 40;
    default:
      break;
  }
  if (Array.isArray(v)) return 25;
  if (v instanceof Date) return 45;
  if (v instanceof RegExp) return 50;
  if (v instanceof TypeEdge) return v.rank;
  switch ((v as Tagged)._bsontype) {
    case undefined:
      return 20;
    case 'Int32':
    case 'Double':
    case 'Long':
    case 'Decimal128':
      return 10;
    case 'BSONSymbol':
      return 15;
    case 'Binary':
      return 30;
    case 'ObjectId':
      return 35;
    case 'Timestamp':
      return 47;
    case 'BSONRegExp':
      return 50;
    case 'DBRef':
      return 55;
    case 'Code':
      return (v as { scope?: unknown }).scope ? 65 : 60;
    case 'MinKey':
      return MIN_KEY;
    case 'MaxKey':
      return MAX_KEY;
    default:
      return 20;
  }
}

function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/** Characters where UTF-16 code unit order and code point order can disagree. */
const HIGH = /[\ud800-\uffff]/;

/** Code point order (UTF-8 byte order), not JavaScript's UTF-16 code unit order. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  if (!HIGH.test(a) || !HIGH.test(b)) return a < b ? -1 : 1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (code points above U+FFFF) sort after U+E000..U+FFFF in code point order.
    if (x >= 0xd800 && y >= 0xd800) {
      x += x >= 0xe000 ? -0x800 : 0x2000;
      y += y >= 0xe000 ? -0x800 : 0x2000;
    }
    return x < y ? -1 : 1;
  }
  return sign(a.length - b.length);
}

/** An exact rational p / q (q > 0) for a finite number; `undefined` for NaN and infinities. */
type Exact = { p: bigint; q: bigint };
type NumericForm = { kind: 'nan' } | { kind: 'inf'; negative: boolean } | { kind: 'finite'; value: Exact; approx: number };

function exactOfDouble(x: number): Exact {
  if (Number.isInteger(x)) return { p: BigInt(x), q: 1n };
  // x = mantissa * 2^exponent, exactly.
  let exp = 0;
  let m = x;
  while (!Number.isInteger(m)) {
    m *= 2;
    exp++;
  }
  return { p: BigInt(m), q: 1n << BigInt(exp) };
}

function exactOfDecimalString(s: string): NumericForm {
  if (s === 'NaN' || s === '-NaN') return { kind: 'nan' };
  if (s === 'Infinity' || s === '-Infinity') return { kind: 'inf', negative: s.startsWith('-') };
  const m = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s);
  if (!m) return { kind: 'nan' };
  const digits = (m[2] ?? '') + (m[3] ?? '');
  let exp = Number(m[4] ?? 0) - (m[3]?.length ?? 0);
  let p = BigInt(digits || '0');
  if (m[1] === '-') p = -p;
  let q = 1n;
  if (exp >= 0) p *= 10n ** BigInt(exp);
  else q = 10n ** BigInt(-exp);
  return { kind: 'finite', value: { p, q }, approx: Number(s) };
}

function numericForm(v: unknown): NumericForm {
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return { kind: 'nan' };
    if (!Number.isFinite(v)) return { kind: 'inf', negative: v < 0 };
    return { kind: 'finite', value: exactOfDouble(v), approx: v };
  }
  if (typeof v === 'bigint') return { kind: 'finite', value: { p: v, q: 1n }, approx: Number(v) };
  const t = (v as Tagged)._bsontype;
  if (t === 'Long') {
    const big = (v as { toBigInt(): bigint }).toBigInt();
    return { kind: 'finite', value: { p: big, q: 1n }, approx: Number(big) };
  }
  if (t === 'Decimal128') return exactOfDecimalString((v as { toString(): string }).toString());
  return numericForm(Number((v as { valueOf(): number }).valueOf()));
}

function compareNumbers(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') {
    if (a < b) return -1;
    if (a > b) return 1;
    if (a === b) return 0;
    // NaN equals NaN and is below every other number.
    const an = Number.isNaN(a);
    const bn = Number.isNaN(b);
    return an && bn ? 0 : an ? -1 : 1;
  }
  const x = numericForm(a);
  const y = numericForm(b);
  if (x.kind === 'nan' || y.kind === 'nan') return x.kind === y.kind ? 0 : x.kind === 'nan' ? -1 : 1;
  if (x.kind === 'inf' || y.kind === 'inf') {
    const xv = x.kind === 'inf' ? (x.negative ? -1 : 1) : 0;
    const yv = y.kind === 'inf' ? (y.negative ? -1 : 1) : 0;
    return sign(xv - yv);
  }
  if (x.approx !== y.approx && Math.abs(x.approx - y.approx) > 1e-6 * Math.max(1, Math.abs(x.approx))) return x.approx < y.approx ? -1 : 1;
  const l = x.value.p * y.value.q;
  const r = y.value.p * x.value.q;
  return l < r ? -1 : l > r ? 1 : 0;
}

function bytesOf(v: unknown): Uint8Array {
  const b = v as { buffer?: Uint8Array; id?: Uint8Array; read?: (pos: number, len: number) => Uint8Array; length?: () => number };
  return b.id ?? b.buffer ?? new Uint8Array();
}

function compareBytes(x: Uint8Array, y: Uint8Array): number {
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
  return sign(x.length - y.length);
}

function binaryBytes(v: unknown): Uint8Array {
  const b = v as { buffer: Uint8Array; position: number; length(): number };
  return b.buffer.subarray(0, b.length());
}

function compareDocuments(a: Document, b: Document, str: StringCompare | undefined): number {
  const ka = Object.keys(a).filter((k) => a[k] !== undefined);
  const kb = Object.keys(b).filter((k) => b[k] !== undefined);
  const n = Math.min(ka.length, kb.length);
  for (let i = 0; i < n; i++) {
    const va = a[ka[i]];
    const vb = b[kb[i]];
    const t = typeRank(va) - typeRank(vb);
    if (t) return sign(t);
    const names = compareStrings(ka[i], kb[i]);
    if (names) return names;
    const c = compareValues(va, vb, str);
    if (c) return c;
  }
  return sign(ka.length - kb.length);
}

function compareArrays(a: unknown[], b: unknown[], str: StringCompare | undefined): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const t = typeRank(a[i]) - typeRank(b[i]);
    if (t) return sign(t);
    const c = compareValues(a[i], b[i], str);
    if (c) return c;
  }
  return sign(a.length - b.length);
}

/**
 * Compares two BSON values in mongod's order: negative, zero or positive. `str` replaces the
 * binary string comparison (collation); it applies to strings at any depth.
 */
export function compareValues(a: unknown, b: unknown, str?: StringCompare): number {
  if (a === b) return 0;
  // Fast paths for the common keys: strings, numbers, ObjectIds.
  const ta = typeof a;
  if (ta === typeof b) {
    if (ta === 'string') return str ? sign(str(a as string, b as string)) : compareStrings(a as string, b as string);
    if (ta === 'number') return compareNumbers(a, b);
    if (ta === 'object' && a !== null && b !== null) {
      const x = a as ObjectIdParts;
      const y = b as ObjectIdParts;
      if (x._bsontype === 'ObjectId' && y._bsontype === 'ObjectId' && typeof x.i0 === 'number' && typeof y.i0 === 'number') {
        return x.i0 !== y.i0 ? sign(x.i0 - y.i0) : x.i1 !== y.i1 ? sign(x.i1 - y.i1) : x.i2 !== y.i2 ? sign(x.i2 - y.i2) : sign(x.i3 - y.i3);
      }
    }
  }
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  if (a instanceof TypeEdge || b instanceof TypeEdge) {
    const ea = a instanceof TypeEdge ? (a.high ? 1 : -1) : 0;
    const eb = b instanceof TypeEdge ? (b.high ? 1 : -1) : 0;
    return sign(ea - eb);
  }
  switch (ra) {
    case 0:
    case 5:
    case MIN_KEY:
    case MAX_KEY:
      return 0;
    case 10:
      return compareNumbers(a, b);
    case 15: {
      const x = String(a);
      const y = String(b);
      return str ? sign(str(x, y)) : compareStrings(x, y);
    }
    case 20:
      return compareDocuments(a as Document, b as Document, str);
    case 25:
      return compareArrays(a as unknown[], b as unknown[], str);
    case 30: {
      const x = binaryBytes(a);
      const y = binaryBytes(b);
      if (x.length !== y.length) return sign(x.length - y.length);
      const st = (a as { sub_type: number }).sub_type - (b as { sub_type: number }).sub_type;
      if (st) return sign(st);
      return compareBytes(x, y);
    }
    case 35:
      return compareBytes(bytesOf(a), bytesOf(b));
    case 40:
      return a === b ? 0 : a ? 1 : -1;
    case 45:
      return sign((a as Date).getTime() - (b as Date).getTime());
    case 47: {
      const x = a as { t: number; i: number };
      const y = b as { t: number; i: number };
      return x.t !== y.t ? sign(x.t - y.t) : sign(x.i - y.i);
    }
    case 50: {
      const x = a instanceof RegExp ? { p: a.source, f: a.flags } : { p: (a as { pattern: string }).pattern, f: (a as { options: string }).options };
      const y = b instanceof RegExp ? { p: b.source, f: b.flags } : { p: (b as { pattern: string }).pattern, f: (b as { options: string }).options };
      return compareStrings(x.p, y.p) || compareStrings(x.f, y.f);
    }
    case 60:
    case 65:
      return compareStrings(String((a as { code: string }).code), String((b as { code: string }).code));
    default:
      return compareDocuments(a as Document, b as Document, str);
  }
}

/** True when two values are equal in mongod's order (1 equals 1.0 and NumberLong(1)). */
export function sameValue(a: unknown, b: unknown): boolean {
  return compareValues(a, b) === 0;
}
