import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  NoteFormatError,
  formatCheckpoint,
  formatVerifierKey,
  keyId,
  noteSigner,
  openCheckpoint,
  openNote,
  parseCheckpoint,
  parseVerifierKey,
  signCheckpoint,
  signNote,
  signerVerifier,
} from '../../../src/audit/tlog/note';
import { SigningKeyError, formatSigningKey, generateSigningKey, loadSigningKey } from '../../../src/audit/tlog/signingKey';

// Published vectors from golang.org/x/mod/sumdb/note (note.go doc comment and note_test.go).
const PETER_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_SIG = '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const ENOCH_SIG = '— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';
// Published example from c2sp.org/signed-note.
const C2SP_VKEY = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
const C2SP_NOTE = 'This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';
// Published example from c2sp.org/tlog-checkpoint (no key is published for it).
const C2SP_CHECKPOINT = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';

describe('compatibility with the Go reference (golang.org/x/mod/sumdb/note) and the C2SP examples', () => {
  it('loads the published signer key and produces the published signature, byte for byte', () => {
    const signer = loadSigningKey(PETER_SKEY);
    expect(signer.name).toBe('PeterNeumann');
    expect(signer.keyId).toBe(0xc74f20a3);
    expect(formatVerifierKey(signer.name, signer.publicKey)).toBe(PETER_VKEY);
    expect(formatVerifierKey(signer.name, signer.privateKey)).toBe(PETER_VKEY);
    expect(signNote(TEXT, signer)).toBe(`${TEXT}\n${PETER_SIG}`);
    expect(formatSigningKey(signer.name, signer.privateKey)).toBe(PETER_SKEY);
  });

  it('computes the published key IDs', () => {
    const peter = parseVerifierKey(PETER_VKEY);
    expect(keyId('PeterNeumann', peter.publicKey)).toBe(0xc74f20a3);
    expect(keyId('EnochRoot', parseVerifierKey(ENOCH_VKEY).publicKey)).toBe(0xaf0cfe78);
    expect(keyId('example.com/foo', parseVerifierKey(C2SP_VKEY).publicKey)).toBe(0x530d903a);
  });

  it('opens the published notes: one known key verified, the other ignored; both; neither', () => {
    const peter = parseVerifierKey(PETER_VKEY);
    const enoch = parseVerifierKey(ENOCH_VKEY);
    const msg = `${TEXT}\n${PETER_SIG}${ENOCH_SIG}`;
    const one = openNote(msg, peter);
    expect(one).toMatchObject({ ok: true, text: TEXT });
    if (!one.ok) throw new Error(one.reason);
    expect(one.verified).toEqual([{ name: 'PeterNeumann', keyId: 0xc74f20a3, base64: PETER_SIG.slice(15, -1) }]);
    expect(one.unverified.map((s) => s.name)).toEqual(['EnochRoot']);
    const both = openNote(msg, [peter, enoch]);
    expect(both.ok && both.verified.map((s) => s.name)).toEqual(['PeterNeumann', 'EnochRoot']);
    expect(openNote(msg, [])).toMatchObject({ ok: false, code: 'unverified' });
    expect(openNote(Buffer.from(C2SP_NOTE), parseVerifierKey(C2SP_VKEY))).toMatchObject({ ok: true, text: 'This is an example message.\n' });
  });

  it('rejects every substring and every one-byte change of the published verifier and signer keys (Go TestNewVerifier/TestNewSigner)', () => {
    for (const [key, load] of [
      [PETER_VKEY, (k: string) => parseVerifierKey(k)],
      [PETER_SKEY, (k: string) => loadSigningKey(k)],
    ] as const) {
      let rejected = 0;
      for (let i = 0; i <= key.length; i++) {
        for (let j = i + 1; j <= key.length; j++) {
          if (i === 0 && j === key.length) continue;
          expect(() => load(key.slice(i, j)), key.slice(i, j)).toThrow();
          rejected++;
        }
      }
      for (let i = 0; i < key.length; i++) {
        const mangled = key.slice(0, i) + String.fromCharCode(key.charCodeAt(i) + 1) + key.slice(i + 1);
        expect(() => load(mangled), mangled).toThrow();
        rejected++;
      }
      expect(rejected).toBe((key.length * (key.length + 1)) / 2 - 1 + key.length);
    }
    // Go rejects this one for its length; it is also non-canonical base64 (stray bits before '=='), which is rejected first here.
    expect(() => parseVerifierKey('PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==')).toThrow('the key is not standard padded base64');
    expect(() => parseVerifierKey('PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=')).toThrow(NoteFormatError);
    expect(() => parseVerifierKey('PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW')).toThrow('signature type 0x65 is not supported (only 0x01, Ed25519)');
  });

  it('parses the published checkpoint body', () => {
    const parsed = parseCheckpoint(C2SP_CHECKPOINT);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.checkpoint.origin).toBe('example.com/behind-the-sofa');
    expect(parsed.checkpoint.size).toBe(20852163);
    expect(parsed.checkpoint.rootHash.toString('base64')).toBe('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=');
    expect(parsed.checkpoint.extensions).toEqual([]);
    expect(formatCheckpoint(parsed.checkpoint)).toBe(C2SP_CHECKPOINT);
  });
});

