import { describe, expect, it } from 'vitest';
import { validatePhone } from '../../../src/customers/input';
import { expectInputError } from './expectInputError';

describe('validatePhone', () => {
  it('returns E.164, accepting common separators', () => {
    expect(validatePhone('+33 6 12 34 56 78')).toBe('+33612345678');
    expect(validatePhone('+1 (202) 555-0143')).toBe('+12025550143');
    expect(validatePhone('+44 20 7946 0958')).toBe('+442079460958');
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ['a number', 33612345678, /must be a string/],
    ['empty', ' ', /must not be empty/],
    ['a national number without +', '06 12 34 56 78', /international E\.164 form/],
    ['letters', '+49 CALL ME NOW', /international E\.164 form/],
    ['too short for its country', '+33 612', /valid phone number for its country code/],
    ['an unassigned country code', '+999 1234567', /valid phone number for its country code/],
    ['far too long', '+3361234567812345678901234567890', /international E\.164 form|valid phone number/],
  ];
  for (const [what, value, rule] of bad) {
    it(`rejects ${what}, naming the field and rule but not the value`, () => {
      const secrets = typeof value === 'string' && value.trim().length > 2 ? [value.trim(), value.replace(/\D/g, '')].filter((s) => s.length > 2) : [];
      expectInputError(() => validatePhone(value), 'input.phone', rule, secrets);
    });
  }
});
