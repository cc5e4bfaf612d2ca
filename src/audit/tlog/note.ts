/**
 * C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 signatures, their verifier
 * keys, and the tlog-checkpoint body they carry (https://c2sp.org/tlog-checkpoint).
 *
 * Compatible with golang.org/x/mod/sumdb/note: same key ID, verifier key string and note
 * encoding (the tests replay that package's published key, note and signatures). Two
 * deliberate differences, both stricter: base64 must be canonical (padded, no stray bits), and
 * the hex key ID in a verifier key must be lowercase, as the C2SP spec writes it.
 *
 * Parsing of notes never throws: a note that is malformed, unsigned by a known key, or carries a
 * bad signature from a known key is a rejection value with a reason. Parsing of verifier keys
 * (trusted configuration) throws {@link NoteFormatError} naming the rule.
 */
import { createHash, createPublicKey, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';

/** Signature type byte for Ed25519 (signed-note §Signature types). */
export const ED25519_TYPE = 0x01;

/** Default cap on signature lines per note (the spec requires accepting at least 16; Go caps at 100). */
export const DEFAULT_MAX_SIGNATURES = 100;

/** Thrown for a key, name or note text that breaks a format rule; the message names the rule, never key material. */
export class NoteFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoteFormatError';
  }
}

// ---------------------------------------------------------------------------------------------
// Encoding helpers

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes standard padded base64 (RFC 4648 §4), canonical only; null for anything else. */
export function decodeBase64Strict(text: string): Buffer | null {
  if (typeof text !== 'string' || !BASE64.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : null;
}

const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
const WHITE_SPACE = /\p{White_Space}/u;
const FORBIDDEN_CONTROL = /[\u0000-\u0009\u000B-\u001F]/;

/**
 * A valid key name: non-empty, well-formed Unicode, no Unicode white space (the White_Space
 * property, as Go's unicode.IsSpace) and no plus sign.
 */
export function isValidKeyName(name: unknown): name is string {
  return typeof name === 'string' && name !== '' && !LONE_SURROGATE.test(name) && !WHITE_SPACE.test(name) && !name.includes('+');
}

function requireKeyName(name: unknown, what = 'the key name'): string {
  if (!isValidKeyName(name)) throw new NoteFormatError(`${what} must be non-empty, without white space or '+'`);
  return name;
}

function hex8(id: number): string {
  return id.toString(16).padStart(8, '0');
}

/** The 32-byte raw Ed25519 public key of a public or private KeyObject. */
export function rawPublicKey(key: KeyObject): Buffer {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  if (publicKey.asymmetricKeyType !== 'ed25519') throw new NoteFormatError(`the key must be an Ed25519 key, not ${publicKey.asymmetricKeyType ?? publicKey.type}`);
  const jwk = publicKey.export({ format: 'jwk' });
  return Buffer.from(jwk.x!, 'base64url');
}

function publicKeyObject(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') }, format: 'jwk' });
}

/**
 * The signed-note key ID of an Ed25519 key: the first 4 bytes, big-endian, of
 * SHA-256(name ‖ 0x0A ‖ 0x01 ‖ 32-byte public key).
 */
export function keyId(name: string, publicKey: Uint8Array): number {
  return encodedKeyId(name, Buffer.concat([Uint8Array.of(ED25519_TYPE), publicKey]));
}

/** SHA-256(name ‖ 0x0A ‖ type byte ‖ key)[:4] for an encoded key (type byte first), big-endian. */
function encodedKeyId(name: string, encodedKey: Uint8Array): number {
  return createHash('sha256').update(Buffer.from(name, 'utf8')).update(Uint8Array.of(0x0a)).update(encodedKey).digest().readUInt32BE(0);
}

// ---------------------------------------------------------------------------------------------
// Keys

/** A key that signs notes: its name, key ID and the Ed25519 private key. */
export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  readonly privateKey: KeyObject;
  /** The 32-byte raw Ed25519 public key. */
  readonly publicKey: Buffer;
}

