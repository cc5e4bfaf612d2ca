/**
 * Every personal attribute is stored encrypted under the customer's data key (identity, contact,
 * birth date, address, and the restricted categories); commercial attributes (segment, tier,
 * preferences, consents) stay in clear. Beside them, keyed blind indexes (`idx`) answer the lookups
 * the product makes without plaintext: email equality, the name search, country, phone, birth
 * decade. Erasure deletes the document, its indexes with it.
 */
import type { BlindIndexer } from '../core/context';
import type { EncryptedValue } from '../crypto';

/** Stored paths kept encrypted, and how their plaintext is encoded (the guard decrypts them on its allow path). */
export const ENCRYPTED: Readonly<Record<string, 'text' | 'json'>> = {
  fullName: 'text',
  email: 'text',
  phone: 'text',
  birthDate: 'text',
  'address.street': 'text',
  'address.city': 'text',
  'address.postalCode': 'text',
  'address.country': 'text',
  'health.conditions': 'json',
  'health.notes': 'text',
  'paymentCard.number': 'text',
};

/** The blind indexes a stored attribute feeds (`idx.<name>`). */
const INDEXES: Readonly<Partial<Record<string, (index: BlindIndexer, plaintext: string) => string | string[]>>> = {
  email: (index, v) => index.of('email', v),
  phone: (index, v) => index.of('phone', v),
  fullName: (index, v) => index.nameTokens(v),
  'address.country': (index, v) => index.of('country', v),
  birthDate: (index, v) => index.of('birthDecade', decadeOf(v)),
};

/** The index name of an attribute: `address.country` → `country`, `fullName` → `name`, `birthDate` → `birthDecade`. */
export const INDEX_NAME: Readonly<Record<string, string>> = { email: 'email', phone: 'phone', fullName: 'name', 'address.country': 'country', birthDate: 'birthDecade' };

/** `1984-05-01` → `1980s`. */
export function decadeOf(isoDate: string): string {
  return `${isoDate.slice(0, 3)}0s`;
}

/** Seals one attribute's plaintext for storage, with the customer's key (synchronously: the key is already loaded). */
export type Sealer = (path: string, plaintext: string) => EncryptedValue;

/**
 * A write (a whole document, or a `$set` with dotted paths or whole groups) with every encrypted
 * attribute sealed and the blind indexes of the written attributes beside it (`idx.<name>`; null
 * when the attribute is removed). Paths not listed in ENCRYPTED pass through unchanged.
 */
export function sealWrite(write: Readonly<Record<string, unknown>>, seal: Sealer, index: BlindIndexer, mode: 'document' | 'set'): Record<string, unknown> {
  const idx: Record<string, unknown> = {};
  const sealValue = (path: string, value: unknown): unknown => {
    const encoding = ENCRYPTED[path];
    const feeds = INDEXES[path];
    if (value == null) {
      if (feeds) idx[INDEX_NAME[path]!] = null;
      return value;
    }
    if (!encoding) return value;
    const text = encoding === 'json' ? JSON.stringify(value) : String(value);
    if (feeds) idx[INDEX_NAME[path]!] = feeds(index, text);
    return seal(path, text);
  };
  const walk = (node: Readonly<Record<string, unknown>>, prefix: string): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      const path = prefix ? `${prefix}.${key}` : key;
      const isGroup = value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date)
        && Object.keys(ENCRYPTED).some((p) => p.startsWith(`${path}.`));
      if (isGroup) out[key] = walk(value as Record<string, unknown>, path);
      else if (value === null && Object.keys(ENCRYPTED).some((p) => p.startsWith(`${path}.`))) {
        for (const p of Object.keys(INDEXES)) if (p.startsWith(`${path}.`)) idx[INDEX_NAME[p]!] = null; // a removed group
        out[key] = null;
      } else out[key] = sealValue(path, value);
    }
    return out;
  };
  const sealed = walk(write, '');
  if (Object.keys(idx).length === 0) return sealed;
  if (mode === 'document') return { ...sealed, idx };
  for (const [name, value] of Object.entries(idx)) sealed[`idx.${name}`] = value;
  return sealed;
}

/** The attribute paths a write touches (dotted, groups expanded one level), to decrypt their old values for the write hooks. */
export function writtenPaths(write: Readonly<Record<string, unknown>>): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(write)) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date)) {
      for (const sub of Object.keys(value)) out.push(`${key}.${sub}`);
    }
    out.push(key);
  }
  return out;
}
