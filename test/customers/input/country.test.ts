import { describe, expect, it } from 'vitest';
import { ISO_3166_ALPHA2, validateCountry } from '../../../src/customers/input';
import { expectInputError } from './expectInputError';

describe('ISO 3166-1 alpha-2 list', () => {
  it('holds the 249 official codes, each once, each a region ICU knows', () => {
    expect(ISO_3166_ALPHA2).toHaveLength(249);
    expect(new Set(ISO_3166_ALPHA2).size).toBe(249);
    const names = new Intl.DisplayNames(['en'], { type: 'region' });
    expect(ISO_3166_ALPHA2.filter((code) => names.of(code) === code)).toEqual([]);
    expect(ISO_3166_ALPHA2).toEqual([...ISO_3166_ALPHA2].sort());
  });
});

describe('validateCountry', () => {
  it('accepts any case and returns upper case', () => {
    expect(validateCountry('fr')).toBe('FR');
    expect(validateCountry(' Gb ')).toBe('GB');
    expect(validateCountry('AX')).toBe('AX');
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ['not a string', 250, /must be a string/],
    ['alpha-3', 'FRA', /ISO 3166-1 alpha-2/],
    ['unassigned', 'QQ', /ISO 3166-1 alpha-2/],
    ['reserved, not a country (UK)', 'UK', /ISO 3166-1 alpha-2/],
    ['a country name', 'France', /ISO 3166-1 alpha-2/],
  ];
  for (const [what, value, rule] of bad) {
    it(`rejects ${what}, naming the field and rule but not the value`, () => {
      const secrets = typeof value === 'string' && value.length > 2 ? [value] : [];
      const err = expectInputError(() => validateCountry(value), 'input.address.country', rule, secrets);
      if (typeof value === 'string' && value.length === 2) expect(err.message).not.toContain(value);
    });
  }
});
