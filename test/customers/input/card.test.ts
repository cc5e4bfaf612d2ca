import { describe, expect, it } from 'vitest';
import { detectBrand, passesLuhn, validateCard } from '../../../src/customers/input';
import { expectInputError } from './expectInputError';

const now = new Date('2025-06-15T12:00:00Z');
const card = (number: string, expiryMonth = 12, expiryYear = 2030) => ({ number, expiryMonth, expiryYear });

/** Appends the Luhn check digit. */
function withCheckDigit(body: string): string {
  for (let d = 0; d <= 9; d += 1) if (passesLuhn(body + d)) return body + d;
  throw new Error('unreachable');
}

/** Every part of a card number an error must not reveal. */
function partsOf(number: string): string[] {
  const digits = number.replace(/\D/g, '');
  return [number, digits, digits.slice(0, 6), digits.slice(-4), digits.slice(4, 10)].filter((s) => s.length > 2);
}

describe('validateCard', () => {
  const brands: Array<[string, string]> = [
    ['4111 1111 1111 1111', 'visa'],
    ['4222222222222', 'visa'],
    ['5555-5555-5555-4444', 'mastercard'],
    ['2223003122003222', 'mastercard'],
    ['378282246310005', 'amex'],
    ['6011111111111117', 'discover'],
    ['30569309025904', 'diners'],
    ['3530111333300000', 'jcb'],
    ['6200000000000005', 'unionpay'],
  ];
  for (const [number, brand] of brands) {
    it(`accepts ${brand} and returns digits, brand, last 4 and expiry`, () => {
      const digits = number.replace(/\D/g, '');
      expect(validateCard(card(number), now)).toEqual({ brand, last4: digits.slice(-4), expiryMonth: 12, expiryYear: 2030, number: digits });
    });
  }

  it('accepts a card expiring this month (valid through its end)', () => {
    expect(validateCard(card('4111111111111111', 6, 2025), now).expiryMonth).toBe(6);
  });

  const badNumbers: Array<[string, string, RegExp]> = [
    ['letters', '4111 1111 1111 111O', /only digits, spaces and hyphens/],
    ['too few digits', '4111 1111 111', /12 to 19 digits/],
    ['too many digits', '4111 1111 1111 1111 1111', /12 to 19 digits/],
    ['a wrong check digit', '4111 1111 1111 1112', /Luhn/],
    ['an unknown brand', withCheckDigit('911111111111111'), /supported card brand/],
    ['a valid Luhn but wrong length for amex', withCheckDigit('378282246310005'), /15 digits for its brand \(amex\)/],
    ['a visa of 15 digits', '411111111111116', /13 or 16 or 19 digits for its brand \(visa\)/],
  ];
  for (const [what, number, rule] of badNumbers) {
    it(`rejects ${what} without revealing any part of the number`, () => {
      expectInputError(() => validateCard(card(number), now), 'input.paymentCard.number', rule, partsOf(number));
    });
  }

  it('rejects a non-string number', () => {
    expectInputError(() => validateCard({ number: 4111111111111111 as unknown as string, expiryMonth: 1, expiryYear: 2030 }, now), 'input.paymentCard.number', /must be a string/, partsOf('4111111111111111'));
  });

  const badExpiry: Array<[string, number, number, string, RegExp]> = [
    ['month 0', 0, 2030, 'expiryMonth', /integer from 1 to 12/],
    ['month 13', 13, 2030, 'expiryMonth', /integer from 1 to 12/],
    ['a fractional month', 1.5, 2030, 'expiryMonth', /integer from 1 to 12/],
    ['a two-digit year', 12, 30, 'expiryYear', /four-digit year/],
    ['last year', 12, 2024, 'expiryYear', /has expired/],
    ['last month', 5, 2025, 'expiryMonth', /has expired/],
    ['too far ahead', 1, 2046, 'expiryYear', /at most 20 years ahead/],
  ];
  for (const [what, month, year, field, rule] of badExpiry) {
    it(`rejects an expiry with ${what}, without revealing the number`, () => {
      expectInputError(() => validateCard(card('4111111111111111', month, year), now), `input.paymentCard.${field}`, rule, partsOf('4111111111111111'));
    });
  }
});

describe('card brand and Luhn helpers', () => {
  it('prefers the longest matching prefix', () => {
    expect(detectBrand('6221260000000000')?.name).toBe('discover');
    expect(detectBrand('6200000000000000')?.name).toBe('unionpay');
    expect(detectBrand('2720990000000000')?.name).toBe('mastercard');
    expect(detectBrand('2721000000000000')).toBeUndefined();
  });

  it('computes Luhn', () => {
    expect(passesLuhn('79927398713')).toBe(true);
    expect(passesLuhn('79927398710')).toBe(false);
  });
});
