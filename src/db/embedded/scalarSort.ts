/**
 * Sorting on one field whose values are all strings or all numbers, without mingo and in exactly
 * mingo's order. mingo's `$sort` groups documents by key (first-seen order, members in input
 * order), sorts the keys natively for all-string (UTF-16 code units) or all-number keys (NaN
 * excluded), and reverses the keys, not the members, for `-1`. A stable sort with the same key
 * comparison gives the same sequence. Anything else (missing values, arrays along the path, mixed
 * types, several keys, a collation) is left to mingo.
 */
import type { Document } from 'bson';

/** The value at a dotted path through plain objects; `undefined` when an array or non-object is crossed. */
function scalarAt(doc: Document, path: string[]): unknown {
  let node: unknown = doc;
  for (const part of path) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(node, part)) return undefined;
    node = (node as Document)[part];
  }
  return node;
}

/**
 * `docs` sorted by `sort` when it has exactly one field (direction `-1` descending, anything else
 * ascending, as mingo reads it) and every document holds a string there, or every one a number
 * other than NaN. `undefined` when mingo must sort. `docs` is not modified.
 */
export function sortByScalarField(docs: Document[], sort: Document): Document[] | undefined {
  const fields = Object.keys(sort);
  if (fields.length !== 1 || fields[0].startsWith('$') || fields[0] === '') return undefined;
  const path = fields[0].split('.');
  const keys: unknown[] = new Array(docs.length);
  let strings = true;
  let numbers = true;
  for (let i = 0; i < docs.length; i++) {
    const v = scalarAt(docs[i], path);
    keys[i] = v;
    strings &&= typeof v === 'string';
    numbers &&= typeof v === 'number' && !Number.isNaN(v);
    if (!strings && !numbers) return undefined;
  }
  const sign = sort[fields[0]] === -1 ? -1 : 1;
  const order = Array.from(docs.keys());
  order.sort((a, b) => {
    const x = keys[a] as string | number;
    const y = keys[b] as string | number;
    return x < y ? -sign : x > y ? sign : 0;
  });
  return order.map((i) => docs[i]);
}
