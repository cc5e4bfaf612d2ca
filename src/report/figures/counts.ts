/**
 * Small-count suppression. Every count in the report is a string: the exact number when it is 0
 * or at least SUPPRESS_BELOW, and "< 5" when it is 1 to 4, so a cell never singles out a few people.
 */

/** Counts from 1 to SUPPRESS_BELOW - 1 are shown as `< SUPPRESS_BELOW`. */
export const SUPPRESS_BELOW = 5;
export const SUPPRESSED = `< ${SUPPRESS_BELOW}`;

/** A count as the report shows it. */
export function shown(n: number): string {
  return n > 0 && n < SUPPRESS_BELOW ? SUPPRESSED : String(n);
}
