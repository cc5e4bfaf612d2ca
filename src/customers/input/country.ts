import { InputError } from '../../server/errors';
import { ISO_3166_ALPHA2 } from './countryCodes';
import { requireString } from './text';

const CODES: ReadonlySet<string> = new Set(ISO_3166_ALPHA2);

/** Validates an ISO 3166-1 alpha-2 country code; accepts any case, returns it upper-cased (`fr` → `FR`). */
export function validateCountry(value: unknown, field = 'input.address.country'): string {
  const text = requireString(value, field).trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(text) || !CODES.has(text)) {
    throw new InputError(field, 'must be an ISO 3166-1 alpha-2 country code, e.g. FR');
  }
  return text;
}
