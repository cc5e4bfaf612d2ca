import { InputError } from '../../server/errors';
import { boundedText, collapseSpaces } from './text';

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