/** A key that verifies notes: its name, key ID and the Ed25519 public key. */
export interface NoteVerifier {
  readonly name: string;
  readonly keyId: number;
  /** The 32-byte raw Ed25519 public key. */
  readonly publicKey: Buffer;
  readonly key: KeyObject;
}

/**
 * A note signer from a name and an Ed25519 private KeyObject.
 * @throws NoteFormatError for an invalid name or a key that is not an Ed25519 private key
 */
export function noteSigner(name: string, privateKey: KeyObject): NoteSigner {
  requireKeyName(name);
  if (privateKey?.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') {
    throw new NoteFormatError('the signing key must be an Ed25519 private KeyObject');
  }
  const publicKey = rawPublicKey(privateKey);
  return { name, keyId: keyId(name, publicKey), privateKey, publicKey };
}

/** The verifier for a signer (what the log publishes). */
export function signerVerifier(signer: NoteSigner): NoteVerifier {
  return { name: signer.name, keyId: signer.keyId, publicKey: signer.publicKey, key: publicKeyObject(signer.publicKey) };
}

/**
 * The verifier key string `<name>+<8 lowercase hex key ID>+<base64(0x01 ‖ 32-byte public key)>`.
 * @param publicKey a raw 32-byte Ed25519 public key, or a public or private KeyObject
 */
export function formatVerifierKey(name: string, publicKey: Uint8Array | KeyObject): string {
  requireKeyName(name);
  const raw = publicKey instanceof Uint8Array ? Buffer.from(publicKey) : rawPublicKey(publicKey);
  if (raw.length !== 32) throw new NoteFormatError(`an Ed25519 public key is 32 bytes, not ${raw.length}`);
  return `${name}+${hex8(keyId(name, raw))}+${Buffer.concat([Uint8Array.of(ED25519_TYPE), raw]).toString('base64')}`;
}

/**
 * Parses a verifier key `<name>+<8 lowercase hex key ID>+<base64(0x01 ‖ 32-byte public key)>`.
 * @throws NoteFormatError naming the broken rule
 */
export function parseVerifierKey(vkey: string): NoteVerifier {
  const rule = 'a verifier key is <name>+<8 lowercase hex key ID>+<base64 of 0x01 and the 32-byte Ed25519 public key>';
  if (typeof vkey !== 'string') throw new NoteFormatError(`${rule}; got ${typeof vkey}`);
  const first = vkey.indexOf('+');
  const second = first < 0 ? -1 : vkey.indexOf('+', first + 1);
  if (second < 0) throw new NoteFormatError(`${rule}; this one does not have three parts`);
  const name = vkey.slice(0, first);
  const id = vkey.slice(first + 1, second);
  const key64 = vkey.slice(second + 1);
  if (!isValidKeyName(name)) throw new NoteFormatError(`${rule}; the name must be non-empty, without white space or '+'`);
  if (!/^[0-9a-f]{8}$/.test(id)) throw new NoteFormatError(`${rule}; the key ID is not 8 lowercase hex digits`);
  const key = decodeBase64Strict(key64);
  if (!key || key.length === 0) throw new NoteFormatError(`${rule}; the key is not standard padded base64`);
  if (parseInt(id, 16) !== encodedKeyId(name, key)) {
    throw new NoteFormatError(`${rule}; the key ID ${id} does not match the name and key`);
  }
  if (key[0] !== ED25519_TYPE) throw new NoteFormatError(`${rule}; signature type 0x${key[0]!.toString(16).padStart(2, '0')} is not supported (only 0x01, Ed25519)`);
  if (key.length !== 33) throw new NoteFormatError(`${rule}; an Ed25519 key is 32 bytes after the type byte, not ${key.length - 1}`);
  const publicKey = key.subarray(1);
  let keyObject: KeyObject;
  try {
    keyObject = publicKeyObject(publicKey);
  } catch {
    throw new NoteFormatError(`${rule}; the 32 bytes are not a usable Ed25519 public key`);
  }
  return { name, keyId: parseInt(id, 16), publicKey: Buffer.from(publicKey), key: keyObject };
}

