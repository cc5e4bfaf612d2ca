import { describe, expect, it } from 'vitest';
import { validateAddress, validatePostalCode } from '../../../src/customers/input';
import { expectInputError } from './expectInputError';

describe('validatePostalCode', () => {
  const good: Array<[string, string, string]> = [
    ['FR', '75008', '75008'],
    ['DE', '10115', '10115'],
    ['IT', '00184', '00184'],
    ['ES', '28013', '28013'],
    ['US', '94105', '94105'],
    ['US', '94105-1234', '94105-1234'],
    ['GB', 'sw1a1aa', 'SW1A 1AA'],
    ['GB', 'M1 1AE', 'M1 1AE'],
    ['GB', 'EC1A  1BB', 'EC1A 1BB'],
    ['NL', '1012ab', '1012 AB'],
    ['BE', '1000', '1000'],
    ['CA', 'k1a0b1', 'K1A 0B1'],
    ['LU', 'L-1650', '1650'],
    ['PT', '1100-148', '1100-148'],
    ['PL', '00-950', '00-950'],
    ['SE', '11455', '114 55'],
    ['IE', 'd02x285', 'D02 X285'],
    ['JP', '1000001', '100-0001'],
    ['BR', '01310-100', '01310-100'],
    ['KE', '00100', '00100'],
    ['AR', 'C1425 DKF'.replace(' ', ''), 'C1425DKF'],
  ];
  for (const [country, input, expected] of good) {
    it(`accepts ${country} ${input} as ${expected}`, () => {
      expect(validatePostalCode(input, country)).toBe(expected);
    });
  }

  const bad: Array<[string | undefined, unknown, RegExp]> = [
    ['FR', '7500', /postal code for FR: 5 digits/],
    ['FR', '750081', /postal code for FR: 5 digits/],
    ['DE', 'D-10115', /postal code for DE: 5 digits/],
    ['US', '94105-12', /postal code for US: 5 digits, or ZIP\+4/],
    ['GB', 'SW1A 1A1', /postal code for GB: a UK postcode/],
    ['NL', '0123 AB', /postal code for NL: 4 digits and 2 letters/],
    ['BE', '0999', /postal code for BE: 4 digits/],
    ['ES', '53001', /postal code for ES: 5 digits starting with a province number/],
    ['CA', 'D1A 0B1', /postal code for CA: a Canadian postal code/],
    ['KE', 'A', /postal code: 2 to 10 letters, digits, spaces or hyphens/],
    [undefined, 'ABCDEFGHIJK', /postal code: 2 to 10 letters/],
    [undefined, '12$45', /postal code: 2 to 10 letters/],
    ['FR', 75008, /must be a string/],
  ];
  for (const [country, value, rule] of bad) {
    it(`rejects ${String(value)} for ${country ?? 'no country'}, naming the field and rule but not the value`, () => {
      const secrets = typeof value === 'string' && value.length > 2 ? [value] : [];
      expectInputError(() => validatePostalCode(value, country), 'input.address.postalCode', rule, secrets);
    });
  }

  it('is checked against the address country inside validateAddress', () => {
    expect(validateAddress({ postalCode: '1012ab', country: 'nl' })).toEqual({ postalCode: '1012 AB', country: 'NL' });
    expectInputError(() => validateAddress({ postalCode: '1012ab', country: 'FR' }), 'input.address.postalCode', /for FR/, ['1012ab', '1012']);
  });
});
