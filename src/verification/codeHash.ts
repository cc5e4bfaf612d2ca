import { createHmac, hkdfSync, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** Digits in a one-time code. */
export const CODE_DIGITS = 6;
export const CODE_FORMAT = /^[0-9]{6}$/;

/** A fresh random code, e.g. "042917" (uniform, from the CSPRNG). */
export function newCode(): string {
  return String(randomInt(0, 10 ** CODE_DIGITS)).padStart(CODE_DIGITS, '0');
}

export function newSalt(): Buffer {
  return randomBytes(16);
}

/** What a code is bound to: a code sent to one address does not confirm another. */
export interface CodeBinding {
  customerId: string;
  channel: string;
  address: string;
}

/**
 * HMAC-SHA256 of the code, keyed with a key derived (HKDF, per-code salt) from the customer's data
 * key. A database dump alone cannot brute-force the million possible codes: it would need the master
 * key too. Erasure destroys the data key, and with it any way to check a code.
 */
export function hashCode(dataKey: Buffer, salt: Buffer, binding: CodeBinding, code: string): Buffer {
  const key = Buffer.from(hkdfSync('sha256', dataKey, salt, 'verification-code', 32));
  return createHmac('sha256', key).update(`${binding.customerId}|${binding.channel}|${binding.address}|${code}`).digest();
}

/** Constant-time comparison of a candidate code against a stored hash. */
export function codeMatches(dataKey: Buffer, salt: Buffer, binding: CodeBinding, code: string, stored: Buffer): boolean {
  const candidate = hashCode(dataKey, salt, binding, code);
  return candidate.length === stored.length && timingSafeEqual(candidate, stored);
}
