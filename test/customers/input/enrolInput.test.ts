import { describe, expect, it } from 'vitest';
import { validateEnrolInput, type EnrolCustomerInput, type InputLists } from '../../../src/customers/input';
import { expectInputError } from './expectInputError';

const lists: InputLists = { preferences: ['newsletter', 'sms-offers'], segments: ['standard', 'premium'] };
const now = new Date('2025-06-15T12:00:00Z');
const base: EnrolCustomerInput = { fullName: 'Ada Lovelace', consent: { storage: true } };

describe('validateEnrolInput', () => {
  it('normalises every field and omits absent or null ones', () => {
    const out = validateEnrolInput(
      {
        fullName: '  Ada   Lovelace ',
        email: ' Ada@Example.ORG ',
        phone: '+44 20 7946 0958',
        birthDate: '1990-12-10',
        address: { street: '12 St James Square', city: 'London', postalCode: 'sw1y4lb', country: 'gb' },
        segment: 'premium',
        preferences: ['newsletter'],
        consent: { storage: true, purposes: ['marketing', 'analytics'], source: 'web-signup' },
      },
      lists,
      now,
    );
    expect(out).toEqual({
      fullName: 'Ada Lovelace',
      email: 'Ada@example.org',
      phone: '+442079460958',
      birthDate: '1990-12-10',
      address: { street: '12 St James Square', city: 'London', postalCode: 'SW1Y 4LB', country: 'GB' },
      segment: 'premium',
      preferences: ['newsletter'],
      consent: { storage: true, purposes: ['marketing', 'analytics'], source: 'web-signup' },
    });
    expect(validateEnrolInput({ ...base, email: null, address: null }, lists, now)).toEqual({
      fullName: 'Ada Lovelace',
      consent: { storage: true, purposes: [] },
    });
  });

  const bad: Array<[string, Partial<EnrolCustomerInput>, string, RegExp, string[]]> = [
    ['no consent to storage', { consent: { storage: false } }, 'input.consent.storage', /must be true/, []],
    ['an unknown consent key', { consent: { storage: true, purposes: ['resale'] } }, 'input.consent.purposes[0]', /must be one of: storage, marketing/, ['resale']],
    ['a bad name', { fullName: 'R2-D2' }, 'input.fullName', /only letters/, ['R2-D2']],
    ['a bad email', { email: 'ada.example.org' }, 'input.email', /local-part@domain/, ['ada.example.org']],
    ['an empty email', { email: '' }, 'input.email', /must not be empty/, []],
    ['a national phone', { phone: '020 7946 0958' }, 'input.phone', /E\.164/, ['7946']],
    ['a future birth date', { birthDate: '2030-01-01' }, 'input.birthDate', /future/, ['2030-01-01']],
    ['a bad postal code', { address: { postalCode: '7500', country: 'FR' } }, 'input.address.postalCode', /for FR/, ['7500']],
    ['a segment outside the list', { segment: 'whale' }, 'input.segment', /one of: standard, premium/, ['whale']],
    ['a preference outside the list', { preferences: ['cold-calls'] }, 'input.preferences[0]', /one of: newsletter, sms-offers/, ['cold-calls']],
  ];
  for (const [what, patch, field, rule, secrets] of bad) {
    it(`rejects ${what} at ${field}`, () => {
      expectInputError(() => validateEnrolInput({ ...base, ...patch } as EnrolCustomerInput, lists, now), field, rule, secrets);
    });
  }

  it('rejects a missing consent object', () => {
    expectInputError(() => validateEnrolInput({ fullName: 'Ada' } as EnrolCustomerInput, lists, now), 'input.consent', /must be an object/, []);
  });
});
