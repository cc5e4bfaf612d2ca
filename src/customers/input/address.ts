import { InputError } from '../../server/errors';
import { validateCountry } from './country';
import { validatePostalCode } from './postalCode';
import { boundedText, collapseSpaces } from './text';
import type { AddressInput, NormalisedAddress } from './types';

/** Maximum street length, in characters. */
export const MAX_STREET_LENGTH = 200;
/** Maximum city length, in characters. */
export const MAX_CITY_LENGTH = 100;

/** A street line: 1 to 200 characters after trimming, no control characters or line breaks. */
export function validateStreet(value: unknown, field = 'input.address.street'): string {
  return collapseSpaces(boundedText(value, field, { min: 1, max: MAX_STREET_LENGTH }));
}

/** A city: 1 to 100 characters after trimming, no control characters or line breaks. */
export function validateCity(value: unknown, field = 'input.address.city'): string {
  return collapseSpaces(boundedText(value, field, { min: 1, max: MAX_CITY_LENGTH }));
}

/**
 * Validates an address. Each part is optional (absent or null is omitted from the result); the
 * postal code is checked against the country's format when the country is given.
 */
export function validateAddress(value: unknown, field = 'input.address'): NormalisedAddress {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InputError(field, 'must be an object');
  const input = value as AddressInput;
  const out: NormalisedAddress = {};
  if (input.street != null) out.street = validateStreet(input.street, `${field}.street`);
  if (input.city != null) out.city = validateCity(input.city, `${field}.city`);
  if (input.country != null) out.country = validateCountry(input.country, `${field}.country`);
  if (input.postalCode != null) out.postalCode = validatePostalCode(input.postalCode, out.country, `${field}.postalCode`);
  return out;
}
