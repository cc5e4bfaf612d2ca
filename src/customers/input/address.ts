/** Accuracy at collection, part 3: postal addresses, with the tables of ISO 3166 countries and postal code formats. */
import { InputError } from '../../core/errors';
import { boundedText, collapseSpaces, requireString } from './text';

/**
 * Plain shapes of the contract's GraphQL inputs (CONTRACT.md), as validators receive them, and the
 * normalised values they return. `null` on an update means "clear this attribute"; absent means
 * "leave it unchanged".
 */
export interface AddressInput {
  street?: string | null;
  city?: string | null;
  postalCode?: string | null;
  /** ISO 3166-1 alpha-2. */
  country?: string | null;
}

export interface NormalisedAddress {
  street?: string;
  city?: string;
  postalCode?: string;
  country?: string;
}

/** Maximum street length, in characters. */
export const MAX_STREET_LENGTH = 200;
/** Maximum city length, in characters. */
export const MAX_CITY_LENGTH = 100;

/** A street line: 1 to 200 characters after trimming, no control characters or line breaks. */
export function validateStreet(value: unknown, field = 'input.address.street'): string {
  return collapseSpaces(boundedText(value, field, { min: 1, max: MAX_STREET_LENGTH }));
}

/** A city: 1 to 100 characters after trimming, no control characters or line breaks. */
export function validateCity(value: unknown, field = 'input.address.city'): string {
  return collapseSpaces(boundedText(value, field, { min: 1, max: MAX_CITY_LENGTH }));
}

/**
 * Validates an address. Each part is optional (absent or null is omitted from the result); the
 * postal code is checked against the country's format when the country is given.
 */
export function validateAddress(value: unknown, field = 'input.address'): NormalisedAddress {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InputError(field, 'must be an object');
  const input = value as AddressInput;
  const out: NormalisedAddress = {};
  if (input.street != null) out.street = validateStreet(input.street, `${field}.street`);
  if (input.city != null) out.city = validateCity(input.city, `${field}.city`);
  if (input.country != null) out.country = validateCountry(input.country, `${field}.country`);
  if (input.postalCode != null) out.postalCode = validatePostalCode(input.postalCode, out.country, `${field}.postalCode`);
  return out;
}


let codes: ReadonlySet<string> | null = null;
const countryCodes = () => (codes ??= new Set(ISO_3166_ALPHA2));

/** Validates an ISO 3166-1 alpha-2 country code; accepts any case, returns it upper-cased (`fr` → `FR`). */
export function validateCountry(value: unknown, field = 'input.address.country'): string {
  const text = requireString(value, field).trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(text) || !countryCodes().has(text)) {
    throw new InputError(field, 'must be an ISO 3166-1 alpha-2 country code, e.g. FR');
  }
  return text;
}

/**
 * ISO 3166-1 alpha-2: the 249 officially assigned country codes (ISO 3166 Maintenance Agency).
 * Not included: user-assigned codes (e.g. XK), exceptionally or transitionally reserved codes (EU, UK).
 */
