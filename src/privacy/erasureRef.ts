import { createHmac, hkdfSync } from 'node:crypto';

/**
 * The opaque reference of an erasure: HMAC-SHA256 of the customer id, hex. It lets the company
 * answer "was customer X erased, when and how?" (recompute the HMAC of X) without keeping X.
 *
 * The HMAC key is derived from the gateway's JWT_SECRET with HKDF-SHA256 (info
 * `erasure-reference-v1`), so no extra secret has to be managed. Consequence: after JWT_SECRET
 * changes, references computed with the new secret differ from older ones; keep the old secret in
 * your secret store if you must look up erasures made under it.
 */
export function erasureRefKey(jwtSecret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(jwtSecret, 'utf8'), Buffer.from('purpose-gateway'), Buffer.from('erasure-reference-v1'), 32));
}

/** The opaque reference (64 hex characters) of the erasure of `customerId`. */
export function erasureRef(refKey: Buffer, customerId: string): string {
  return createHmac('sha256', refKey).update(customerId, 'utf8').digest('hex');
}
