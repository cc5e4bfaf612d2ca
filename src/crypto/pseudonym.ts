/**
 * Pseudonyms: under a pseudonymous purpose (policies/purposes.yaml `pseudonymous: true`) a
 * customer's id is shown as `psn_` + HMAC-SHA256 of the id under a key derived per purpose from
 * PSEUDONYM_KEY. Stable (the same customer, the same purpose: the same pseudonym), one-way (the id
 * cannot be computed from it without the key), and different per purpose, so pseudonyms of two
 * purposes cannot be joined.
 */
import { createHmac, hkdfSync } from 'node:crypto';

export const PSEUDONYM_PREFIX = 'psn_';
/** `psn_` and 26 base64url characters (about 156 bits of the HMAC). */
export const PSEUDONYM_PATTERN = /^psn_[A-Za-z0-9_-]{26}$/;

const keys = new Map<string, Buffer>();

function keyOf(secret: string, purpose: string): Buffer {
  const cacheKey = `${purpose}\u0000${secret}`;
  let key = keys.get(cacheKey);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.from('purpose-gateway'), Buffer.from(`pseudonym-v1:${purpose}`), 32));
    keys.set(cacheKey, key);
  }
  return key;
}

/** The pseudonym of a customer id under a purpose. */
export function pseudonymOf(secret: string, purpose: string, customerId: string): string {
  return PSEUDONYM_PREFIX + createHmac('sha256', keyOf(secret, purpose)).update(customerId).digest('base64url').slice(0, 26);
}

/** True for a string of the pseudonym form (it says nothing of whether it names anyone). */
export function isPseudonym(value: unknown): value is string {
  return typeof value === 'string' && PSEUDONYM_PATTERN.test(value);
}
