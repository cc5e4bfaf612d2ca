import { DecryptionError } from './errors';
import type { EncryptedValue } from './encryptedValue';
import { openField, sealField } from './fieldCrypto';
import type { KeySource } from './keySource';

/**
 * Encrypts and decrypts customer attributes with the customer's data key (AES-256-GCM, random 12-byte
 * IV, additional authenticated data `<customerId>|<path>`). Give it `keyStore.forRequest()` inside a
 * request (batched key reads) or the KeyStore itself elsewhere.
 *
 *   const cipher = new FieldCipher(keyStore.forRequest());
 *   doc.health.notes = await cipher.encrypt(doc._id, 'health.notes', notes);
 *   const notes = await cipher.decrypt(doc._id, 'health.notes', doc.health.notes);
 */
export class FieldCipher {
  constructor(private readonly keys: KeySource) {}

  /** Encrypts a string; creates the customer's data key if it does not exist yet. */
  async encrypt(customerId: string, path: string, plaintext: string): Promise<EncryptedValue> {
    return sealField(await this.keys.getOrCreate(customerId), customerId, path, plaintext);
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
    const text = await this.decrypt(customerId, path, value);
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new DecryptionError(customerId, path, 'the decrypted value is not JSON');
    }
  }
}