export const ISO_3166_ALPHA2: readonly string[] = Object.freeze([
  'AD', 'AE', 'AF', 'AG', 'AI', 'AL', 'AM', 'AO', 'AQ', 'AR', 'AS', 'AT', 'AU', 'AW', 'AX', 'AZ',
  'BA', 'BB', 'BD', 'BE', 'BF', 'BG', 'BH', 'BI', 'BJ', 'BL', 'BM', 'BN', 'BO', 'BQ', 'BR', 'BS',
  'BT', 'BV', 'BW', 'BY', 'BZ',
  'CA', 'CC', 'CD', 'CF', 'CG', 'CH', 'CI', 'CK', 'CL', 'CM', 'CN', 'CO', 'CR', 'CU', 'CV', 'CW',
  'CX', 'CY', 'CZ',
  'DE', 'DJ', 'DK', 'DM', 'DO', 'DZ',
  'EC', 'EE', 'EG', 'EH', 'ER', 'ES', 'ET',
  'FI', 'FJ', 'FK', 'FM', 'FO', 'FR',
  'GA', 'GB', 'GD', 'GE', 'GF', 'GG', 'GH', 'GI', 'GL', 'GM', 'GN', 'GP', 'GQ', 'GR', 'GS', 'GT',
  'GU', 'GW', 'GY',
  'HK', 'HM', 'HN', 'HR', 'HT', 'HU',
  'ID', 'IE', 'IL', 'IM', 'IN', 'IO', 'IQ', 'IR', 'IS', 'IT',
  'JE', 'JM', 'JO', 'JP',
  'KE', 'KG', 'KH', 'KI', 'KM', 'KN', 'KP', 'KR', 'KW', 'KY', 'KZ',
  'LA', 'LB', 'LC', 'LI', 'LK', 'LR', 'LS', 'LT', 'LU', 'LV', 'LY',
  'MA', 'MC', 'MD', 'ME', 'MF', 'MG', 'MH', 'MK', 'ML', 'MM', 'MN', 'MO', 'MP', 'MQ', 'MR', 'MS',
  'MT', 'MU', 'MV', 'MW', 'MX', 'MY', 'MZ',
  'NA', 'NC', 'NE', 'NF', 'NG', 'NI', 'NL', 'NO', 'NP', 'NR', 'NU', 'NZ',
  'OM',
  'PA', 'PE', 'PF', 'PG', 'PH', 'PK', 'PL', 'PM', 'PN', 'PR', 'PS', 'PT', 'PW', 'PY',
  'QA',
  'RE', 'RO', 'RS', 'RU', 'RW',
  'SA', 'SB', 'SC', 'SD', 'SE', 'SG', 'SH', 'SI', 'SJ', 'SK', 'SL', 'SM', 'SN', 'SO', 'SR', 'SS',
  'ST', 'SV', 'SX', 'SY', 'SZ',
  'TC', 'TD', 'TF', 'TG', 'TH', 'TJ', 'TK', 'TL', 'TM', 'TN', 'TO', 'TR', 'TT', 'TV', 'TW', 'TZ',
  'UA', 'UG', 'UM', 'US', 'UY', 'UZ',
  'VA', 'VC', 'VE', 'VG', 'VI', 'VN', 'VU',
  'WF', 'WS',
  'YE', 'YT',
  'ZA', 'ZM', 'ZW',
]);

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

/** A country's postal code format. */
export interface PostalCodeFormat {
  /** Applied to the upper-cased, trimmed, space-collapsed code. */
  pattern: RegExp;
  /** Human description used in the error rule (never the submitted value). */
  description: string;
  /** Canonical form of a matching code (default: unchanged). */
  normalise?: (code: string) => string;
}

/** `A1B2C3` → `A1B 2C3`: a space before the last three characters (GB, CA). */
const spaceBeforeLast = (n: number) => (code: string) => {
  const compact = code.replace(/ /g, '');
  return `${compact.slice(0, -n)} ${compact.slice(-n)}`;
};
const removeSpaces = (code: string) => code.replace(/ /g, '');
const hyphenAfter = (n: number) => (code: string) => {
  const compact = code.replace(/[ -]/g, '');
  return `${compact.slice(0, n)}-${compact.slice(n)}`;
};

const FOUR_DIGITS: PostalCodeFormat = { pattern: /^[0-9]{4}$/, description: '4 digits' };
const FIVE_DIGITS: PostalCodeFormat = { pattern: /^[0-9]{5}$/, description: '5 digits' };
const SIX_DIGITS: PostalCodeFormat = { pattern: /^[0-9]{6}$/, description: '6 digits' };
const THREE_TWO: PostalCodeFormat = { pattern: /^[0-9]{3} ?[0-9]{2}$/, description: '5 digits, as NNN NN', normalise: spaceBeforeLast(2) };

