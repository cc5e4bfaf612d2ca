import { randomBytes } from 'node:crypto';
import { KeyConfigError } from './errors';

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