describe('malformed and hostile notes (Go TestOpen cases and more)', () => {
  const peter = parseVerifierKey(PETER_VKEY);

  it.each([
    ['text only', TEXT, 'malformed', 'no blank line'],
    ['text and blank line', `${TEXT}\n`, 'malformed', 'must end with signature lines'],
    ['signature without final newline', `${TEXT}\n${PETER_SIG.slice(0, -1)}`, 'malformed', 'must end with signature lines'],
    ['control character', `\x01${TEXT}\n${PETER_SIG}`, 'malformed', 'control character U+0001'],
    ['carriage return', `${TEXT.replace('\n', '\r\n')}\n${PETER_SIG}`, 'malformed', 'control character U+000D'],
    ['lone surrogate', `\uD800${TEXT}\n${PETER_SIG}`, 'malformed', 'lone surrogate'],
    ['space in key name', `${TEXT}\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`, 'malformed', 'not base64'],
    ['plus in key name', `${TEXT}\n— Peter+Neumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`, 'malformed', 'invalid key name'],
    ['unexpected line after signatures', `${TEXT}\n${PETER_SIG}Unexpected line.\n`, 'malformed', 'does not start with an em dash'],
    ['hyphen instead of em dash', `${TEXT}\n${PETER_SIG.replace('—', '-')}`, 'malformed', 'does not start with an em dash'],
    ['no signature bytes', `${TEXT}\n— PeterNeumann \n`, 'malformed', 'not base64'],
    ['short signature', `${TEXT}\n— PeterNeumann AAAA\n`, 'malformed', 'not base64 of a 4-byte key ID and a signature'],
    ['unpadded base64', `${TEXT}\n${PETER_SIG.replace('AM=\n', 'AM\n')}`, 'malformed', 'not base64'],
    ['non-canonical base64 bits', `${TEXT}\n${PETER_SIG.replace('AM=\n', 'AN=\n')}`, 'malformed', 'not base64'],
    ['101 signatures', `${TEXT}\n${PETER_SIG.repeat(101)}`, 'malformed', 'more than 100 signatures'],
    ['101 unknown signatures', `${TEXT}\n${ENOCH_SIG.repeat(101)}`, 'malformed', 'more than 100 signatures'],
    ['corrupted known signature', `${TEXT}\n${PETER_SIG.slice(0, 60)}ABCD${PETER_SIG.slice(60)}`, 'invalid-signature', 'by key PeterNeumann+c74f20a3 does not verify'],
    ['changed text', `${TEXT.replace('answer', 'Answer')}\n${PETER_SIG}`, 'invalid-signature', 'does not verify'],
    ['only an unknown key', `${TEXT}\n${ENOCH_SIG}`, 'unverified', 'no signature by a known key (PeterNeumann+c74f20a3)'],
    ['known name, other key ID', `${TEXT}\n${PETER_SIG.replace('x08g', 'xxxx')}`, 'unverified', 'no signature by a known key'],
  ])('%s', (_label, msg, code, reason) => {
    const result = openNote(msg, peter);
    expect(result).toMatchObject({ ok: false, code });
    if (!result.ok) expect(result.reason).toContain(reason);
  });

  it('refuses invalid UTF-8 bytes and non-text input without throwing', () => {
    const bytes = Buffer.concat([Buffer.from([0xff]), Buffer.from(`${TEXT}\n${PETER_SIG}`)]);
    expect(openNote(bytes, peter)).toEqual({ ok: false, code: 'malformed', reason: 'the note is not valid UTF-8' });
    expect(openNote(42 as unknown as string, peter)).toMatchObject({ ok: false, code: 'malformed' });
    expect(openNote(null as unknown as string, peter)).toMatchObject({ ok: false, code: 'malformed' });
  });

  it('checks a repeated known signature once, and lists repeated unknown ones once', () => {
    const enochABCD = `${ENOCH_SIG.slice(0, 60)}ABCD${ENOCH_SIG.slice(60)}`;
    const result = openNote(`${TEXT}\n${PETER_SIG}${PETER_SIG}${ENOCH_SIG}${ENOCH_SIG}${enochABCD}`, peter);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.verified).toHaveLength(1);
    expect(result.unverified).toHaveLength(2);
  });

  it('does not verify a signature by the right name and key ID but a different key', () => {
    // A signature whose name and ID match a known key must be verified with THAT key.
    const other = generateSigningKey('PeterNeumann').signer;
    const forged = signNote(TEXT, { ...other, keyId: 0xc74f20a3 });
    expect(openNote(forged, peter)).toMatchObject({ ok: false, code: 'invalid-signature' });
  });

  it('never throws on random garbage', () => {
    let seed = 1;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const alphabet = ['—', ' ', '\n', 'a', 'Z', '+', '/', '=', 'PeterNeumann', 'x08go', '\u00a0', '\uD800', '\u0000'];
    for (let t = 0; t < 2000; t++) {
      let msg = '';
      const len = Math.floor(rand() * 40);
      for (let i = 0; i < len; i++) msg += alphabet[Math.floor(rand() * alphabet.length)];
      if (rand() < 0.5) msg = `${TEXT}\n${msg}`;
      const result = openNote(msg, peter);
      expect(result.ok).toBe(false);
      expect(openCheckpoint(msg, peter).ok).toBe(false);
    }
  });
});

