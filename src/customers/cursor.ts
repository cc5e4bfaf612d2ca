import { InputError } from '../server/errors';

/** Opaque page cursors: base64url of the last row's id. */
export function encodeCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, field = 'after'): string {
  const id = /^[A-Za-z0-9_-]{1,200}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  if (!/^[A-Za-z0-9_-]{1,100}$/.test(id)) throw new InputError(field, 'must be a cursor returned by a previous page');
  return id;
}

/** Validates a page size: an integer from 1 to `max`. */
export function pageSize(first: number | null | undefined, dflt: number, max: number, field = 'first'): number {
  const n = first ?? dflt;
  if (!Number.isInteger(n) || n < 1 || n > max) throw new InputError(field, `must be an integer from 1 to ${max}`);
  return n;
}
