/**
 * Accuracy at collection, part 1: bounded free text, names, dates and values from allowed lists.
 * Each validator throws InputError(field, rule) naming the input path and the rule, never the
 * value, and returns the normalised value.
 */
import { InputError } from '../../core/errors';

/** Control characters (C0, DEL, C1), line/paragraph separators, and bidirectional overrides/isolates. */
const CONTROL_CHARS = /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069]/u;
/** The same, but tab, line feed and carriage return are allowed (free-text notes). */
const CONTROL_CHARS_EXCEPT_NEWLINES = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/u;

/** The value must be a string; returns it. */
export function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new InputError(field, 'must be a string');
  return value;
}

/** Length in Unicode code points (what a person counts as characters, near enough). */
export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

export interface TextBounds {
  /** Minimum length in code points after trimming. */
  min: number;
  /** Maximum length in code points after trimming. */
  max: number;
  /** Allow tab, line feed and carriage return. Default false. */
  allowNewlines?: boolean;
}

/**
 * A bounded free-text value: a string, NFC-normalised and trimmed, min..max code points, no control
 * characters. Returns the normalised text.
 */
export function boundedText(value: unknown, field: string, bounds: TextBounds): string {
  const raw = requireString(value, field);
  const lengthRule = bounds.min > 0 ? `must be ${bounds.min} to ${bounds.max} characters long` : `must be at most ${bounds.max} characters long`;
  if (raw.length > bounds.max * 4 + 64) throw new InputError(field, lengthRule); // cheap cap before any regex
  const pattern = bounds.allowNewlines ? CONTROL_CHARS_EXCEPT_NEWLINES : CONTROL_CHARS;
  if (pattern.test(raw)) {
    throw new InputError(field, bounds.allowNewlines ? 'must not contain control characters (other than tabs and line breaks)' : 'must not contain control characters or line breaks');
  }
  const text = raw.normalize('NFC').trim();
  const length = codePointLength(text);
  if (length < bounds.min || length > bounds.max) throw new InputError(field, lengthRule);
  return text;
}

/** Collapses runs of horizontal whitespace to one space. */
export function collapseSpaces(text: string): string {
  return text.replace(/[\p{Zs}\t]+/gu, ' ');
}

/** Maximum length of a full name, in characters (code points) after trimming. */
export const MAX_NAME_LENGTH = 200;

const NAME_CHARS = /^[\p{L}\p{M} '’.\-]+$/u;

/**
 * Validates a person's full name: 1 to 200 characters after trimming; letters of any script with
 * their combining marks (\p{L}\p{M}), spaces, apostrophes (' and ’), hyphens and dots; at least one
 * letter. Returns it NFC-normalised, trimmed, with runs of spaces collapsed.
 */
export function validateFullName(value: unknown, field = 'input.fullName'): string {
  const text = collapseSpaces(boundedText(value, field, { min: 1, max: MAX_NAME_LENGTH }));
  if (!NAME_CHARS.test(text)) throw new InputError(field, 'may contain only letters, spaces, apostrophes, hyphens and dots');
  if (!/\p{L}/u.test(text)) throw new InputError(field, 'must contain at least one letter');
  return text;
}

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
