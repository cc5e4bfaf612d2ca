import { describe, expect, it } from 'vitest';
import { validateAddress, validateCity, validateStreet } from '../../../src/customers/input';
import { expectInputError } from './expectInputError';

describe('validateAddress', () => {
  it('normalises every part and omits absent ones', () => {
    expect(validateAddress({ street: '  10  Downing Street ', city: 'London', postalCode: 'sw1a2aa', country: 'gb' })).toEqual({
      street: '10 Downing Street',
      city: 'London',
      postalCode: 'SW1A 2AA',
      country: 'GB',
    });
    expect(validateAddress({ city: 'Paris', street: null })).toEqual({ city: 'Paris' });
  });

  it('rejects a non-object', () => {
    expectInputError(() => validateAddress('10 Downing Street'), 'input.address', /must be an object/, ['Downing']);
  });

  const bad: Array<[string, () => unknown, string, RegExp, string[]]> = [
    ['an empty street', () => validateStreet('  '), 'input.address.street', /1 to 200 characters/, []],
    ['a street over 200 characters', () => validateStreet('Rue '.repeat(51)), 'input.address.street', /1 to 200 characters/, ['Rue Rue']],
    ['a street with a line break', () => validateStreet('1 Main St\n2nd floor'), 'input.address.street', /control characters/, ['Main St', '2nd floor']],
    ['a street with a NUL', () => validateStreet('1 Main St\u0000'), 'input.address.street', /control characters/, ['Main St']],
    ['a city over 100 characters', () => validateCity('Paris'.repeat(21)), 'input.address.city', /1 to 100 characters/, ['ParisParis']],
    ['a city with a tab', () => validateCity('Par\tis'), 'input.address.city', /control characters/, ['Par\tis']],
    ['a bad country inside an address', () => validateAddress({ country: 'Atlantis' }), 'input.address.country', /alpha-2/, ['Atlantis']],
    ['a bad street inside an address', () => validateAddress({ street: 42 }, 'input.home'), 'input.home.street', /must be a string/, []],
  ];
  for (const [what, run, field, rule, secrets] of bad) {
    it(`rejects ${what}, naming the field and rule but not the value`, () => {
      expectInputError(run, field, rule, secrets);
    });
  }
});
