import { type BytesLike, isBytesLike } from './bytes';

/** Current format version of EncryptedValue. */
export const ENCRYPTED_VALUE_VERSION = 1;

/**
 * How an encrypted attribute is stored (BSON: a subdocument of three Binary fields).
 * AES-256-GCM under the customer's data key, with additional authenticated data `<customerId>|<path>`.
 */
export interface EncryptedValue {
  v: 1;
  /** 12 random bytes, fresh for every encryption. */
  iv: Buffer;
  /** Ciphertext. */
  ct: Buffer;
  /** 16-byte GCM authentication tag. */
  tag: Buffer;
}

/** An EncryptedValue as read back from MongoDB (Binary instead of Buffer). */
export interface StoredEncryptedValue {
  v: number;
  iv: BytesLike;
  ct: BytesLike;
  tag: BytesLike;
}

/** True if `value` has the EncryptedValue shape (it may still fail to decrypt). */
export function isEncryptedValue(value: unknown): value is StoredEncryptedValue {
  const v = value as Partial<StoredEncryptedValue> | null;
  return !!v && typeof v === 'object' && typeof v.v === 'number' && isBytesLike(v.iv) && isBytesLike(v.ct) && isBytesLike(v.tag);
}
