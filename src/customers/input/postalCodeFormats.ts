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
