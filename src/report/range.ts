/** The report's date range: whole UTC days, `from` and `to` included, at most MAX_RANGE_DAYS. */
import { InputError } from '../core/errors';

/** The longest range a report covers, in days (both ends included). */
export const MAX_RANGE_DAYS = 400;
/** The range when neither end is given: the last DEFAULT_RANGE_DAYS days up to today (UTC). */
export const DEFAULT_RANGE_DAYS = 30;

const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface ReportRange {
  /** First day, YYYY-MM-DD. */
  from: string;
  /** Last day, YYYY-MM-DD (included). */
  to: string;
  /** Start of `from`, UTC. */
  start: Date;
  /** Start of the day after `to`, UTC (exclusive bound). */
  end: Date;
  days: number;
}

/** A calendar date YYYY-MM-DD as the start of that UTC day, or an InputError naming the field. */
function parseDay(value: string, field: string): Date {
  const m = DATE.exec(value.trim());
  if (!m) throw new InputError(field, 'must be a date written YYYY-MM-DD');
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const at = new Date(Date.UTC(y, mo - 1, d));
  if (at.getUTCFullYear() !== y || at.getUTCMonth() !== mo - 1 || at.getUTCDate() !== d) {
    throw new InputError(field, 'must be a calendar date that exists (YYYY-MM-DD)');
  }
  return at;
}

export function dayOf(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/**
 * The range of `from`..`to`. Either may be omitted: `to` defaults to today (UTC), `from` to
 * DEFAULT_RANGE_DAYS - 1 days before `to`. Refuses `from` after `to` and ranges over MAX_RANGE_DAYS.
 */
export function parseRange(from: string | null | undefined, to: string | null | undefined, now = new Date()): ReportRange {
  const last = to != null ? parseDay(to, 'to') : parseDay(dayOf(now), 'to');
  const first = from != null ? parseDay(from, 'from') : new Date(last.getTime() - (DEFAULT_RANGE_DAYS - 1) * DAY_MS);
  if (first.getTime() > last.getTime()) throw new InputError('from', 'must not be after "to"');
  const days = Math.round((last.getTime() - first.getTime()) / DAY_MS) + 1;
  if (days > MAX_RANGE_DAYS) throw new InputError('to', `the range from "from" to "to" must cover at most ${MAX_RANGE_DAYS} days (it covers ${days})`);
  return { from: dayOf(first), to: dayOf(last), start: first, end: new Date(last.getTime() + DAY_MS), days };
}