describe('checkpoints', () => {
  const { signer } = generateSigningKey('crm.example.com/tlog');
  const verifier = signerVerifier(signer);
  const root = Buffer.alloc(32, 7);

  it('signs and opens a checkpoint; origin defaults to the key name', () => {
    const note = signCheckpoint({ size: 12, rootHash: root }, signer);
    expect(note.startsWith(`crm.example.com/tlog\n12\n${root.toString('base64')}\n\n— crm.example.com/tlog `)).toBe(true);
    const opened = openCheckpoint(note, parseVerifierKey(formatVerifierKey(signer.name, signer.publicKey)));
    expect(opened.ok).toBe(true);
    if (!opened.ok) return;
    expect(opened.checkpoint).toEqual({ origin: 'crm.example.com/tlog', size: 12, rootHash: root, extensions: [] });
  });

  it('keeps extension lines and accepts a cosignature by an unknown key', () => {
    const witness = generateSigningKey('witness.example').signer;
    const note = signNote(formatCheckpoint({ origin: signer.name, size: 3, rootHash: root, extensions: ['ext one'] }), [signer, witness]);
    const opened = openCheckpoint(note, verifier);
    expect(opened.ok && opened.checkpoint.extensions).toEqual(['ext one']);
    expect(opened.ok && opened.note.unverified.map((s) => s.name)).toEqual(['witness.example']);
  });

  it('refuses a checkpoint from another origin, or a note that is not a checkpoint', () => {
    const other = signCheckpoint({ origin: 'someone.else/log', size: 1, rootHash: root }, signer);
    expect(openCheckpoint(other, verifier)).toMatchObject({ ok: false, code: 'wrong-origin' });
    expect(openCheckpoint(other, verifier, { origin: 'someone.else/log' }).ok).toBe(true);
    expect(openCheckpoint(signNote('hello\n', signer), verifier)).toMatchObject({ ok: false, code: 'not-a-checkpoint' });
  });

  it.each([
    ['no final newline', 'o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', 'end with a newline'],
    ['two lines', 'o\n1\n', 'at least three lines'],
    ['empty origin', `\n1\n${Buffer.alloc(32).toString('base64')}\n`, 'line 1 is empty'],
    ['leading zero', `o\n01\n${Buffer.alloc(32).toString('base64')}\n`, 'without leading zeros'],
    ['negative', `o\n-1\n${Buffer.alloc(32).toString('base64')}\n`, 'without leading zeros'],
    ['too large', `o\n9007199254740992\n${Buffer.alloc(32).toString('base64')}\n`, 'at most 2^53 − 1'],
    ['31-byte root', `o\n1\n${Buffer.alloc(31).toString('base64')}\n`, 'base64 of 32 bytes'],
    ['empty extension', `o\n1\n${Buffer.alloc(32).toString('base64')}\n\n`, 'line 4 is empty'],
  ])('rejects a body with %s', (_label, text, reason) => {
    const parsed = parseCheckpoint(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toContain(reason);
  });

  it('refuses to format or sign an invalid checkpoint', () => {
    expect(() => formatCheckpoint({ origin: 'a\nb', size: 1, rootHash: root })).toThrow(NoteFormatError);
    expect(() => formatCheckpoint({ origin: 'o', size: -1, rootHash: root })).toThrow('size must be a safe non-negative integer');
    expect(() => formatCheckpoint({ origin: 'o', size: 1, rootHash: Buffer.alloc(3) })).toThrow('root hash must be 32 bytes');
    expect(() => signNote('no newline', signer)).toThrow('must end with a newline');
    expect(() => signNote('tab\there\n', signer)).toThrow('control character U+0009');
  });
});

describe('signing keys (TLOG_SIGNING_KEY)', () => {
  it('generates a key that loads back, signs, and verifies with its published verifier key', () => {
    const { signingKey, verifierKey } = generateSigningKey('crm.example.com/tlog');
    expect(signingKey).toMatch(/^PRIVATE\+KEY\+crm\.example\.com\/tlog\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
    const signer = loadSigningKey(signingKey, { name: 'crm.example.com/tlog' });
    expect(openNote(signNote('hi\n', signer), parseVerifierKey(verifierKey)).ok).toBe(true);
  });

  it('loads an Ed25519 PKCS#8 PEM with the origin as the name, also with literal \\n escapes', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    const signer = loadSigningKey(pem, { name: 'crm.example.com/tlog' });
    expect(signer.keyId).toBe(noteSigner('crm.example.com/tlog', privateKey).keyId);
    expect(loadSigningKey(pem.trim().replace(/\n/g, '\\n'), { name: 'crm.example.com/tlog' }).keyId).toBe(signer.keyId);
  });

  it('names TLOG_SIGNING_KEY and the rule, and never echoes the key', () => {
    const { signingKey } = generateSigningKey('crm.example.com/tlog');
    const prefix = /^PRIVATE\+KEY\+[^+]+\+[0-9a-f]{8}\+/.exec(signingKey)![0];
    const secret = signingKey.slice(prefix.length);
    const { privateKey: rsa } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const cases: [string | undefined, { name?: string }, string][] = [
      [undefined, {}, 'TLOG_SIGNING_KEY is not set'],
      ['  ', {}, 'TLOG_SIGNING_KEY is not set'],
      [secret, {}, 'is neither'],
      [signingKey.replace('+crm', '+c rm'), {}, 'the name must be non-empty, without white space'],
      [signingKey.replace(/\+[0-9a-f]{8}\+/, '+ABCDEF01+'), {}, 'not 8 lowercase hex digits'],
      [signingKey.replace(/\+[0-9a-f]{8}\+/, '+00000000+'), {}, 'does not match the name and key'],
      [signingKey.slice(0, -3), {}, 'not standard padded base64'],
      [`${prefix}${Buffer.alloc(33, 2).toString('base64')}`, {}, "type byte is not 0x01"],
      [`${prefix}${Buffer.concat([Buffer.of(1), Buffer.alloc(31)]).toString('base64')}`, {}, 'is 31 bytes after the type byte, not 32'],
      [signingKey, { name: 'other.example/log' }, 'is the key of "crm.example.com/tlog" but the log origin is "other.example/log"'],
      ['-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n', { name: 'o' }, 'not a readable unencrypted PKCS#8 private key'],
      ['-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n', {}, 'pass the log origin as the name'],
      [rsa.export({ format: 'pem', type: 'pkcs8' }) as string, { name: 'o' }, 'this PEM holds a rsa key'],
    ];
    for (const [value, options, message] of cases) {
      let error: unknown;
      try {
        loadSigningKey(value, options);
      } catch (e) {
        error = e;
      }
      expect(error, String(value)).toBeInstanceOf(SigningKeyError);
      const text = (error as Error).message;
      expect(text).toContain(message);
      expect(text.startsWith('TLOG_SIGNING_KEY ')).toBe(true);
      expect(text).not.toContain(secret);
      expect(text).not.toContain(secret.slice(0, 12));
    }
    expect(() => loadSigningKey(undefined, { variable: 'LOG_KEY' })).toThrow(/^LOG_KEY is not set/);
  });
});
