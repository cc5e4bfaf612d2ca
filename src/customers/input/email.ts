import { domainToASCII } from 'node:url';
import { InputError } from '../../server/errors';
import { requireString } from './text';

/** Maximum length of an email address (RFC 5321 path limit). */
export const MAX_EMAIL_LENGTH = 254;
/** Maximum length of the local part (RFC 5321). */
export const MAX_LOCAL_PART_LENGTH = 64;

const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const LOCAL_PART = new RegExp(`^${ATEXT}(?:\\.${ATEXT})*$`);
const ASCII_DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

/**
 * Validates and normalises an email address.
 * - Syntax: `local@domain`; the local part is an RFC 5322 dot-atom (no quoted strings, no spaces,
 *   ASCII only); the domain has at least two labels and a top-level domain.
 * - Normalisation: surrounding whitespace trimmed; the DOMAIN is lower-cased and converted to its
 *   ASCII (punycode) form; the LOCAL PART KEEPS ITS CASE, because RFC 5321 lets a mail server treat
 *   it as case-sensitive and we must not change where mail goes.
 * - At most 254 characters in total, 64 in the local part.
 */
export function validateEmail(value: unknown, field = 'input.email'): string {
  const text = requireString(value, field).trim();
  if (text === '') throw new InputError(field, 'must not be empty');
  if (text.length > MAX_EMAIL_LENGTH) throw new InputError(field, `must be at most ${MAX_EMAIL_LENGTH} characters long`);
  const at = text.lastIndexOf('@');
  if (at <= 0 || at === text.length - 1) throw new InputError(field, 'must be an email address of the form local-part@domain');
  const local = text.slice(0, at);
  const domain = text.slice(at + 1);
  if (local.length > MAX_LOCAL_PART_LENGTH) throw new InputError(field, `local part must be at most ${MAX_LOCAL_PART_LENGTH} characters long`);
  if (!LOCAL_PART.test(local)) {
    throw new InputError(field, "local part may contain only letters, digits, single inner dots and !#$%&'*+/=?^_`{|}~-");
  }
  const ascii = /[^\x00-\x7F]/.test(domain) ? domainToASCII(domain.toLowerCase()) : domain.toLowerCase();
  if (!ASCII_DOMAIN.test(ascii)) throw new InputError(field, 'domain must be a valid domain name with a top-level domain');
  const normalised = `${local}@${ascii}`;
  if (normalised.length > MAX_EMAIL_LENGTH) throw new InputError(field, `must be at most ${MAX_EMAIL_LENGTH} characters long`);
  return normalised;
}
