/**
 * ISO 8601 durations (`P3Y`, `P18M`, `P30D`, `PT12H`, `P1Y6M`): parsed once at load, and
 * subtracted from a date in UTC calendar arithmetic (years and months by the calendar, weeks,
 * days, hours, minutes and seconds as fixed lengths).
 */
export interface Duration {
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
  /** The text it was parsed from, e.g. `P3Y`. */
  text: string;
}

const ISO_DURATION = /^P(?!$)(?:(\d{1,4})Y)?(?:(\d{1,5})M)?(?:(\d{1,5})W)?(?:(\d{1,6})D)?(?:T(?=\d)(?:(\d{1,7})H)?(?:(\d{1,8})M)?(?:(\d{1,9})S)?)?$/;

/** Parses an ISO 8601 duration of whole units; null when `text` is not one. */
export function parseDuration(text: string): Duration | null {
  const m = ISO_DURATION.exec(text);
  if (!m) return null;
  const n = (i: number) => (m[i] ? Number(m[i]) : 0);
  return { years: n(1), months: n(2), weeks: n(3), days: n(4), hours: n(5), minutes: n(6), seconds: n(7), text };
}

/** `at` minus `d`: the cutoff of a rule (records whose event is at or before it are due). */
export function subtractDuration(at: Date, d: Duration): Date {
  const out = new Date(at.getTime());
  if (d.years || d.months) out.setUTCMonth(out.getUTCMonth() - d.months - 12 * d.years);
  const ms = ((((d.weeks * 7 + d.days) * 24 + d.hours) * 60 + d.minutes) * 60 + d.seconds) * 1000;
  return new Date(out.getTime() - ms);
}

const REFERENCE = new Date(Date.UTC(2000, 0, 1));

/** True when `a` keeps data at least as long as `b` (compared from a fixed reference date). */
export function atLeast(a: Duration, b: Duration): boolean {
  return subtractDuration(REFERENCE, a).getTime() <= subtractDuration(REFERENCE, b).getTime();
}