// ---------------------------------------------------------------------------------------------
// Notes

/** A signature line of a note. */
export interface NoteSignature {
  readonly name: string;
  readonly keyId: number;
  /** base64(key ID ‖ signature), as on the line. */
  readonly base64: string;
}

/** A note whose text is signed by at least one known key. */
export interface OpenedNote {
  readonly ok: true;
  /** The signed text, final newline included. */
  readonly text: string;
  /** Signatures by known keys, all verified. */
  readonly verified: NoteSignature[];
  /** Signatures by keys not given to {@link openNote}, ignored (not verified). */
  readonly unverified: NoteSignature[];
}

/** Why a note was refused: malformed, no verified signature by a known key, or a known key's signature that fails. */
export interface NoteRejection {
  readonly ok: false;
  readonly code: 'malformed' | 'unverified' | 'invalid-signature';
  readonly reason: string;
}

function checkText(text: string): string | null {
  if (LONE_SURROGATE.test(text)) return 'the note is not valid UTF-8 (it has a lone surrogate)';
  const control = FORBIDDEN_CONTROL.exec(text);
  if (control) return `the note contains the control character U+${control[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()} (only newline is allowed)`;
  return null;
}

/**
 * Signs a note text: returns text ‖ "\n" ‖ one line "— <name> <base64(key ID ‖ signature)>\n"
 * per signer, in the order given.
 * @throws NoteFormatError if the text does not end in a newline or has control characters or lone surrogates
 */
export function signNote(text: string, signers: NoteSigner | readonly NoteSigner[]): string {
  if (typeof text !== 'string' || !text.endsWith('\n')) throw new NoteFormatError('a note text must end with a newline');
  const problem = checkText(text);
  if (problem) throw new NoteFormatError(problem);
  const list = Array.isArray(signers) ? signers : [signers as NoteSigner];
  if (list.length === 0) throw new NoteFormatError('a note needs at least one signer');
  const message = Buffer.from(text, 'utf8');
  const lines = list.map((signer) => {
    requireKeyName(signer.name, 'the signer name');
    const signature = cryptoSign(null, message, signer.privateKey);
    const id = Buffer.alloc(4);
    id.writeUInt32BE(signer.keyId >>> 0);
    return `— ${signer.name} ${Buffer.concat([id, signature]).toString('base64')}\n`;
  });
  return `${text}\n${lines.join('')}`;
}

const utf8Fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function malformed(reason: string): NoteRejection {
  return { ok: false, code: 'malformed', reason };
}

/**
 * Parses a signed note and verifies it against the given keys, as the signed-note spec says:
 * signatures from unknown keys (no verifier with the same name AND key ID) are ignored; a
 * known key's signature that fails rejects the whole note; a note with no verified signature by
 * a known key is rejected. A repeated signature by the same known key is not checked again.
 * Never throws.
 *
 * @param message the note as received (a string, or bytes that must be UTF-8)
 * @param verifiers the trusted keys
 * @param options.maxSignatures at most this many signature lines (default {@link DEFAULT_MAX_SIGNATURES})
 */
