/**
 * The log's Ed25519 signing key as an operator configures it in `TLOG_SIGNING_KEY`.
 *
 * Accepted forms:
 *  1. The Go note signer key (golang.org/x/mod/sumdb/note, `note.GenerateKey`):
 *     `PRIVATE+KEY+<name>+<8 lowercase hex key ID>+<base64(0x01 ‖ 32-byte Ed25519 seed)>`.
 *     The name is the log origin; the key ID is checked against the derived public key.
 *  2. An Ed25519 PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`, e.g. from
 *     `openssl genpkey -algorithm ed25519`), with the name given separately (the origin). A PEM
 *     written on one line with literal `\n` escapes is accepted too.
 *
 * Errors name the variable and the rule, never any part of the key.
 */
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { ED25519_TYPE, decodeBase64Strict, formatVerifierKey, isValidKeyName, keyId, noteSigner, rawPublicKey, type NoteSigner } from './note';

/** The environment variable that holds the log's signing key. */
export const SIGNING_KEY_VARIABLE = 'TLOG_SIGNING_KEY';

/** Thrown for an unusable signing key; the message names the variable and the rule, never the key. */
export class SigningKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SigningKeyError';
  }
}

const GO_FORM = 'PRIVATE+KEY+<name>+<8 lowercase hex key ID>+<base64 of 0x01 and the 32-byte Ed25519 seed>';
// PKCS#8 DER prefix of an Ed25519 private key (RFC 8410): SEQUENCE { version 0, AlgorithmIdentifier id-Ed25519, OCTET STRING { OCTET STRING seed } }.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function privateKeyFromSeed(seed: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

/** The 32-byte seed of an Ed25519 private KeyObject. */
function seedOf(privateKey: KeyObject): Buffer {
  const jwk = privateKey.export({ format: 'jwk' });
  return Buffer.from(jwk.d!, 'base64url');
}

/**
 * Formats a private key as the Go-compatible note signer key
 * `PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 ‖ seed)>`. The result is a secret.
 */
export function formatSigningKey(name: string, privateKey: KeyObject): string {
  const signer = noteSigner(name, privateKey);
  const encoded = Buffer.concat([Uint8Array.of(ED25519_TYPE), seedOf(privateKey)]).toString('base64');
  return `PRIVATE+KEY+${name}+${signer.keyId.toString(16).padStart(8, '0')}+${encoded}`;
}

/**
 * Generates a new Ed25519 log key named `name` (the log origin, e.g. `crm.example.com/tlog`):
 * the secret signing key string for `TLOG_SIGNING_KEY`, the public verifier key string to
 * publish, and the ready signer.
 */
export function generateSigningKey(name: string): { signingKey: string; verifierKey: string; signer: NoteSigner } {
  const { privateKey } = generateKeyPairSync('ed25519');
  const signer = noteSigner(name, privateKey);
  return { signingKey: formatSigningKey(name, privateKey), verifierKey: formatVerifierKey(name, signer.publicKey), signer };
}

/**
 * Loads the log's signing key from the string an operator put in `TLOG_SIGNING_KEY` (either
 * form in the file comment).
 *
 * @param value the variable's value
 * @param options.name the log origin: required for a PEM; for the Go form, when given, it must
 *   equal the key's name
 * @param options.variable the name used in error messages (default `TLOG_SIGNING_KEY`)
 * @throws SigningKeyError naming the variable and the broken rule, never the key
 */
export function loadSigningKey(value: string | undefined, options: { name?: string; variable?: string } = {}): NoteSigner {
  const variable = options.variable ?? SIGNING_KEY_VARIABLE;
  const fail = (rule: string): never => {
    throw new SigningKeyError(`${variable} ${rule}`);
  };
  if (options.name !== undefined && !isValidKeyName(options.name)) fail(`cannot be used: the log origin must be a key name, non-empty, without white space or '+'`);
  if (value === undefined || value.trim() === '') {
    return fail(`is not set: give the log's Ed25519 key as ${GO_FORM} (see generateSigningKey), or as an Ed25519 PKCS#8 PEM`);
  }
  const text = value.trim();
  if (text.startsWith('PRIVATE+KEY+')) return loadGoForm(text, options.name, fail);
  if (text.startsWith('-----BEGIN')) return loadPem(text, options.name, fail);
  return fail(`must be ${GO_FORM}, or an Ed25519 PKCS#8 PEM (-----BEGIN PRIVATE KEY-----); the value given (${text.length} characters) is neither`);
}

function loadGoForm(text: string, expectedName: string | undefined, fail: (rule: string) => never): NoteSigner {
  const parts = text.slice('PRIVATE+KEY+'.length);
  const first = parts.indexOf('+');
  const second = first < 0 ? -1 : parts.indexOf('+', first + 1);
  if (second < 0) return fail(`must be ${GO_FORM}; it does not have the name, key ID and key parts`);
  const name = parts.slice(0, first);
  const id = parts.slice(first + 1, second);
  const encoded = decodeBase64Strict(parts.slice(second + 1));
  if (!isValidKeyName(name)) return fail(`must be ${GO_FORM}; the name must be non-empty, without white space or '+'`);
  if (!/^[0-9a-f]{8}$/.test(id)) return fail(`must be ${GO_FORM}; the key ID is not 8 lowercase hex digits`);
  if (!encoded) return fail(`must be ${GO_FORM}; the key is not standard padded base64`);
  if (encoded[0] !== ED25519_TYPE) return fail(`must be ${GO_FORM}; the key's type byte is not 0x01 (Ed25519)`);
  if (encoded.length !== 33) return fail(`must be ${GO_FORM}; the key is ${encoded.length - 1} bytes after the type byte, not 32`);
  const privateKey = privateKeyFromSeed(encoded.subarray(1));
  const publicKey = rawPublicKey(privateKey);
  if (keyId(name, publicKey) !== parseInt(id, 16)) return fail(`must be ${GO_FORM}; the key ID ${id} does not match the name and key (was the value cut or edited?)`);
  if (expectedName !== undefined && expectedName !== name) {
    return fail(`is the key of "${name}" but the log origin is "${expectedName}": the checkpoint origin must be the key name`);
  }
  return noteSigner(name, privateKey);
}

function loadPem(text: string, name: string | undefined, fail: (rule: string) => never): NoteSigner {
  if (name === undefined) return fail('is a PEM key, which does not carry the key name: pass the log origin as the name');
  const pem = !text.includes('\n') && text.includes('\\n') ? text.replace(/\\n/g, '\n') : text;
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    return fail('looks like a PEM but is not a readable unencrypted PKCS#8 private key');
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') return fail(`must be an Ed25519 key; this PEM holds a ${privateKey.asymmetricKeyType ?? 'different'} key`);
  return noteSigner(name, privateKey);
}
