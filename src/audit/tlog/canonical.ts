/**
 * The canonical bytes of a log record: what its RFC 6962 leaf hash is computed over.
 *
 *   leaf bytes = UTF-8("purpose-gateway/record/v1 " ‖ kind ‖ "\n") ‖ UTF-8(JCS(normalise(record)))
 *
 * JCS is the JSON Canonicalization Scheme (RFC 8785): no white space, object members sorted by
 * their names' UTF-16 code units, numbers and strings serialised as ECMAScript JSON.stringify
 * does. `normalise` maps the values a record can hold, whichever way it was read, to one JSON
 * value, so a record built in JS, read through mongoose lean() or through the raw driver
 * (BSON wrapper types included) gives the same bytes:
 *
 *   string              itself, exactly (no Unicode normalisation); a lone surrogate is refused
 *   number, Int32, Double  a JSON number; NaN and ±Infinity refused; -0 is 0
 *   Long, bigint        a JSON number when |v| ≤ 2^53 − 1, otherwise refused
 *   boolean, null       themselves
 *   Date                ISO-8601 UTC with milliseconds, "2024-05-01T12:00:00.000Z"; invalid refused
 *   ObjectId            24 lowercase hex digits
 *   Binary, UUID, Buffer, Uint8Array   standard padded base64 of the bytes (the subtype is not kept)
 *   Decimal128          its decimal string, as a JSON string ("1.50")
 *   array               elements in order; a hole or undefined element refused
 *   plain object        members sorted; a member whose value is undefined is left out
 *   anything else       refused (Map, Set, RegExp, functions, symbols, class instances, mongoose
 *                       documents, other BSON types such as Timestamp, MinKey, Code)
 *
 * The encoding commits to the JSON value, not to the BSON type: an ObjectId and the string of its
 * hex, or a Date and its ISO string, encode alike. Every refusal throws
 * {@link CanonicalEncodingError} naming the path (e.g. `record.actor.roles[2]`) and the rule.
 */
import { leafHash } from './merkle';

/** The domain-separation prefix of every record, before the kind: names this encoding and its version. */
export const RECORD_DOMAIN = 'purpose-gateway/record/v1';

/** Deepest nesting accepted (BSON documents nest at most 100 levels). */
export const MAX_DEPTH = 100;

const KIND = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Thrown for a value the canonical encoding refuses; `path` locates it inside the record. */
export class CanonicalEncodingError extends Error {
  constructor(
    readonly path: string,
    rule: string,
  ) {
    super(`${path} ${rule}`);
    this.name = 'CanonicalEncodingError';
  }
}

