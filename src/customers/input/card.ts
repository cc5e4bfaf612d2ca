import { InputError } from '../../server/errors';
import { CARD_BRANDS, detectBrand, passesLuhn } from './cardBrands';
import type { PaymentCardInput } from './types';

/** A validated card: the number (digits only, to be encrypted at once) and what may be shown. */
export interface ValidatedCard {
  brand: string;
  last4: string;
  expiryMonth: number;
  expiryYear: number;
  /** Digits only. Restricted: encrypt it before storage, never log or return it. */
  number: string;
}

/** How many years ahead an expiry year may be. */
export const MAX_EXPIRY_YEARS_AHEAD = 20;

/**
 * Validates a payment card. The number may contain spaces and hyphens; it must have 12 to 19 digits,
 * pass the Luhn check, belong to a supported brand (CARD_BRANDS) and have a length valid for that
 * brand. The expiry month is 1..12 and the card has not expired (valid through the end of its expiry
 * month, UTC). No error message contains the number or any part of it. There is no security code
 * field: it must never be collected or stored.
 */
export function validateCard(input: PaymentCardInput, now: Date = new Date(), field = 'input.paymentCard'): ValidatedCard {
  if (typeof input !== 'object' || input === null) throw new InputError(field, 'must be an object');
  const numberField = `${field}.number`;
  if (typeof input.number !== 'string') throw new InputError(numberField, 'must be a string');
  if (input.number.length > 40 || !/^[0-9 -]*$/.test(input.number)) {
    throw new InputError(numberField, 'may contain only digits, spaces and hyphens');
  }
  const digits = input.number.replace(/[ -]/g, '');
  if (digits.length < 12 || digits.length > 19) throw new InputError(numberField, 'must have 12 to 19 digits');
  if (!passesLuhn(digits)) throw new InputError(numberField, 'fails the Luhn check digit test');
  const brand = detectBrand(digits);
  if (!brand) {
    throw new InputError(numberField, `must be from a supported card brand (${CARD_BRANDS.map((b) => b.name).join(', ')})`);
  }
  if (!brand.lengths.includes(digits.length)) {
    throw new InputError(numberField, `must have ${brand.lengths.join(' or ')} digits for its brand (${brand.name})`);
  }

  const { expiryMonth, expiryYear } = input;
  if (!Number.isInteger(expiryMonth) || expiryMonth < 1 || expiryMonth > 12) {
    throw new InputError(`${field}.expiryMonth`, 'must be an integer from 1 to 12');
  }
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth() + 1;
  if (!Number.isInteger(expiryYear) || expiryYear < 1000 || expiryYear > 9999) {
    throw new InputError(`${field}.expiryYear`, 'must be a four-digit year');
  }
  if (expiryYear < year) throw new InputError(`${field}.expiryYear`, 'must not be in the past: the card has expired');
  if (expiryYear === year && expiryMonth < month) {
    throw new InputError(`${field}.expiryMonth`, 'must not be in the past: the card has expired');
  }
  if (expiryYear > year + MAX_EXPIRY_YEARS_AHEAD) {
    throw new InputError(`${field}.expiryYear`, `must be at most ${MAX_EXPIRY_YEARS_AHEAD} years ahead`);
  }
  return { brand: brand.name, last4: digits.slice(-4), expiryMonth, expiryYear, number: digits };
}
