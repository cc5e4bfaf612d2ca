/** Accuracy at collection, part 4: payment cards (Luhn, brand and length, expiry), with the table of card brands. */
import { InputError } from '../../core/errors';

/** No security code, ever. */
export interface PaymentCardInput {
  number: string;
  expiryMonth: number;
  expiryYear: number;
}

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

/** A card brand: its issuer identification number (IIN) prefix ranges and allowed lengths. */
export interface CardBrand {
  name: string;
  /** Inclusive prefix ranges, as equal-length digit strings: ['51', '55'], ['2221', '2720']. */
  prefixes: ReadonlyArray<readonly [string, string]>;
  /** Allowed numbers of digits. */
  lengths: readonly number[];
}

/** Supported brands. When several match, the longest matching prefix wins (622126 is discover, 62 unionpay). */
export const CARD_BRANDS: readonly CardBrand[] = [
  { name: 'visa', prefixes: [['4', '4']], lengths: [13, 16, 19] },
  { name: 'mastercard', prefixes: [['51', '55'], ['2221', '2720']], lengths: [16] },
  { name: 'amex', prefixes: [['34', '34'], ['37', '37']], lengths: [15] },
  { name: 'discover', prefixes: [['6011', '6011'], ['644', '649'], ['65', '65'], ['622126', '622925']], lengths: [16, 17, 18, 19] },
  { name: 'diners', prefixes: [['300', '305'], ['3095', '3095'], ['36', '36'], ['38', '39']], lengths: [14, 15, 16, 17, 18, 19] },
  { name: 'jcb', prefixes: [['3528', '3589']], lengths: [16, 17, 18, 19] },
  { name: 'unionpay', prefixes: [['62', '62'], ['81', '81']], lengths: [16, 17, 18, 19] },
  {
    name: 'maestro',
    prefixes: [['5018', '5018'], ['5020', '5020'], ['5038', '5038'], ['5893', '5893'], ['6304', '6304'], ['6759', '6759'], ['6761', '6763']],
    lengths: [12, 13, 14, 15, 16, 17, 18, 19],
  },
];

/** The brand whose longest prefix matches `digits`, or undefined. */
export function detectBrand(digits: string): CardBrand | undefined {
  let best: { brand: CardBrand; length: number } | undefined;
  for (const brand of CARD_BRANDS) {
    for (const [lo, hi] of brand.prefixes) {
      const head = digits.slice(0, lo.length);
      if (head.length === lo.length && head >= lo && head <= hi && (!best || lo.length > best.length)) {
        best = { brand, length: lo.length };
      }
    }
  }
  return best?.brand;
}

/** True if the digit string passes the Luhn (mod 10) check. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}
