import { describe, expect, it } from 'vitest';
import { validateBirthDate } from '../../../src/customers/input';
import { expectInputError } from './expectInputError';

const now = new Date('2025-06-15T12:00:00Z');

describe('validateBirthDate', () => {
  it('accepts real past dates, including today (age 0), a leap day, and exactly 130 years', () => {
    expect(validateBirthDate('1990-04-01', undefined, now)).toBe('1990-04-01');
    expect(validateBirthDate('2025-06-15', undefined, now)).toBe('2025-06-15');
    expect(validateBirthDate('2000-02-29', undefined, now)).toBe('2000-02-29');
    expect(validateBirthDate('1895-06-15', undefined, now)).toBe('1895-06-15');
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ['not a string', 19900401, /must be a string/],
    ['not ISO (day first)', '01/04/1990', /ISO date YYYY-MM-DD/],
    ['with a time', '1990-04-01T00:00:00Z', /ISO date YYYY-MM-DD/],
    ['not a real date (30 February)', '1990-02-30', /real calendar date/],
    ['29 February of a common year', '1999-02-29', /real calendar date/],
    ['month 13', '1990-13-01', /real calendar date/],
    ['tomorrow', '2025-06-16', /must not be in the future/],
    ['older than 130 years', '1894-06-15', /age from 0 to 130 years/],
  ];
  for (const [what, value, rule] of bad) {
    it(`rejects ${what}, naming the field and rule but not the value`, () => {
      expectInputError(() => validateBirthDate(value, 'input.birthDate', now), 'input.birthDate', rule, typeof value === 'string' ? [value] : []);
    });
  }
});
