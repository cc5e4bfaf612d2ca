/**
 * Master keys: the KeyProvider interface (a KMS plugs in here), the local provider that holds a
 * master key in process memory (MASTER_KEY, or a development key file), and how it is chosen.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { logger } from '../logger';
import { KeyConfigError, UnwrapError } from './errors';

/**
 * A key provider holds the master key and wraps (encrypts) and unwraps (decrypts) per-customer data
 * keys with it. The master key never leaves the provider.
 *
 * Plugging in a KMS (AWS KMS, Google Cloud KMS, Azure Key Vault, HashiCorp Vault Transit): implement
 * this interface in a class whose `wrap` calls the KMS "encrypt" operation on the 32-byte data key
 * and returns the ciphertext blob, and whose `unwrap` calls "decrypt" on that blob. Give it an `id`
 * that names the master key, e.g. `kms:arn:aws:kms:eu-west-1:111122223333:key/...`. Pass an instance
 * to `new KeyStore(conn, provider)`; to move from the local provider to the KMS, run
 * `keyStore.rotate(kmsProvider)` once. No other code changes.
 */
export interface KeyProvider {
  /** Names the master key. Stored beside each wrapped data key (`DataKey.providerId`). */
  readonly id: string;
  /** Encrypts a data key under the master key. */
  wrap(dataKey: Buffer): Promise<Buffer>;
  /** Decrypts a wrapped data key; rejects (UnwrapError) if it was not wrapped by this master key. */
  unwrap(wrapped: Buffer): Promise<Buffer>;
}

/** Length in bytes of master keys and data keys (AES-256). */
export const KEY_LENGTH = 32;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Parses a base64-encoded 32-byte key. `name` is the setting the value came from (default
 * `MASTER_KEY`); errors name it, the rule, the expected and the received length, never the key.
 */
export function parseMasterKey(value: string | undefined, name = 'MASTER_KEY'): Buffer {
  const rule = `must be the base64 encoding of exactly ${KEY_LENGTH} random bytes (e.g. \`openssl rand -base64 32\`)`;
  const text = (value ?? '').trim();
  if (text === '') throw new KeyConfigError(`${name} is empty: it ${rule}`);
  if (!BASE64.test(text) || text.length % 4 !== 0) {
    throw new KeyConfigError(`${name} is not valid base64 (${text.length} characters received): it ${rule}`);
  }
  const key = Buffer.from(text, 'base64');
  if (key.length !== KEY_LENGTH) {
    throw new KeyConfigError(`${name} decodes to ${key.length} bytes, expected ${KEY_LENGTH}: it ${rule}`);
  }
  return key;
}

/** A fresh random 32-byte key, base64-encoded (for key files and operators). */
export function generateMasterKey(): string {
  return randomBytes(KEY_LENGTH).toString('base64');
}

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

/** Default location of the development key file, relative to the working directory. */
export const DEFAULT_KEY_FILE = '.data/master.key';

export interface LocalKeyOptions {
  /** The `MASTER_KEY` setting (base64 of 32 bytes). When set, it wins and no file is read. */
  masterKey?: string;
  /** Development key file. Default `.data/master.key` (resolved against the working directory). */
  keyFile?: string;
  /** Production mode (`NODE_ENV=production`): `MASTER_KEY` is then required. */
  production: boolean;
  /** In development, create the key file when it is missing. Default true; `keys:rotate` passes false. */
  createKeyFile?: boolean;
}

export type MasterKeySource = 'env' | 'key-file' | 'key-file-created';

export interface ResolvedLocalKey {
  provider: LocalKeyProvider;
  source: MasterKeySource;
  /** Absolute path of the key file, when the key came from one. */
  keyFile?: string;
}

/**
 * Chooses the master key for the local provider:
 * - `MASTER_KEY` when set (validated; errors name MASTER_KEY and the rule, never the key);
 * - in production without it: throws a KeyConfigError, the process must refuse to start;
 * - in development: reads the key file, or creates it (directory too) with mode 0600 and logs its path.
 */
export function resolveLocalKeyProvider(options: LocalKeyOptions): LocalKeyProvider {
  return resolveLocalKey(options).provider;
}

/** Same as resolveLocalKeyProvider, and also says where the key came from. */
export function resolveLocalKey(options: LocalKeyOptions): ResolvedLocalKey {
  if (options.masterKey !== undefined && options.masterKey.trim() !== '') {
    return { provider: LocalKeyProvider.fromBase64(options.masterKey, 'MASTER_KEY'), source: 'env' };
  }
  if (options.production) {
    throw new KeyConfigError(
      'MASTER_KEY is required in production (NODE_ENV=production): set it to the base64 encoding of 32 random ' +
        'bytes (e.g. `openssl rand -base64 32`), or plug in a KMS key provider',
    );
  }
  const path = resolve(options.keyFile ?? DEFAULT_KEY_FILE);
  const existing = readKeyFile(path);
  if (existing !== undefined) {
    warnIfReadableByOthers(path);
    logger.info('crypto: master key loaded from development key file', { path });
    return { provider: LocalKeyProvider.fromBase64(existing, `key file ${path}`), source: 'key-file', keyFile: path };
  }
  if (options.createKeyFile === false) {
    throw new KeyConfigError(`No master key: MASTER_KEY is not set and the key file ${path} does not exist`);
  }
  const created = createKeyFile(path);
  logger.warn('crypto: MASTER_KEY not set; generated a development master key file (mode 0600). Set MASTER_KEY in production', { path });
  return { provider: LocalKeyProvider.fromBase64(created, `key file ${path}`), source: 'key-file-created', keyFile: path };
}

function readKeyFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new KeyConfigError(`Cannot read key file ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

/** Creates the key file exclusively (a concurrent creator wins and its key is used). */
function createKeyFile(path: string): string {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const key = generateMasterKey();
  try {
    writeFileSync(path, key + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(path, 'utf8');
    throw err;
  }
  chmodSync(path, 0o600);
  return key;
}

/** Replaces the key file atomically (write a 0600 temp file, then rename). Used by `keys:rotate`. */
export function replaceKeyFile(path: string, base64Key: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, base64Key.trim() + '\n', { mode: 0o600, flag: 'w' });
  chmodSync(tmp, 0o600);
  // renameSync is atomic on the same filesystem.
  renameSync(tmp, path);
}

function warnIfReadableByOthers(path: string): void {
  if (process.platform === 'win32') return;
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    logger.warn('crypto: the master key file is readable by other users; run chmod 600 on it', { path, mode: mode.toString(8) });
  }
}
