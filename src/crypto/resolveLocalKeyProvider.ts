import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { logger } from '../logger';
import { KeyConfigError } from './errors';
import { LocalKeyProvider } from './localKeyProvider';
import { generateMasterKey } from './masterKey';

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
