import { InputError } from '../../server/errors';
import { requireString } from './text';

/** Default maximum number of preferences. */
export const MAX_PREFERENCES = 50;
/** Lists up to this many allowed values are spelled out in the error rule. */
const LIST_IN_RULE = 20;

const TOKEN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

function oneOfRule(allowed: readonly string[]): string {
  return allowed.length <= LIST_IN_RULE ? `must be one of: ${allowed.join(', ')}` : 'must be one of the allowed values';
}

/**
 * A single value from `allowed` (e.g. the segments the policies define). Without a list, a bounded
 * token: 1 to 64 letters, digits, hyphens or underscores, starting with a letter or digit.
 */
export function validateAllowedValue(value: unknown, field: string, allowed?: readonly string[]): string {
  const text = requireString(value, field).trim();
  if (allowed) {
    if (!allowed.includes(text)) throw new InputError(field, oneOfRule(allowed));
    return text;
  }
  if (!TOKEN.test(text)) throw new InputError(field, 'must be 1 to 64 letters, digits, hyphens or underscores');
  return text;
}

/** A customer segment: from `allowed` when given, else a bounded token. */
export function validateSegment(value: unknown, allowed?: readonly string[], field = 'input.segment'): string {
  return validateAllowedValue(value, field, allowed);
}

/** A loyalty tier: from `allowed` when given, else a bounded token. */
export function validateLoyaltyTier(value: unknown, allowed?: readonly string[], field = 'input.loyaltyTier'): string {
  return validateAllowedValue(value, field, allowed);
}

/**
 * A list of values, each from `allowed`, without duplicates, at most `maxCount` entries (default
 * MAX_PREFERENCES). Errors on an entry name it by index, e.g. `input.preferences[2]`.
 */
export function validateAllowedList(
  value: unknown,
  field: string,
  allowed: readonly string[],
  maxCount: number = MAX_PREFERENCES,
): string[] {
  if (!Array.isArray(value)) throw new InputError(field, 'must be a list');
  if (value.length > maxCount) throw new InputError(field, `must have at most ${maxCount} entries`);
  const seen = new Set<string>();
  return value.map((entry, i) => {
    const text = validateAllowedValue(entry, `${field}[${i}]`, allowed);
    if (seen.has(text)) throw new InputError(`${field}[${i}]`, 'must not repeat an earlier entry');
    seen.add(text);
    return text;
  });
}

/** Preferences: each from the allowed list the policies define, no duplicates, bounded count. */
export function validatePreferences(
  value: unknown,
  allowed: readonly string[],
  field = 'input.preferences',
  maxCount: number = MAX_PREFERENCES,
): string[] {
  return validateAllowedList(value, field, allowed, maxCount);
}
