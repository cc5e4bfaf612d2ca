/**
 * Field encryption: AES-256-GCM under the customer's data key, with additional authenticated data
 * `<customerId>|<path>` (a value cannot be moved to another customer or attribute), the stored form
 * (EncryptedValue), and FieldCipher, the request's cipher over its data keys.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Schema } from 'mongoose';
import type { Cipher } from '../core/context';
import { DecryptionError } from './errors';

/** Length in bytes of data keys (AES-256). */
const KEY_LENGTH = 32;

/** Anything that holds bytes as read back from MongoDB: a Buffer, a Uint8Array or a BSON Binary. */
export type BytesLike = Buffer | Uint8Array | { _bsontype: 'Binary'; value(): Uint8Array };

/** Normalises a BytesLike to a Buffer (mongoose lean reads and raw driver reads return BSON Binary). */
export function toBuffer(bytes: BytesLike): Buffer {
  if (Buffer.isBuffer(bytes)) return bytes;
  if (bytes instanceof Uint8Array) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes && typeof bytes === 'object' && bytes._bsontype === 'Binary' && typeof bytes.value === 'function') {
    const view = bytes.value();
    return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
  }
  throw new TypeError('expected bytes (Buffer, Uint8Array or BSON Binary)');
}

/** True for values toBuffer accepts. */
export function isBytesLike(value: unknown): value is BytesLike {
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return true;
  const v = value as { _bsontype?: unknown; value?: unknown } | null;
  return !!v && typeof v === 'object' && v._bsontype === 'Binary' && typeof v.value === 'function';
}

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

/**
 * Mongoose sub-schema for an EncryptedValue, for models that store encrypted attributes
 * (e.g. `health: { conditions: encryptedValueSchema, notes: encryptedValueSchema }`).
 */
export const encryptedValueSchema = new Schema(
  {
    v: { type: Number, required: true },
    iv: { type: Buffer, required: true },
    ct: { type: Buffer, required: true },
    tag: { type: Buffer, required: true },
  },
  { _id: false, versionKey: false },
);

const IV_LENGTH = 12;
const TAG_LENGTH = 16;

/**
 * The additional authenticated data that binds a ciphertext to one customer and one field path:
 * `<customerId>|<path>`. Paths may not contain `|`, so the binding is unambiguous.
 */
export function associatedData(customerId: string, path: string): Buffer {
  if (customerId === '') throw new RangeError('customerId must not be empty');
  if (path === '' || path.includes('|')) throw new RangeError('field path must be non-empty and must not contain "|"');
  return Buffer.from(`${customerId}|${path}`, 'utf8');
}

/** Encrypts with a data key you already hold (synchronous; FieldCipher fetches the key for you). */
export function sealField(dataKey: Buffer, customerId: string, path: string, plaintext: string): EncryptedValue {
  if (dataKey.length !== KEY_LENGTH) throw new RangeError(`data key must be ${KEY_LENGTH} bytes`);
  const iv = randomBytes(IV_LENGTH);
  const cipher = createCipheriv('aes-256-gcm', dataKey, iv, { authTagLength: TAG_LENGTH });
  cipher.setAAD(associatedData(customerId, path));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { v: ENCRYPTED_VALUE_VERSION, iv, ct, tag: cipher.getAuthTag() };
}

/**
 * Decrypts with a data key you already hold. Throws DecryptionError (naming the customer id and the
 * path, never the bytes) when the value is malformed or fails authentication: another customer,
 * another path, another key, or tampered bytes.
 */
export function openField(dataKey: Buffer, customerId: string, path: string, value: unknown): string {
  if (!isEncryptedValue(value)) throw new DecryptionError(customerId, path, 'not an encrypted value');
  if (value.v !== ENCRYPTED_VALUE_VERSION) throw new DecryptionError(customerId, path, `unsupported format version ${value.v}`);
  const iv = toBuffer(value.iv);
  const tag = toBuffer(value.tag);
  if (iv.length !== IV_LENGTH || tag.length !== TAG_LENGTH) throw new DecryptionError(customerId, path, 'malformed IV or tag');
  try {
    const decipher = createDecipheriv('aes-256-gcm', dataKey, iv, { authTagLength: TAG_LENGTH });
    decipher.setAAD(associatedData(customerId, path));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(toBuffer(value.ct)), decipher.final()]).toString('utf8');
  } catch {
    throw new DecryptionError(
      customerId,
      path,
      'authentication failed (the value belongs to another customer or field, the key differs, or it was altered)',
    );
  }
}

/** Where FieldCipher gets data keys: the KeyStore, or a request's RequestKeys (batched, cached, preloadable). */
export interface KeySource {
  get(customerId: string): Promise<Buffer>;
  preload?(customerIds: readonly string[]): Promise<void>;
  loadedKey?(customerId: string): Buffer;
  isLoaded?(customerId: string): boolean;
}

/**
 * Encrypts and decrypts customer attributes with the customer's data key (AES-256-GCM, random 12-byte
 * IV, additional authenticated data `<customerId>|<path>`). Give it `keyStore.forRequest()` inside a
 * request (batched key reads, synchronous decryption after `preload`) or the KeyStore itself elsewhere.
 * It never creates a key: a customer without one (erased, or never enrolled) cannot be written.
 */
export class FieldCipher implements Cipher {
  constructor(private readonly keys: KeySource) {}

  /** Encrypts a string with the customer's existing key (KeyShreddedError if there is none). */
  async encrypt(customerId: string, path: string, plaintext: string): Promise<EncryptedValue> {
    return sealField(await this.keys.get(customerId), customerId, path, plaintext);
  }

  /**
   * Decrypts a stored value (Buffers or BSON Binary). Rejects with KeyShreddedError if the customer's
   * key was destroyed, DecryptionError if the value belongs to another customer or path, or was altered.
   */
  async decrypt(customerId: string, path: string, value: unknown): Promise<string> {
    return openField(await this.keys.get(customerId), customerId, path, value);
  }

  /** Encrypts any JSON value (e.g. the string array `health.conditions`). */
  async encryptJson(customerId: string, path: string, value: unknown): Promise<EncryptedValue> {
    return this.encrypt(customerId, path, JSON.stringify(value));
  }

  /** Decrypts a value written by encryptJson. */
  async decryptJson<T = unknown>(customerId: string, path: string, value: unknown): Promise<T> {
    return parseJson<T>(customerId, path, await this.decrypt(customerId, path, value));
  }

  async preload(customerIds: readonly string[]): Promise<void> {
    if (this.keys.preload) await this.keys.preload(customerIds);
  }

  loaded(customerId: string): boolean {
    return this.keys.isLoaded?.(customerId) ?? false;
  }

  encryptSync(customerId: string, path: string, plaintext: string): EncryptedValue {
    if (!this.keys.loadedKey) throw new Error('encryptSync needs a per-request key source (keyStore.forRequest())');
    return sealField(this.keys.loadedKey(customerId), customerId, path, plaintext);
  }

  decryptSync(customerId: string, path: string, value: unknown): string {
    if (!this.keys.loadedKey) throw new Error('decryptSync needs a per-request key source (keyStore.forRequest())');
    return openField(this.keys.loadedKey(customerId), customerId, path, value);
  }
}

function parseJson<T>(customerId: string, path: string, text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new DecryptionError(customerId, path, 'the decrypted value is not JSON');
  }
}
