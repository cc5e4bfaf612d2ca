import { InputError } from '../../server/errors';
import { GENERIC_POSTAL_CODE, POSTAL_CODE_FORMATS } from './postalCodeFormats';
import { requireString } from './text';

/**
 * Validates a postal code against its country's format where known (FR, DE, US, GB, NL, BE, ES, IT,
 * CA, ... see POSTAL_CODE_FORMATS), otherwise the generic format. `country` is an already validated
 * alpha-2 code, or undefined (generic format). Returns the canonical form: upper case, single spaces,
 * the country's separator (e.g. `sw1a1aa` → `SW1A 1AA`, `1234ab` → `1234 AB`).
 */
export function validatePostalCode(value: unknown, country: string | undefined, field = 'input.address.postalCode'): string {
  const raw = requireString(value, field);
  const format = (country && POSTAL_CODE_FORMATS[country]) || GENERIC_POSTAL_CODE;
  const where = country && POSTAL_CODE_FORMATS[country] ? ` for ${country}` : '';
  if (raw.length > 32) throw new InputError(field, `must be a postal code${where}: ${format.description}`);
  const code = raw.trim().toUpperCase().replace(/\s+/g, ' ');
  if (!format.pattern.test(code)) throw new InputError(field, `must be a postal code${where}: ${format.description}`);
  return format.normalise ? format.normalise(code) : code;
}
