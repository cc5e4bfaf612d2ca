import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { InputError } from '../../server/errors';
import { requireString } from './text';

const INTERNATIONAL_FORM = /^\+[0-9][0-9 ().-]{3,30}$/;

/**
 * Validates a phone number in international (E.164) form and returns it normalised to E.164
 * (`+` then digits only, e.g. `+33612345678`). Spaces, dots, hyphens and parentheses are accepted in
 * the input. The number must be valid for its country code (libphonenumber-js metadata).
 */
export function validatePhone(value: unknown, field = 'input.phone'): string {
  const text = requireString(value, field).trim();
  if (text === '') throw new InputError(field, 'must not be empty');
  if (!INTERNATIONAL_FORM.test(text)) {
    throw new InputError(field, 'must be in international E.164 form: + then the country code and number, e.g. +33612345678');
  }
  const parsed = parsePhoneNumberFromString(text);
  if (!parsed || !parsed.isValid()) throw new InputError(field, 'must be a valid phone number for its country code');
  return parsed.number;
}
