/** A card brand: its issuer identification number (IIN) prefix ranges and allowed lengths. */
export interface CardBrand {
  name: string;
  /** Inclusive prefix ranges, as equal-length digit strings: ['51', '55'], ['2221', '2720']. */
  prefixes: ReadonlyArray<readonly [string, string]>;
  /** Allowed numbers of digits. */
  lengths: readonly number[];
}

/** Supported brands. When several match, the longest matching prefix wins (622126 is discover, 62 unionpay). */
export const CARD_BRANDS: readonly CardBrand[] = [
  { name: 'visa', prefixes: [['4', '4']], lengths: [13, 16, 19] },
  { name: 'mastercard', prefixes: [['51', '55'], ['2221', '2720']], lengths: [16] },
  { name: 'amex', prefixes: [['34', '34'], ['37', '37']], lengths: [15] },
  { name: 'discover', prefixes: [['6011', '6011'], ['644', '649'], ['65', '65'], ['622126', '622925']], lengths: [16, 17, 18, 19] },
  { name: 'diners', prefixes: [['300', '305'], ['3095', '3095'], ['36', '36'], ['38', '39']], lengths: [14, 15, 16, 17, 18, 19] },
  { name: 'jcb', prefixes: [['3528', '3589']], lengths: [16, 17, 18, 19] },
  { name: 'unionpay', prefixes: [['62', '62'], ['81', '81']], lengths: [16, 17, 18, 19] },
  {
    name: 'maestro',
    prefixes: [['5018', '5018'], ['5020', '5020'], ['5038', '5038'], ['5893', '5893'], ['6304', '6304'], ['6759', '6759'], ['6761', '6763']],
    lengths: [12, 13, 14, 15, 16, 17, 18, 19],
  },
];

/** The brand whose longest prefix matches `digits`, or undefined. */
export function detectBrand(digits: string): CardBrand | undefined {
  let best: { brand: CardBrand; length: number } | undefined;
  for (const brand of CARD_BRANDS) {
    for (const [lo, hi] of brand.prefixes) {
      const head = digits.slice(0, lo.length);
      if (head.length === lo.length && head >= lo && head <= hi && (!best || lo.length > best.length)) {
        best = { brand, length: lo.length };
      }
    }
  }
  return best?.brand;
}

/** True if the digit string passes the Luhn (mod 10) check. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}
