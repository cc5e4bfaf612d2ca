/**
 * Compound index keys as order-preserving strings (in the spirit of mongod's KeyString): the
 * string comparison of two encodings gives the same order as comparing the key tuples in mongod's
 * BSON order (see bsonOrder), field directions included. An entry then costs one small string
 * instead of an array, and each comparison is a native one.
 *
 * Only the common key types are encoded: null/missing, doubles, strings, ObjectIds, booleans and
 * dates. A tuple holding anything else (a sub-document, an array, a Long, a Decimal128, binData…)
 * is kept as a plain array, compared by value; both forms can sit in one index because they
 * agree on the order. Every character is one byte (0–255), so V8 stores the string compactly.
 */
const RANK_BASE = 2;

function byte(n: number): string {
  return String.fromCharCode(n);
}

const f64 = new Float64Array(1);
const u8 = new Uint8Array(f64.buffer);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** 8 bytes whose order is the order of the doubles (NaN handled by the caller). */
function encodeDouble(x: number): string {
  f64[0] = x === 0 ? 0 : x;
  const bytes = LITTLE ? Array.from(u8).reverse() : Array.from(u8);
  if (bytes[0] & 0x80) for (let i = 0; i < 8; i++) bytes[i] ^= 0xff;
  else bytes[0] ^= 0x80;
  return String.fromCharCode(...bytes);
}

function decodeDouble(s: string, at: number): number {
  const bytes = new Array<number>(8);
  for (let i = 0; i < 8; i++) bytes[i] = s.charCodeAt(at + i);
  if (bytes[0] & 0x80) bytes[0] ^= 0x80;
  else for (let i = 0; i < 8; i++) bytes[i] ^= 0xff;
  const ordered = LITTLE ? bytes.reverse() : bytes;
  for (let i = 0; i < 8; i++) u8[i] = ordered[i];
  return f64[0];
}

const ASCII = /^[\u0001-\u007f]*$/;
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** UTF-8 bytes (code point order), 0x00 escaped as 00 01, terminated by 00 00. */
function encodeString(s: string): string {
  if (ASCII.test(s)) return s + '\u0000\u0000';
  let out = '';
  for (const b of utf8.encode(s)) out += b === 0 ? '\u0000\u0001' : byte(b);
  return out + '\u0000\u0000';
}

function decodeString(s: string, at: number): [string, number] {
  const bytes: number[] = [];
  let i = at;
  for (;;) {
    const b = s.charCodeAt(i);
    if (b === 0) {
      if (s.charCodeAt(i + 1) === 0) return [fromUtf8.decode(new Uint8Array(bytes)), i + 2];
      bytes.push(0);
      i += 2;
    } else {
      bytes.push(b);
      i++;
    }
  }
}

interface OidParts {
  i0: number;
  i1: number;
  i2: number;
  i3: number;
}

type OidClass = new (bytes: Uint8Array) => unknown;
let ObjectIdClass: OidClass | undefined;

/** One component, or undefined when its type is not encoded. */
function encodeValue(v: unknown): string | undefined {
  if (v === null || v === undefined) return byte(RANK_BASE + (v === null ? 5 : 0));
  switch (typeof v) {
    case 'number':
      return Number.isNaN(v) ? byte(RANK_BASE + 10) + '\u0000' : byte(RANK_BASE + 10) + '\u0001' + encodeDouble(v);
    case 'string':
      return byte(RANK_BASE + 15) + encodeString(v);
    case 'boolean':
      return byte(RANK_BASE + 40) + (v ? '\u0001' : '\u0000');
    default:
      break;
  }
  if (v instanceof Date) {
    const t = v.getTime();
    return Number.isNaN(t) ? undefined : byte(RANK_BASE + 45) + encodeDouble(t);
  }
  const o = v as { _bsontype?: string } & Partial<OidParts>;
  if (o._bsontype === 'ObjectId' && typeof o.i0 === 'number') {
    ObjectIdClass ??= (v as { constructor: OidClass }).constructor;
    const parts = [o.i0, o.i1!, o.i2!, o.i3!];
    let out = byte(RANK_BASE + 35);
    for (const p of parts) out += byte((p >>> 16) & 0xff) + byte((p >>> 8) & 0xff) + byte(p & 0xff);
    return out;
  }
  return undefined;
}

function invert(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += byte(255 - s.charCodeAt(i));
  return out;
}

/** The encoding of a key tuple, or undefined when a value's type is not encoded. */
export function encodeKey(values: unknown[], directions: number[]): string | undefined {
  let out = '';
  for (let i = 0; i < values.length; i++) {
    const part = encodeValue(values[i]);
    if (part === undefined) return undefined;
    out += directions[i] < 0 ? invert(part) : part;
  }
  return out;
}

/** The key tuple of an encoding made by `encodeKey` with the same directions. */
export function decodeKey(s: string, directions: number[]): unknown[] {
  const out: unknown[] = [];
  let at = 0;
  for (let f = 0; f < directions.length; f++) {
    const desc = directions[f] < 0;
    const src = desc ? invert(s.slice(at)) : s.slice(at);
    const rank = src.charCodeAt(0) - RANK_BASE;
    let used = 1;
    switch (rank) {
      case 0:
        out.push(undefined);
        break;
      case 5:
        out.push(null);
        break;
      case 10:
        if (src.charCodeAt(1) === 0) {
          out.push(NaN);
          used = 2;
        } else {
          out.push(decodeDouble(src, 2));
          used = 10;
        }
        break;
      case 15: {
        const [str, next] = decodeString(src, 1);
        out.push(str);
        used = next;
        break;
      }
      case 40:
        out.push(src.charCodeAt(1) === 1);
        used = 2;
        break;
      case 45:
        out.push(new Date(decodeDouble(src, 1)));
        used = 9;
        break;
      case 35: {
        const bytes = new Uint8Array(12);
        for (let i = 0; i < 12; i++) bytes[i] = src.charCodeAt(1 + i);
        out.push(ObjectIdClass ? new ObjectIdClass(bytes) : bytes);
        used = 13;
        break;
      }
      default:
        throw new Error(`corrupt index key (type ${rank})`);
    }
    at += used;
  }
  return out;
}
