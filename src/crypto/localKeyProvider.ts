import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { KeyProvider } from './keyProvider';
import { KEY_LENGTH, parseMasterKey } from './masterKey';
import { UnwrapError } from './errors';

const FORMAT_VERSION = 1;
const IV_LENGTH = 12;
const TAG_LENGTH = 16;
const AAD = Buffer.from('purpose-gateway/data-key/v1');

/**
 * Wraps data keys with AES-256-GCM under a master key held in process memory (from `MASTER_KEY`
 * or a key file). Wrapped form: version byte | 12-byte IV | 16-byte tag | ciphertext.
 */
export class LocalKeyProvider implements KeyProvider {
  /** `local:` + the first 16 hex digits of SHA-256(master key): tells keys apart without revealing them. */
  readonly id: string;
  readonly #key: Buffer;

  constructor(masterKey: Buffer) {
    if (masterKey.length !== KEY_LENGTH) {
      throw new RangeError(`master key must be ${KEY_LENGTH} bytes, received ${masterKey.length}`);
    }
    this.#key = Buffer.from(masterKey);
    this.id = 'local:' + createHash('sha256').update(this.#key).digest('hex').slice(0, 16);
  }

  /** From a base64 setting; `name` (default `MASTER_KEY`) is used in error messages. */
  static fromBase64(value: string | undefined, name = 'MASTER_KEY'): LocalKeyProvider {
    return new LocalKeyProvider(parseMasterKey(value, name));
  }

  async wrap(dataKey: Buffer): Promise<Buffer> {
    const iv = randomBytes(IV_LENGTH);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(AAD);
    const ct = Buffer.concat([cipher.update(dataKey), cipher.final()]);
    return Buffer.concat([Buffer.from([FORMAT_VERSION]), iv, cipher.getAuthTag(), ct]);
  }

  async unwrap(wrapped: Buffer): Promise<Buffer> {
    if (wrapped.length <= 1 + IV_LENGTH + TAG_LENGTH || wrapped[0] !== FORMAT_VERSION) {
      throw new UnwrapError(this.id, 'unknown wrapped-key format');
    }
    const iv = wrapped.subarray(1, 1 + IV_LENGTH);
    const tag = wrapped.subarray(1 + IV_LENGTH, 1 + IV_LENGTH + TAG_LENGTH);
    const ct = wrapped.subarray(1 + IV_LENGTH + TAG_LENGTH);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, iv);
      decipher.setAAD(AAD);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ct), decipher.final()]);
    } catch {
      throw new UnwrapError(this.id, 'authentication failed (wrapped by another master key, or corrupted)');
    }
  }
}
