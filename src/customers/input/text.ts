import { InputError } from '../../server/errors';

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
