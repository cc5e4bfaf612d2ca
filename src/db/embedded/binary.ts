/**
 * Binary values held by the store. mingo compares non-plain objects by their `toString()`, and
 * bson's `Binary#toString()` decodes the bytes as UTF-8, so two different non-UTF-8 binaries
 * (encrypted fields, key ids) would compare equal. `StoredBinary` answers `toString()` with a
 * key that is equal exactly when length, subtype and bytes are, and sorts as mongod orders
 * binData (length, then subtype, then bytes). It serialises as an ordinary Binary.
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

/** Replaces every Binary inside a freshly decoded document by a StoredBinary, in place. */
export function adoptBinaries(value: unknown): unknown {
  if (value instanceof Binary) {
    return value instanceof StoredBinary ? value : new StoredBinary(value.read(0, value.length()), value.sub_type);
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = adoptBinaries(value[i]);
    return value;
  }
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const obj = value as Document;
    for (const k of Object.keys(obj)) {
      const v = obj[k];
      if (v !== null && typeof v === 'object') obj[k] = adoptBinaries(v);
    }
  }
  return value;
}
