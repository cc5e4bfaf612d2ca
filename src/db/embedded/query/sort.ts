/**
 * Sort specifications and sorting as mongod does it: values in mongod's BSON order (see
 * bsonOrder), a missing field sorts as null, an array by its smallest element ascending and its
 * largest descending (an empty array before null), and documents with equal keys keep their input
 * order. An index scan in the same direction yields exactly this order, so a sort answered by an
 * index and one done in memory agree.
 */
import type { Document } from 'bson';
import { CommandError } from '../errors';
import { compareValues, type StringCompare } from '../storage/bsonOrder';
import { indexKeysAtPath } from '../storage/keys';

export interface SortField {
  path: string;
  dir: 1 | -1;
}

/** A parsed sort: fields in order, or the natural order (`{ $natural: ±1 }`). */
export type SortSpec = { fields: SortField[]; natural?: undefined } | { fields: []; natural: 1 | -1 };

function direction(path: string, v: unknown): 1 | -1 {
  const n = typeof v === 'number' ? v : (v as { _bsontype?: string } | null)?._bsontype ? Number((v as { valueOf(): number }).valueOf()) : NaN;
  if (n === 1) return 1;
  if (n === -1) return -1;
  if (v && typeof v === 'object' && '$meta' in (v as Document)) {
    throw CommandError.of('CommandNotSupported', `the embedded store does not support sorting by { $meta: ... } (field '${path}'): it has no text or search indexes`);
  }
  throw new CommandError(15975, '$sort key ordering must be 1 (for ascending) or -1 (for descending)');
}

/** Parses `sort` (undefined or empty: no sort). Throws mongod's errors for invalid orderings. */
export function parseSort(sort: Document | undefined): SortSpec | undefined {
  if (!sort) return undefined;
  const keys = Object.keys(sort);
  if (keys.length === 0) return undefined;
  if (keys.includes('$natural')) {
    if (keys.length > 1) throw CommandError.of('BadValue', 'error processing query: $natural cannot be combined with other sort fields');
    return { fields: [], natural: direction('$natural', sort.$natural) };
  }
  const fields = keys.map((path) => {
    if (path === '' || path.startsWith('$') || path.split('.').some((p) => p === '')) {
      throw CommandError.of('BadValue', `Invalid sort key: '${path}'`);
    }
    return { path, dir: direction(path, sort[path]) };
  });
  return { fields };
}

/** The value a document sorts by on one field (smallest key ascending, largest descending). */
export function sortKey(doc: Document, field: SortField, str?: StringCompare): unknown {
  const direct = field.path.includes('.') ? undefined : doc[field.path];
  if (direct !== undefined && !Array.isArray(direct) && (direct === null || typeof direct !== 'object' || direct instanceof Date || (direct as { _bsontype?: string })._bsontype)) {
    return direct;
  }
  const { values } = indexKeysAtPath(doc, field.path);
  let best = values[0];
  for (let i = 1; i < values.length; i++) {
    const c = compareValues(values[i], best, str);
    if (field.dir === 1 ? c < 0 : c > 0) best = values[i];
  }
  return best;
}

/** `docs` sorted by `fields` (a new array; stable). `str` compares strings under a collation. */
export function sortDocuments(docs: Document[], fields: SortField[], str?: StringCompare): Document[] {
  const keys = docs.map((d) => fields.map((f) => sortKey(d, f, str)));
  const order = Array.from(docs.keys());
  order.sort((a, b) => {
    const ka = keys[a];
    const kb = keys[b];
    for (let i = 0; i < fields.length; i++) {
      const c = compareValues(ka[i], kb[i], str);
      if (c) return c * fields[i].dir;
    }
    return a - b;
  });
  return order.map((i) => docs[i]);
}
