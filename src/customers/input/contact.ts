/** Accuracy at collection, part 2: contact channels (email, phone in E.164). */
import { domainToASCII } from 'node:url';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { InputError } from '../../core/errors';
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
