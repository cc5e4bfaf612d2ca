import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KeyConfigError, LocalKeyProvider, UnwrapError, generateMasterKey, parseMasterKey } from '../../src/crypto';

describe('MASTER_KEY validation', () => {
  it('accepts base64 of 32 bytes, with surrounding whitespace', () => {
    const text = generateMasterKey();
    expect(parseMasterKey(` ${text}\n`)).toEqual(Buffer.from(text, 'base64'));
  });

  const cases: Array<[string, string, RegExp]> = [
    ['empty', '', /MASTER_KEY is empty/],
    ['too short', randomBytes(16).toString('base64'), /MASTER_KEY decodes to 16 bytes, expected 32/],
    ['too long', randomBytes(48).toString('base64'), /MASTER_KEY decodes to 48 bytes, expected 32/],
    ['not base64', 'this is not base64 at all, no sir!!', /MASTER_KEY is not valid base64 \(35 characters received\)/],
    ['hex instead of base64', randomBytes(32).toString('hex'), /MASTER_KEY decodes to 48 bytes, expected 32/],
  ];
  for (const [what, value, message] of cases) {
    it(`rejects a key that is ${what}, naming MASTER_KEY and the rule but never the key`, () => {
      let caught: unknown;
      try {
        parseMasterKey(value);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(KeyConfigError);
      const msg = (caught as Error).message;
      expect(msg).toMatch(message);
      expect(msg).toMatch(/base64 encoding of exactly 32 random bytes/);
      if (value !== '') expect(msg).not.toContain(value);
    });
  }

  it('names the setting it was given (NEW_MASTER_KEY)', () => {
    expect(() => parseMasterKey('abcd', 'NEW_MASTER_KEY')).toThrow(/^NEW_MASTER_KEY decodes to 3 bytes, expected 32/);
  });
});

describe('LocalKeyProvider', () => {
  it('wraps and unwraps a data key; the wrapped form does not contain it', async () => {
    const provider = LocalKeyProvider.fromBase64(generateMasterKey());
    const dataKey = randomBytes(32);
    const wrapped = await provider.wrap(dataKey);
    expect(wrapped.includes(dataKey)).toBe(false);
    expect(await provider.unwrap(wrapped)).toEqual(dataKey);
  });

  it('has an id derived from the key, stable for the same key and different for another', () => {
    const text = generateMasterKey();
    const a = LocalKeyProvider.fromBase64(text);
    expect(a.id).toMatch(/^local:[0-9a-f]{16}$/);
    expect(LocalKeyProvider.fromBase64(text).id).toBe(a.id);
    expect(LocalKeyProvider.fromBase64(generateMasterKey()).id).not.toBe(a.id);
  });

  it('refuses to unwrap a key wrapped by another master key', async () => {
    const wrapped = await LocalKeyProvider.fromBase64(generateMasterKey()).wrap(randomBytes(32));
    await expect(LocalKeyProvider.fromBase64(generateMasterKey()).unwrap(wrapped)).rejects.toBeInstanceOf(UnwrapError);
  });
});
