import { describe, expect, it } from 'vitest';
import { validateUpdateInput, type InputLists, type UpdateCustomerInput } from '../../../src/customers/input';
import { expectInputError } from './expectInputError';

const lists: InputLists = { preferences: ['newsletter'], loyaltyTiers: ['silver', 'gold'] };
const now = new Date('2025-06-15T12:00:00Z');

describe('validateUpdateInput', () => {
  it('validates each present field, keeps null as "clear", leaves absent ones out', () => {
    const out = validateUpdateInput(
      {
        email: 'Grace@Navy.MIL',
        phone: null,
        loyaltyTier: 'gold',
        paymentCard: { number: '4111-1111-1111-1111', expiryMonth: 7, expiryYear: 2027 },
        health: { conditions: ['asthma'], notes: null },
      },
      lists,
      now,
    );
    expect(out).toEqual({
      email: 'Grace@navy.mil',
      phone: null,
      loyaltyTier: 'gold',
      paymentCard: { brand: 'visa', last4: '1111', expiryMonth: 7, expiryYear: 2027, number: '4111111111111111' },
      health: { conditions: ['asthma'], notes: null },
    });
    expect(Object.keys(validateUpdateInput({}, lists, now))).toEqual([]);
    expect(validateUpdateInput({ paymentCard: null, address: null }, lists, now)).toEqual({ paymentCard: null, address: null });
  });

  const bad: Array<[string, UpdateCustomerInput, string, RegExp, string[]]> = [
    ['a bad card number', { paymentCard: { number: '4111 1111 1111 1112', expiryMonth: 1, expiryYear: 2030 } }, 'input.paymentCard.number', /Luhn/, ['4111 1111 1111 1112', '1112', '411111']],
    ['an expired card', { paymentCard: { number: '4111111111111111', expiryMonth: 1, expiryYear: 2024 } }, 'input.paymentCard.expiryYear', /expired/, ['4111111111111111', '1111']],
    ['a long health note', { health: { notes: 'Chronic migraine. '.repeat(120) } }, 'input.health.notes', /at most 2000/, ['migraine']],
    ['a bad condition', { health: { conditions: ['ok', ''] } }, 'input.health.conditions[1]', /1 to 200/, []],
    ['a tier outside the list', { loyaltyTier: 'platinum' }, 'input.loyaltyTier', /one of: silver, gold/, ['platinum']],
    ['a bad street', { address: { street: 'Main\u0000Street' } }, 'input.address.street', /control characters/, ['Main']],
    ['a bad phone', { phone: '+1 555' }, 'input.phone', /valid phone number|E\.164/, ['+1 555']],
  ];
  for (const [what, input, field, rule, secrets] of bad) {
    it(`rejects ${what} at ${field}`, () => {
      expectInputError(() => validateUpdateInput(input, lists, now), field, rule, secrets);
    });
  }
});
