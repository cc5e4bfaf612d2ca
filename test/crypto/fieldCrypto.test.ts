import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Binary } from 'bson';
import { DecryptionError, associatedData, openField, sealField } from '../../src/crypto';

const key = randomBytes(32);
const NOTE = 'Allergic to penicillin; asthma since 2009';

describe('sealField / openField (AES-256-GCM bound to customer and path)', () => {
  it('round-trips UTF-8 text and stores no plaintext', () => {
    const value = sealField(key, 'cus_1', 'health.notes', NOTE + ' — ünïcødé');
    expect(value.v).toBe(1);
    expect(value.iv).toHaveLength(12);
    expect(value.tag).toHaveLength(16);
    expect(value.ct.toString('utf8')).not.toContain('penicillin');
    expect(openField(key, 'cus_1', 'health.notes', value)).toBe(NOTE + ' — ünïcødé');
  });

  it('uses a fresh IV each time, so equal plaintexts give different ciphertexts', () => {
    const a = sealField(key, 'cus_1', 'health.notes', NOTE);
    const b = sealField(key, 'cus_1', 'health.notes', NOTE);
    expect(a.iv.equals(b.iv)).toBe(false);
    expect(a.ct.equals(b.ct)).toBe(false);
  });

  it('binds the AAD as <customerId>|<path>', () => {
    expect(associatedData('cus_1', 'health.notes').toString()).toBe('cus_1|health.notes');
    expect(() => associatedData('cus_1', 'health|notes')).toThrow(/must not contain/);
  });

  it('decrypts values read back as BSON Binary', () => {
    const value = sealField(key, 'cus_1', 'paymentCard.number', '4111111111111111');
    const stored = { v: 1, iv: new Binary(value.iv), ct: new Binary(value.ct), tag: new Binary(value.tag) };
    expect(openField(key, 'cus_1', 'paymentCard.number', stored)).toBe('4111111111111111');
  });

  const failures: Array<[string, (v: ReturnType<typeof sealField>) => () => string]> = [
    ['another customer', (v) => () => openField(key, 'cus_2', 'health.notes', v)],
    ['another field path', (v) => () => openField(key, 'cus_1', 'health.conditions', v)],
    ['another key', (v) => () => openField(randomBytes(32), 'cus_1', 'health.notes', v)],
    ['a flipped ciphertext bit', (v) => () => openField(key, 'cus_1', 'health.notes', { ...v, ct: flip(v.ct) })],
    ['a flipped tag bit', (v) => () => openField(key, 'cus_1', 'health.notes', { ...v, tag: flip(v.tag) })],
    ['a changed IV', (v) => () => openField(key, 'cus_1', 'health.notes', { ...v, iv: flip(v.iv) })],
    ['a truncated tag', (v) => () => openField(key, 'cus_1', 'health.notes', { ...v, tag: v.tag.subarray(0, 8) })],
    ['an unknown version', (v) => () => openField(key, 'cus_1', 'health.notes', { ...v, v: 2 })],
    ['a non-encrypted value', () => () => openField(key, 'cus_1', 'health.notes', NOTE)],
  ];
  for (const [what, attempt] of failures) {
    it(`rejects ${what} with a DecryptionError that reveals neither plaintext nor ciphertext`, () => {
      const value = sealField(key, 'cus_1', 'health.notes', NOTE);
      let caught: unknown;
      try {
        attempt(value)();
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(DecryptionError);
      const message = (caught as Error).message;
      expect(message).toMatch(/Cannot decrypt "health\.(notes|conditions)"/);
      expect(message).not.toContain('penicillin');
      expect(message).not.toContain(value.ct.toString('base64'));
      expect(message).not.toContain(value.ct.toString('hex'));
    });
  }
});

function flip(buf: Buffer): Buffer {
  const copy = Buffer.from(buf);
  copy[0] ^= 0x01;
  return copy;
}
