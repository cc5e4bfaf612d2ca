import { validateBirthDate, validateFullName } from '../customers/input';
import { InputError } from '../server/errors';

/**
 * Identity attributes a customer cannot change directly but may ask staff to correct, each with
 * the validator its stored value must pass (the same one enrolment uses).
 */
export const CORRECTABLE_FIELDS: Record<string, (value: unknown, field: string) => string> = {
  fullName: (v, f) => validateFullName(v, f),
  birthDate: (v, f) => validateBirthDate(v, f),
};

/** Attributes the customer changes themselves with updateMyContact. */
const SELF_SERVICE_FIELDS = new Set(['email', 'phone', 'address', 'preferences']);
const NAME = /^[A-Za-z][A-Za-z0-9.]{0,63}$/;

/**
 * Checks `field` and validates `proposedValue` for it. BAD_USER_INPUT names the field when it is
 * unknown or not correctable; the proposed value is never echoed.
 */
export function checkCorrection(field: unknown, proposedValue: unknown, knownAttributes: Iterable<string>): { field: string; value: string } {
  const allowed = Object.keys(CORRECTABLE_FIELDS).join(', ');
  if (typeof field !== 'string' || !NAME.test(field)) throw new InputError('field', `must name a correctable attribute: one of ${allowed}`);
  const validate = CORRECTABLE_FIELDS[field];
  if (!validate) {
    const top = field.split('.')[0]!;
    const rule = SELF_SERVICE_FIELDS.has(top)
      ? `"${field}" is not corrected by request: change it with updateMyContact (correctable: ${allowed})`
      : [...knownAttributes].some((a) => a === field || a.startsWith(field + '.'))
        ? `"${field}" cannot be corrected by request (correctable: ${allowed})`
        : `"${field}" is not a customer attribute (correctable: ${allowed})`;
    throw new InputError('field', rule);
  }
  return { field, value: validate(proposedValue, 'proposedValue') };
}
