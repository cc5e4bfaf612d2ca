/** Small checks shared by the lifecycle's inputs. */
import { InputError } from '../core/errors';
import { boundedText } from '../customers/input';

/**
 * Free text the records manager types (labels, locations, names of staff, notes): bounded, no
 * control characters, and nothing that looks like customer data (an email address, a customer id,
 * a run of 8 or more digits such as a phone or card number), because these records are kept for years.
 */
export function recordText(value: unknown, field: string, max: number): string {
  const text = boundedText(value, field, { min: 1, max });
  if (/@|\bcus_|\d{8,}/i.test(text)) throw new InputError(field, 'must not contain customer data (no email addresses, customer ids or runs of 8+ digits)');
  return text;
}

/** Optional free text: absent or null stays absent. */
export function optionalRecordText(value: unknown, field: string, max: number): string | undefined {
  return value == null ? undefined : recordText(value, field, max);
}

const SERIAL = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$/;

export function serialNumber(value: unknown, field: string): string | undefined {
  if (value == null) return undefined;
  if (typeof value !== 'string' || !SERIAL.test(value.trim())) throw new InputError(field, 'must be 1 to 100 letters, digits and ._:/- (a manufacturer serial number)');
  return value.trim();
}

/** An optional ISO 8601 date-time, not in the future; `dflt` when absent. */
export function pastDate(value: unknown, field: string, now: Date): Date {
  if (value == null) return now;
  const d = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value) ? new Date(value) : new Date(NaN);
  if (Number.isNaN(d.getTime())) throw new InputError(field, 'must be an ISO 8601 date-time, e.g. 2026-11-30T14:00:00Z');
  if (d.getTime() > now.getTime() + 60_000) throw new InputError(field, 'must not be in the future');
  return d;
}