/** Known formats by ISO 3166-1 alpha-2 code. Other countries get GENERIC_POSTAL_CODE. */
export const POSTAL_CODE_FORMATS: Readonly<Record<string, PostalCodeFormat>> = {
  FR: FIVE_DIGITS,
  DE: FIVE_DIGITS,
  IT: FIVE_DIGITS,
  FI: FIVE_DIGITS,
  MX: FIVE_DIGITS,
  ES: { pattern: /^(?:0[1-9]|[1-4][0-9]|5[0-2])[0-9]{3}$/, description: '5 digits starting with a province number 01 to 52' },
  US: { pattern: /^[0-9]{5}(?:-[0-9]{4})?$/, description: '5 digits, or ZIP+4 as NNNNN-NNNN' },
  GB: {
    pattern: /^(?:[A-Z]{1,2}[0-9][A-Z0-9]?|GIR) ?[0-9][A-Z]{2}$/,
    description: 'a UK postcode such as SW1A 1AA',
    normalise: spaceBeforeLast(3),
  },
  NL: { pattern: /^[1-9][0-9]{3} ?[A-Z]{2}$/, description: '4 digits and 2 letters, as NNNN AA', normalise: spaceBeforeLast(2) },
  BE: { pattern: /^[1-9][0-9]{3}$/, description: '4 digits' },
  LU: { pattern: /^(?:L-)?[0-9]{4}$/, description: '4 digits, optionally prefixed by L-', normalise: (c) => c.replace(/^L-/, '') },
  CH: { pattern: /^[1-9][0-9]{3}$/, description: '4 digits' },
  AT: { pattern: /^[1-9][0-9]{3}$/, description: '4 digits' },
  DK: FOUR_DIGITS,
  NO: FOUR_DIGITS,
  HU: FOUR_DIGITS,
  AU: FOUR_DIGITS,
  NZ: FOUR_DIGITS,
  SE: THREE_TWO,
  CZ: THREE_TWO,
  SK: THREE_TWO,
  GR: THREE_TWO,
  PT: { pattern: /^[0-9]{4}-[0-9]{3}$/, description: '7 digits, as NNNN-NNN' },
  PL: { pattern: /^[0-9]{2}-[0-9]{3}$/, description: '5 digits, as NN-NNN' },
  IE: {
    pattern: /^(?:[AC-FHKNPRTV-Y][0-9]{2}|D6W) ?[0-9AC-FHKNPRTV-Y]{4}$/,
    description: 'an Eircode such as D02 X285',
    normalise: spaceBeforeLast(4),
  },
  CA: {
    pattern: /^[ABCEGHJ-NPRSTVXY][0-9][ABCEGHJ-NPRSTV-Z] ?[0-9][ABCEGHJ-NPRSTV-Z][0-9]$/,
    description: 'a Canadian postal code such as K1A 0B1',
    normalise: spaceBeforeLast(3),
  },
  JP: { pattern: /^[0-9]{3}-?[0-9]{4}$/, description: '7 digits, as NNN-NNNN', normalise: hyphenAfter(3) },
  BR: { pattern: /^[0-9]{5}-?[0-9]{3}$/, description: '8 digits, as NNNNN-NNN', normalise: hyphenAfter(5) },
  IN: { pattern: /^[1-9][0-9]{2} ?[0-9]{3}$/, description: '6 digits, not starting with 0', normalise: removeSpaces },
  CN: SIX_DIGITS,
  RO: SIX_DIGITS,
};

/** Countries without a known format: 2 to 10 letters, digits, spaces or hyphens, starting and ending alphanumeric. */
export const GENERIC_POSTAL_CODE: PostalCodeFormat = {
  pattern: /^[A-Z0-9][A-Z0-9 -]{0,8}[A-Z0-9]$/,
  description: '2 to 10 letters, digits, spaces or hyphens',
};