export function openNote(
  message: string | Uint8Array,
  verifiers: NoteVerifier | readonly NoteVerifier[],
  options: { maxSignatures?: number } = {},
): OpenedNote | NoteRejection {
  try {
    let msg: string;
    if (typeof message === 'string') msg = message;
    else if (message instanceof Uint8Array) {
      try {
        msg = utf8Fatal.decode(message);
      } catch {
        return malformed('the note is not valid UTF-8');
      }
    } else return malformed('the note must be a string or bytes');
    const problem = checkText(msg);
    if (problem) return malformed(problem);

    const split = msg.lastIndexOf('\n\n');
    if (split < 0) return malformed('the note has no blank line before its signatures');
    const text = msg.slice(0, split + 1);
    let block = msg.slice(split + 2);
    if (block === '' || !block.endsWith('\n')) return malformed('the note must end with signature lines, each ending in a newline');

    const known = new Map<string, NoteVerifier>();
    for (const v of Array.isArray(verifiers) ? verifiers : [verifiers as NoteVerifier]) {
      const id = `${v.name}+${hex8(v.keyId)}`;
      const existing = known.get(id);
      if (existing && !existing.publicKey.equals(v.publicKey)) return malformed(`two different verifier keys share the name and key ID ${id}`);
      known.set(id, v);
    }

    const max = options.maxSignatures ?? DEFAULT_MAX_SIGNATURES;
    const bytes = Buffer.from(text, 'utf8');
    const verified: NoteSignature[] = [];
    const unverified: NoteSignature[] = [];
    const seenKnown = new Set<string>();
    const seenUnknown = new Set<string>();
    let count = 0;
    while (block.length > 0) {
      const end = block.indexOf('\n');
      const line = block.slice(0, end);
      block = block.slice(end + 1);
      if (++count > max) return malformed(`the note has more than ${max} signatures`);
      if (!line.startsWith('— ')) return malformed(`signature line ${count} does not start with an em dash and a space`);
      const rest = line.slice(2);
      const space = rest.indexOf(' ');
      const name = space < 0 ? rest : rest.slice(0, space);
      const b64 = space < 0 ? '' : rest.slice(space + 1);
      if (!isValidKeyName(name)) return malformed(`signature line ${count} has an invalid key name`);
      const raw = decodeBase64Strict(b64);
      if (!raw || raw.length < 5) return malformed(`signature line ${count} is not base64 of a 4-byte key ID and a signature`);
      const id = raw.readUInt32BE(0);
      const signature: NoteSignature = { name, keyId: id, base64: b64 };
      const keyName = `${name}+${hex8(id)}`;
      const verifier = known.get(keyName);
      if (!verifier) {
        if (!seenUnknown.has(line)) {
          seenUnknown.add(line);
          unverified.push(signature);
        }
        continue;
      }
      if (seenKnown.has(keyName)) continue;
      seenKnown.add(keyName);
      const sig = raw.subarray(4);
      let good = false;
      try {
        good = sig.length === 64 && cryptoVerify(null, bytes, verifier.key, sig);
      } catch {
        good = false;
      }
      if (!good) return { ok: false, code: 'invalid-signature', reason: `the signature by key ${keyName} does not verify` };
      verified.push(signature);
    }
    if (verified.length === 0) {
      const names = [...known.keys()].join(', ') || 'no key';
      return { ok: false, code: 'unverified', reason: `the note has no signature by a known key (${names})` };
    }
    return { ok: true, text, verified, unverified };
  } catch (error) {
    return malformed(`the note could not be read: ${(error as Error)?.message ?? String(error)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Checkpoints

/** A tlog-checkpoint body: origin, tree size, RFC 6962 root hash, and optional extension lines. */
export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Buffer;
  readonly extensions: readonly string[];
}

/** Formats a checkpoint body: origin, decimal size and base64 root hash lines, then extension lines, each ending in "\n". */
export function formatCheckpoint(checkpoint: { origin: string; size: number; rootHash: Uint8Array; extensions?: readonly string[] }): string {
  const { origin, size, rootHash, extensions = [] } = checkpoint;
  const line = (value: unknown, what: string) => {
    if (typeof value !== 'string' || value === '' || value.includes('\n')) throw new NoteFormatError(`the checkpoint ${what} must be one non-empty line`);
    const problem = checkText(value);
    if (problem) throw new NoteFormatError(`the checkpoint ${what}: ${problem.replace('the note ', '')}`);
    return value;
  };
  line(origin, 'origin');
  if (!Number.isSafeInteger(size) || size < 0) throw new NoteFormatError('the checkpoint size must be a safe non-negative integer');
  if (!(rootHash instanceof Uint8Array) || rootHash.length !== 32) throw new NoteFormatError('the checkpoint root hash must be 32 bytes');
  extensions.forEach((e, i) => line(e, `extension line ${i + 1}`));
  return [origin, String(size), Buffer.from(rootHash).toString('base64'), ...extensions].map((l) => `${l}\n`).join('');
}

/** A checkpoint, or why the text is not one. */
export type CheckpointParse = { readonly ok: true; readonly checkpoint: Checkpoint } | { readonly ok: false; readonly reason: string };

/**
 * Parses a checkpoint body (the note text): at least three non-empty lines, each ending in a
 * newline: origin; tree size in decimal without leading zeros (at most 2^53 − 1); base64 of a
 * 32-byte root hash; then non-empty extension lines. Never throws.
 */
export function parseCheckpoint(text: string): CheckpointParse {
  if (typeof text !== 'string' || !text.endsWith('\n')) return { ok: false, reason: 'a checkpoint must end with a newline' };
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) return { ok: false, reason: 'a checkpoint has at least three lines: origin, tree size, root hash' };
  const empty = lines.findIndex((l) => l === '');
  if (empty >= 0) return { ok: false, reason: `checkpoint line ${empty + 1} is empty` };
  const [origin, sizeText, rootText, ...extensions] = lines as [string, string, string, ...string[]];
  if (!/^(?:0|[1-9][0-9]{0,15})$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) {
    return { ok: false, reason: 'the checkpoint tree size must be decimal without leading zeros, at most 2^53 − 1' };
  }
  const rootHash = decodeBase64Strict(rootText);
  if (!rootHash || rootHash.length !== 32) return { ok: false, reason: 'the checkpoint root hash must be standard base64 of 32 bytes' };
  return { ok: true, checkpoint: { origin, size: Number(sizeText), rootHash, extensions } };
}

/**
 * Signs a checkpoint as a note. The origin defaults to the signer's name (the log's key name
 * SHOULD match the origin; this gateway's contract makes them equal).
 */
export function signCheckpoint(
  checkpoint: { origin?: string; size: number; rootHash: Uint8Array; extensions?: readonly string[] },
  signer: NoteSigner,
): string {
  return signNote(formatCheckpoint({ ...checkpoint, origin: checkpoint.origin ?? signer.name }), signer);
}

/** A verified checkpoint with its note, or why it was refused. */
export type CheckpointOpen =
  | { readonly ok: true; readonly checkpoint: Checkpoint; readonly note: OpenedNote }
  | { readonly ok: false; readonly code: NoteRejection['code'] | 'not-a-checkpoint' | 'wrong-origin'; readonly reason: string };

/**
 * Opens a signed checkpoint: {@link openNote}, then {@link parseCheckpoint}, then checks the
 * origin. Never throws.
 *
 * @param options.origin the expected origin; default: the name of a key whose signature verified
 */
export function openCheckpoint(
  message: string | Uint8Array,
  verifiers: NoteVerifier | readonly NoteVerifier[],
  options: { origin?: string; maxSignatures?: number } = {},
): CheckpointOpen {
  const note = openNote(message, verifiers, options);
  if (!note.ok) return note;
  const parsed = parseCheckpoint(note.text);
  if (!parsed.ok) return { ok: false, code: 'not-a-checkpoint', reason: parsed.reason };
  const { origin } = parsed.checkpoint;
  const expected = options.origin;
  if (expected !== undefined ? origin !== expected : !note.verified.some((s) => s.name === origin)) {
    return {
      ok: false,
      code: 'wrong-origin',
      reason: `the checkpoint origin "${origin}" is not ${expected !== undefined ? `the expected "${expected}"` : 'the name of the key that signed it'}`,
    };
  }
  return { ok: true, checkpoint: parsed.checkpoint, note };
}
