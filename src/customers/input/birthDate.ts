import { InputError } from '../../server/errors';
import { requireString } from './text';

/** Oldest accepted age, in years. */
export const MAX_AGE_YEARS = 130;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Validates a birth date: ISO `YYYY-MM-DD`, a real calendar date, not after today (UTC), and an age
 * from 0 to 130 years. Returns the date string unchanged (trimmed).
 */
export function validateBirthDate(value: unknown, field = 'input.birthDate', now: Date = new Date()): string {
  const text = requireString(value, field).trim();
  const match = ISO_DATE.exec(text);
  if (!match) throw new InputError(field, 'must be an ISO date YYYY-MM-DD');
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    throw new InputError(field, 'must be a real calendar date');
  }
  const today = { y: now.getUTCFullYear(), m: now.getUTCMonth() + 1, d: now.getUTCDate() };
  const beforeToday = year < today.y || (year === today.y && (month < today.m || (month === today.m && day <= today.d)));
  if (!beforeToday) throw new InputError(field, 'must not be in the future');
  const hadBirthday = month < today.m || (month === today.m && day <= today.d);
  const age = today.y - year - (hadBirthday ? 0 : 1);
  if (age > MAX_AGE_YEARS) throw new InputError(field, `must give an age from 0 to ${MAX_AGE_YEARS} years`);
  return text;
}
