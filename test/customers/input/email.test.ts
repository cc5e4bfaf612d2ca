import { describe, expect, it } from 'vitest';
import { validateEmail } from '../../../src/customers/input';
import { expectInputError } from './expectInputError';

describe('validateEmail', () => {
  it('trims, lower-cases the domain and keeps the local part case', () => {
    expect(validateEmail('  Jane.Doe+crm@Example.COM ')).toBe('Jane.Doe+crm@example.com');
  });

  it('converts an internationalised domain to its ASCII form', () => {
    expect(validateEmail('anna@Bücher.example')).toBe('anna@xn--bcher-kva.example');
  });

  const bad: Array<[string, string, RegExp]> = [
    ['not a string', '', /must be a string/],
    ['empty', '   ', /must not be empty/],
    ['no @', 'jane.doe.example.com', /form local-part@domain/],
    ['no local part', '@example.com', /form local-part@domain/],
    ['no domain', 'jane.doe@', /form local-part@domain/],
    ['double dot in local part', 'jane..doe@example.com', /local part may contain only/],
    ['space in local part', 'jane doe@example.com', /local part may contain only/],
    ['no top-level domain', 'jane.doe@localhost', /domain must be a valid domain name/],
    ['domain label starting with a hyphen', 'jane.doe@-example.com', /domain must be a valid domain name/],
    ['numeric top-level domain', 'jane.doe@example.123', /domain must be a valid domain name/],
    ['local part over 64', `${'j'.repeat(65)}@example.com`, /local part must be at most 64/],
    ['address over 254', `jane@${'a'.repeat(250)}.com`, /at most 254 characters/],
  ];
  for (const [what, value, rule] of bad) {
    it(`rejects ${what}, naming the field and rule but not the value`, () => {
      const input = what === 'not a string' ? 42 : value;
      const secrets = typeof input === 'string' && input.trim().length > 2 ? [input.trim(), input.split('@')[0]].filter((s) => s.length > 2) : [];
      expectInputError(() => validateEmail(input), 'input.email', rule, secrets);
    });
  }

  it('uses the field name it is given', () => {
    expectInputError(() => validateEmail('nope', 'input.contact.email'), 'input.contact.email', /local-part@domain/, ['nope']);
  });
});
