import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { toBuffer } from './bytes';
import { DecryptionError } from './errors';
import { ENCRYPTED_VALUE_VERSION, type EncryptedValue, isEncryptedValue } from './encryptedValue';
import { KEY_LENGTH } from './masterKey';

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
