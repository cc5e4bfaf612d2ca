/**
 * One keyset pagination for every connection: a page is the rows after a position in a fixed
 * sort order, and a cursor is that position sealed (AES-256-GCM under a key derived from
 * JWT_SECRET), so clients can neither read ids out of it nor forge one.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { Config } from '../config';
import { InputError } from './errors';

/** A position: the sort-key values of a row, in sort order. */
export type Position = readonly (string | number)[];

export interface Page<T> {
  edges: Array<{ cursor: string; node: T }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** A page size: an integer from 1 to `max`, `dflt` when absent. */
export function pageSize(first: number | null | undefined, dflt: number, max: number, field = 'first'): number {
  const n = first ?? dflt;
  if (!Number.isInteger(n) || n < 1 || n > max) throw new InputError(field, `must be an integer from 1 to ${max}`);
  return n;
}

const cursorKeys = new WeakMap<object, Buffer>();

function keyOf(config: Pick<Config, 'jwtSecret'>): Buffer {
  let key = cursorKeys.get(config);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', Buffer.from(config.jwtSecret, 'utf8'), Buffer.from('purpose-gateway'), Buffer.from('cursor-v1'), 32));
    cursorKeys.set(config, key);
  }
  return key;
}

/** Seals a position into an opaque cursor. `kind` binds it to one connection (a customers cursor is no access-log cursor). */
export function sealCursor(config: Pick<Config, 'jwtSecret'>, kind: string, position: Position): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(config), iv);
  cipher.setAAD(Buffer.from(kind));
  const ct = Buffer.concat([cipher.update(JSON.stringify(position), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64url');
}

/** Opens a cursor of `kind` whose values have the given types; anything else is BAD_USER_INPUT naming `field`. */
export function openCursor(config: Pick<Config, 'jwtSecret'>, kind: string, cursor: unknown, types: readonly ('string' | 'number')[], field = 'after'): Position {
  const bad = () => new InputError(field, 'must be a cursor returned by a previous page');
  if (typeof cursor !== 'string' || cursor.length > 512 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw bad();
  const raw = Buffer.from(cursor, 'base64url');
  if (raw.length < 29) throw bad();
  let position: unknown;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyOf(config), raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(kind));
    decipher.setAuthTag(raw.subarray(12, 28));
    position = JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(position) || position.length !== types.length || position.some((v, i) => typeof v !== types[i])) throw bad();
  return position as Position;
}

/** Sort order of a keyset: [field, 1 | -1] pairs; the last field must be unique (usually `_id`). */
export type KeysetSort = ReadonlyArray<readonly [string, 1 | -1]>;

/** The filter of the rows strictly after `position` in `sort` order (values converted by `toDb`, e.g. to ObjectId). */
export function afterPosition(sort: KeysetSort, position: Position, toDb: (field: string, value: string | number) => unknown = (_f, v) => v): Record<string, unknown> {
  const clauses: Record<string, unknown>[] = [];
  for (let i = 0; i < sort.length; i += 1) {
    const clause: Record<string, unknown> = {};
    for (let j = 0; j < i; j += 1) clause[sort[j]![0]] = toDb(sort[j]![0], position[j]!);
    const [field, dir] = sort[i]!;
    clause[field] = { [dir === 1 ? '$gt' : '$lt']: toDb(field, position[i]!) };
    clauses.push(clause);
  }
  return clauses.length === 1 ? clauses[0]! : { $or: clauses };
}

/**
 * A page from `rows` fetched with limit `first + 1`: the extra row only says there is a next page.
 * `positionOf` gives a row's sort-key values; cursors are sealed with `kind`.
 */
export function toPage<R, T>(
  config: Pick<Config, 'jwtSecret'>, kind: string, rows: readonly R[], first: number,
  positionOf: (row: R) => Position, nodeOf: (row: R) => T,
): Page<T> {
  const shown = rows.slice(0, first);
  // Cursors are sealed only when a client selects them.
  const edges = shown.map((row) => ({
    get cursor() {
      return sealCursor(config, kind, positionOf(row));
    },
    node: nodeOf(row),
  }));
  const last = shown.at(-1);
  const pageInfo = {
    hasNextPage: rows.length > first,
    get endCursor() {
      return last === undefined ? null : sealCursor(config, kind, positionOf(last));
    },
  };
  return { edges, pageInfo };
}