function memberPath(path: string, key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function encodeString(value: string, path: string): string {
  if (LONE_SURROGATE.test(value)) throw new CanonicalEncodingError(path, 'is a string with a lone surrogate, which has no UTF-8 encoding');
  return JSON.stringify(value);
}

function encodeNumber(value: number, path: string, what = 'number'): string {
  if (!Number.isFinite(value)) throw new CanonicalEncodingError(path, `is ${value}, and a ${what} must be finite to be encoded`);
  return JSON.stringify(value); // ECMAScript Number serialisation, as JCS requires; -0 becomes 0
}

function encodeInteger(value: bigint, path: string, what: string): string {
  if (value > MAX_SAFE || value < -MAX_SAFE) throw new CanonicalEncodingError(path, `is a ${what} outside ±(2^53 − 1), which a JSON number cannot hold exactly`);
  return String(value);
}

function base64(bytes: Uint8Array): string {
  return JSON.stringify(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'));
}

/** BSON wrapper values, recognised by their `_bsontype` tag (any copy or version of the bson package). */
function encodeBson(value: Record<string, unknown> & { _bsontype: unknown }, path: string): string {
  const type = value._bsontype;
  const call = (method: string): unknown => (value[method] as () => unknown).call(value);
  switch (type) {
    case 'ObjectId':
    case 'ObjectID':
      return JSON.stringify(String(call('toHexString')).toLowerCase());
    case 'Binary': {
      const buffer = value.buffer as Uint8Array;
      const position = value.position as number;
      return base64(buffer.subarray(0, position));
    }
    case 'Long':
      return encodeInteger(BigInt(String(call('toString'))), path, 'Long');
    case 'Int32':
      return encodeNumber(Number(call('valueOf')), path, 'Int32');
    case 'Double':
      return encodeNumber(Number(call('valueOf')), path, 'Double');
    case 'Decimal128':
      return JSON.stringify(String(call('toString')));
    default:
      throw new CanonicalEncodingError(path, `is a BSON ${String(type)}, which records may not hold (allowed: ObjectId, Binary, Long, Int32, Double, Decimal128)`);
  }
}

function describe(value: object): string {
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' ? `a ${name}` : 'an object with a custom prototype';
}

function encode(value: unknown, path: string, depth: number, ancestors: Set<object>): string {
  switch (typeof value) {
    case 'string':
      return encodeString(value, path);
    case 'number':
      return encodeNumber(value, path);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return encodeInteger(value, path, 'bigint');
    case 'undefined':
      throw new CanonicalEncodingError(path, 'is undefined, which has no JSON encoding (leave the member out, or use null)');
    case 'function':
    case 'symbol':
      throw new CanonicalEncodingError(path, `is a ${typeof value}, which has no JSON encoding`);
  }
  if (value === null) return 'null';
  const object = value as object;
  if (depth > MAX_DEPTH) throw new CanonicalEncodingError(path, `nests deeper than ${MAX_DEPTH} levels`);
  if (Object.prototype.toString.call(object) === '[object Date]') {
    const time = (object as Date).getTime();
    if (Number.isNaN(time)) throw new CanonicalEncodingError(path, 'is an invalid Date');
    return JSON.stringify((object as Date).toISOString());
  }
  if (object instanceof Uint8Array) return base64(object);
  if (ArrayBuffer.isView(object) || object instanceof ArrayBuffer) {
    throw new CanonicalEncodingError(path, `is ${describe(object)}; only Uint8Array, Buffer and BSON Binary encode as bytes`);
  }
  if (typeof (object as { _bsontype?: unknown })._bsontype === 'string') {
    return encodeBson(object as Record<string, unknown> & { _bsontype: unknown }, path);
  }
  if (ancestors.has(object)) throw new CanonicalEncodingError(path, 'refers back to an enclosing value (a cycle)');
  ancestors.add(object);
  try {
    if (Array.isArray(object)) {
      const parts: string[] = [];
      for (let i = 0; i < object.length; i++) {
        const at = `${path}[${i}]`;
        if (!(i in object)) throw new CanonicalEncodingError(at, 'is a hole in the array, which has no JSON encoding');
        parts.push(encode(object[i], at, depth + 1, ancestors));
      }
      return `[${parts.join(',')}]`;
    }
    const proto = Object.getPrototypeOf(object);
    if (proto !== Object.prototype && proto !== null) {
      if ('$__' in object || '_doc' in object) {
        throw new CanonicalEncodingError(path, 'is a mongoose document: encode a lean() result or doc.toObject()');
      }
      throw new CanonicalEncodingError(path, `is ${describe(object)}, not a plain object, array or supported BSON value`);
    }
    const members: string[] = [];
    for (const key of Object.keys(object).sort()) {
      const member = (object as Record<string, unknown>)[key];
      if (member === undefined) continue;
      const at = memberPath(path, key);
      members.push(`${encodeString(key, `${at} (the member name)`)}:${encode(member, at, depth + 1, ancestors)}`);
    }
    return `{${members.join(',')}}`;
  } finally {
    ancestors.delete(object);
  }
}

/**
 * The RFC 8785 (JCS) text of a value after the normalisation described in this file's comment.
 *
 * @param path how errors name the value (default `value`)
 * @throws CanonicalEncodingError naming the path and the rule, for any refused value
 */
export function canonicalJson(value: unknown, path = 'value'): string {
  return encode(value, path, 0, new Set());
}

function checkKind(kind: unknown): string {
  if (typeof kind !== 'string' || !KIND.test(kind)) {
    throw new CanonicalEncodingError('kind', 'must be a letter then up to 63 letters, digits, "_", "." or "-" (e.g. accessLog)');
  }
  return kind;
}

/**
 * The canonical leaf bytes of a record: `purpose-gateway/record/v1 <kind>\n` then the JCS of the
 * record, in UTF-8.
 *
 * @param kind the record kind, e.g. `accessLog`, `consentEvent`, `erasure`, `disposal`
 * @param record a plain object (a lean() result, a raw driver document, or one built in JS)
 * @param options.omit top-level members to leave out, e.g. `['__v']` or the log's own
 *   bookkeeping fields (default: none)
 * @throws CanonicalEncodingError naming the path and the rule
 */
export function recordBytes(kind: string, record: object, options: { omit?: readonly string[] } = {}): Buffer {
  checkKind(kind);
  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    throw new CanonicalEncodingError('record', 'must be a plain object');
  }
  let value: object = record;
  if (options.omit && options.omit.length > 0) {
    const proto = Object.getPrototypeOf(record);
    if (proto !== Object.prototype && proto !== null) {
      // Let encode() name the problem (mongoose document, class instance...).
      canonicalJson(record, 'record');
    }
    const omitted = new Set(options.omit);
    value = Object.fromEntries(Object.entries(record).filter(([key]) => !omitted.has(key)));
  }
  return Buffer.from(`${RECORD_DOMAIN} ${kind}\n${canonicalJson(value, 'record')}`, 'utf8');
}

/** The RFC 6962 leaf hash of a record: SHA-256(0x00 ‖ {@link recordBytes}(kind, record, options)). */
export function recordLeafHash(kind: string, record: object, options: { omit?: readonly string[] } = {}): Buffer {
  return leafHash(recordBytes(kind, record, options));
}
