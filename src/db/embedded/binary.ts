/**
 * Values held by the store, adopted from freshly decoded documents in one pass:
 *
 * - Binary values become `StoredBinary`. mingo compares non-plain objects by their `toString()`,
 *   and bson's `Binary#toString()` decodes the bytes as UTF-8, so two different non-UTF-8
 *   binaries (encrypted fields, key ids) would compare equal. `StoredBinary` answers `toString()`
 *   with a key that is equal exactly when length, subtype and bytes are, and sorts as mongod
 *   orders binData (length, then subtype, then bytes). It serialises as an ordinary Binary.
 * - Short strings are interned: the decoder makes a new string for every value, and most short
 *   values repeat (`'allowed'`, a purpose, a customer id), so a million documents would hold a
 *   million copies of each. Strings are immutable, so sharing one copy changes nothing else.
 */
import { Binary, type Document } from 'bson';

type Encoding = Parameters<Binary['toString']>[0];

export class StoredBinary extends Binary {
  override toString(encoding?: Encoding): string {
    if (encoding !== undefined) return super.toString(encoding);
    const len = this.length().toString(16).padStart(8, '0');
    const sub = this.sub_type.toString(16).padStart(2, '0');
    return `${len}${sub}${super.toString('hex')}`;
  }
}

/** Strings up to this length are interned. */
const INTERN_MAX_LENGTH = 32;
/** The intern table is dropped and restarted when it reaches this many strings (bounded memory). */
const INTERN_MAX_ENTRIES = 200_000;
let interned = new Map<string, string>();

function intern(s: string): string {
  if (s.length > INTERN_MAX_LENGTH) return s;
  const known = interned.get(s);
  if (known !== undefined) return known;
  if (interned.size >= INTERN_MAX_ENTRIES) interned = new Map();
  interned.set(s, s);
  return s;
}

/** Adopts every value inside a freshly decoded document, in place (see the file comment). */
export function adoptValues(value: unknown): unknown {
  if (typeof value === 'string') return intern(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Binary) {
    return value instanceof StoredBinary ? value : new StoredBinary(value.read(0, value.length()), value.sub_type);
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = adoptValues(value[i]);
    return value;
  }
  if (Object.getPrototypeOf(value) === Object.prototype) {
    const obj = value as Document;
    for (const k in obj) {
      const v = obj[k];
      if (typeof v === 'string') obj[k] = intern(v);
      else if (v !== null && typeof v === 'object') obj[k] = adoptValues(v);
    }
  }
  return value;
}
