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
// String.prototype.isWellFormed (Node 20+) is several times faster than the regular expression.
const isWellFormed: (s: string) => boolean =
  typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed === 'function'
    ? (s) => (s as unknown as { isWellFormed(): boolean }).isWellFormed()
    : (s) => !LONE_SURROGATE.test(s);
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

/**
 * Where the encoder is inside the value. The path string is only built for an error message, so
 * encoding pays nothing for it.
 */
class Walk {
  readonly segments: (string | number)[] = [];
  readonly ancestors = new Set<object>();
  constructor(readonly root: string) {}

  path(): string {
    let path = this.root;
    for (const s of this.segments) {
      if (typeof s === 'number') path += `[${s}]`;
      else path += /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`;
    }
    return path;
  }

  fail(rule: string, suffix = ''): never {
    throw new CanonicalEncodingError(`${this.path()}${suffix}`, rule);
  }
}

function encodeString(value: string, walk: Walk, suffix = ''): string {
  if (!isWellFormed(value)) walk.fail('is a string with a lone surrogate, which has no UTF-8 encoding', suffix);
  return JSON.stringify(value);
}

function encodeNumber(value: number, walk: Walk, what = 'number'): string {
  if (!Number.isFinite(value)) walk.fail(`is ${value}, and a ${what} must be finite to be encoded`);
  return JSON.stringify(value); // ECMAScript Number serialisation, as JCS requires; -0 becomes 0
}

function encodeInteger(value: bigint, walk: Walk, what: string): string {
  if (value > MAX_SAFE || value < -MAX_SAFE) walk.fail(`is a ${what} outside ±(2^53 − 1), which a JSON number cannot hold exactly`);
  return String(value);
}

function base64(bytes: Uint8Array): string {
  return JSON.stringify(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'));
}

/** BSON wrapper values, recognised by their `_bsontype` tag (any copy or version of the bson package). */
function encodeBson(value: Record<string, unknown> & { _bsontype: unknown }, walk: Walk): string {
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
      return encodeInteger(BigInt(String(call('toString'))), walk, 'Long');
    case 'Int32':
      return encodeNumber(Number(call('valueOf')), walk, 'Int32');
    case 'Double':
      return encodeNumber(Number(call('valueOf')), walk, 'Double');
    case 'Decimal128':
      return JSON.stringify(String(call('toString')));
    default:
      return walk.fail(`is a BSON ${String(type)}, which records may not hold (allowed: ObjectId, Binary, Long, Int32, Double, Decimal128)`);
  }
}

function describe(value: object): string {
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' ? `a ${name}` : 'an object with a custom prototype';
}

function encode(value: unknown, walk: Walk): string {
  switch (typeof value) {
    case 'string':
      return encodeString(value, walk);
    case 'number':
      return encodeNumber(value, walk);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return encodeInteger(value, walk, 'bigint');
    case 'undefined':
      return walk.fail('is undefined, which has no JSON encoding (leave the member out, or use null)');
    case 'function':
    case 'symbol':
      return walk.fail(`is a ${typeof value}, which has no JSON encoding`);
  }
  if (value === null) return 'null';
  const object = value as object;
  if (walk.segments.length > MAX_DEPTH) walk.fail(`nests deeper than ${MAX_DEPTH} levels`);
  if (object instanceof Date || Object.prototype.toString.call(object) === '[object Date]') {
    const time = (object as Date).getTime();
    if (Number.isNaN(time)) walk.fail('is an invalid Date');
    return JSON.stringify((object as Date).toISOString());
  }
  if (object instanceof Uint8Array) return base64(object);
  if (ArrayBuffer.isView(object) || object instanceof ArrayBuffer) {
    walk.fail(`is ${describe(object)}; only Uint8Array, Buffer and BSON Binary encode as bytes`);
  }
  if (typeof (object as { _bsontype?: unknown })._bsontype === 'string') {
    return encodeBson(object as Record<string, unknown> & { _bsontype: unknown }, walk);
  }
  const { ancestors, segments } = walk;
  if (ancestors.has(object)) walk.fail('refers back to an enclosing value (a cycle)');
  ancestors.add(object);
  let text: string;
  if (Array.isArray(object)) {
    text = '[';
    for (let i = 0; i < object.length; i++) {
      segments.push(i);
      if (!(i in object)) walk.fail('is a hole in the array, which has no JSON encoding');
      text += (i === 0 ? '' : ',') + encode(object[i], walk);
      segments.pop();
    }
    text += ']';
  } else {
    const proto = Object.getPrototypeOf(object);
    if (proto !== Object.prototype && proto !== null) {
      if ('$__' in object || '_doc' in object) walk.fail('is a mongoose document: encode a lean() result or doc.toObject()');
      walk.fail(`is ${describe(object)}, not a plain object, array or supported BSON value`);
    }
    text = '{';
    let first = true;
    for (const key of Object.keys(object).sort()) {
      const member = (object as Record<string, unknown>)[key];
      if (member === undefined) continue;
      segments.push(key);
      text += `${first ? '' : ','}${encodeString(key, walk, ' (the member name)')}:${encode(member, walk)}`;
      segments.pop();
      first = false;
    }
    text += '}';
  }
  ancestors.delete(object);
  return text;
}

/**
 * The RFC 8785 (JCS) text of a value after the normalisation described in this file's comment.
 *
 * @param path how errors name the value (default `value`)
 * @throws CanonicalEncodingError naming the path and the rule, for any refused value
 */
export function canonicalJson(value: unknown, path = 'value'): string {
  return encode(value, new Walk(path));
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
