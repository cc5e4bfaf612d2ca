import { describe, expect, it } from 'vitest';
import { validateFullName } from '../../../src/customers/input';
import { expectInputError } from './expectInputError';

describe('validateFullName', () => {
  it('accepts letters of any script, marks, apostrophes, hyphens and dots; trims and collapses spaces', () => {
    expect(validateFullName("  José   María O'Brien-Núñez Jr. ")).toBe("José María O'Brien-Núñez Jr.");
    expect(validateFullName('李小龍')).toBe('李小龍');
    expect(validateFullName('Zoë D’Arcy')).toBe('Zoë D’Arcy');
    expect(validateFullName('देवनागरी नाम')).toBe('देवनागरी नाम');
    expect(validateFullName('Jose\u0301')).toBe('José'); // NFC
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ['not a string', ['Ann'], /must be a string/],
    ['empty after trimming', '   ', /must be 1 to 200 characters long/],
    ['over 200 characters', 'Ann '.repeat(60), /must be 1 to 200 characters long/],
    ['digits', 'Agent 007 Bond', /only letters, spaces, apostrophes, hyphens and dots/],
    ['markup', '<script>Bobby</script>', /only letters, spaces, apostrophes, hyphens and dots/],
    ['an email address', 'bobby@example.com', /only letters, spaces/],
    ['punctuation only', "'.-'", /at least one letter/],
    ['a line break', 'Bobby\nTables', /control characters or line breaks/],
    ['a bidi override', 'Bobby\u202ESelbaT', /control characters/],
  ];
  for (const [what, value, rule] of bad) {
    it(`rejects ${what}, naming the field and rule but not the value`, () => {
      const secrets = typeof value === 'string' && value.trim().length > 2 ? [value.trim().slice(0, 20)] : [];
      expectInputError(() => validateFullName(value), 'input.fullName', rule, secrets);
    });
  }
});
