/**
 * Keyed blind indexes: lookups without plaintext. An attribute the product filters or searches on
 * (email equality, the name search, country, phone for "is this still the address a code was sent
 * to") is stored encrypted, and beside it an HMAC-SHA256 of its normalised value under an index
 * key that lives in the key vault, wrapped by the master key. A backup of the database holds the
 * HMACs but not the key, so they cannot be tested against guesses.
 *
 * The name search: a full name is split into words (letters and digits, accents and case ignored);
 * each word is indexed by every prefix of 2 to 24 characters. A query matches the customers whose
 * name has, for every word of the query, a word that starts with it.
 */
import { createHmac } from 'node:crypto';
import type { BlindIndexer } from '../core/context';

/** Characters of an index value: 16 bytes of the HMAC, base64url (collisions are negligible; the value says little). */
const LENGTH = 22;
/** The shortest query word, and the longest prefix indexed. */
export const MIN_SEARCH_WORD = 2;
const MAX_PREFIX = 24;

/** The words of a name or a query: NFKD, combining marks removed, lower case, split on anything but letters and digits. */
export function words(text: string): string[] {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0);
}

export class BlindIndex implements BlindIndexer {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new RangeError('blind index key must be 32 bytes');
    this.#key = Buffer.from(key);
  }

  of(field: string, value: string): string {
    const normal = field === 'email' ? value.trim().toLowerCase() : value.trim().toUpperCase();
    return this.hmac(field, normal);
  }

  nameTokens(fullName: string): string[] {
    const tokens = new Set<string>();
    for (const word of words(fullName)) {
      for (let n = Math.min(MIN_SEARCH_WORD, word.length); n <= Math.min(word.length, MAX_PREFIX); n += 1) tokens.add(this.hmac('name', word.slice(0, n)));
    }
    return [...tokens];
  }

  searchTokens(query: string): string[] {
    return [...new Set(words(query).map((w) => this.hmac('name', w.slice(0, MAX_PREFIX))))];
  }

  private hmac(field: string, value: string): string {
    return createHmac('sha256', this.#key).update(field).update('\u0000').update(value).digest('base64url').slice(0, LENGTH);
  }
}
