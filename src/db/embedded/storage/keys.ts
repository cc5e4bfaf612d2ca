/**
 * Canonical keys for values: two values get the same key exactly when a MongoDB index treats them
 * as equal (numbers of any width compare by value, ObjectIds by bytes, documents field by field
 * in order). Used for the `_id` map and unique indexes.
 */
import type { Document } from 'bson';

interface BsonValue {
  _bsontype?: string;
  toString(encoding?: string): string;
  toHexString?(): string;
}

export function canonicalKey(value: unknown): string {
  if (value === null || value === undefined) return 'z';
  switch (typeof value) {
    case 'number':
      return 'n' + (Object.is(value, -0) ? 0 : value);
    case 'bigint':
      return 'n' + value.toString();
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'T' : 'F';
    default:
      break;
  }
  if (value instanceof Date) return 'd' + value.getTime();
  if (value instanceof RegExp) return 'r/' + value.source + '/' + value.flags;
  if (Array.isArray(value)) return '[' + value.map(canonicalKey).join(',') + ']';
  const bson = value as BsonValue;
  switch (bson._bsontype) {
    case 'ObjectId':
      return 'o' + bson.toHexString!();
    case 'Long':
    case 'Int32':
    case 'Double':
    case 'Decimal128':
      return 'n' + bson.toString();
    case 'Binary':
      return 'x' + (value as { sub_type: number }).sub_type + ':' + bson.toString('base64');
    case undefined:
      break;
    default:
      return bson._bsontype + ':' + bson.toString();
  }
  const obj = value as Document;
  return '{' + Object.keys(obj).map((k) => JSON.stringify(k) + ':' + canonicalKey(obj[k])).join(',') + '}';
}

/** How a value is shown in a duplicate-key message, in mongod's style: `"a@b"`, `ObjectId('…')`, `1`. */
export function displayValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return `new Date(${value.getTime()})`;
  if (Array.isArray(value)) return '[ ' + value.map(displayValue).join(', ') + ' ]';
  const bson = value as BsonValue;
  if (bson._bsontype === 'ObjectId') return `ObjectId('${bson.toHexString!()}')`;
  if (bson._bsontype) return `${bson._bsontype}(${bson.toString()})`;
  const obj = value as Document;
  return '{ ' + Object.keys(obj).map((k) => `${k}: ${displayValue(obj[k])}`).join(', ') + ' }';
}

/**
 * Every value an index on `path` holds for a document: one per array element along the path
 * (multikey), `[null]` when the path is missing. `present` says whether the path exists at all.
 */
export function valuesAtPath(doc: unknown, path: string): { values: unknown[]; present: boolean } {
  const out: unknown[] = [];
  let present = false;
  const walk = (node: unknown, parts: string[], i: number): void => {
    if (i === parts.length) {
      if (node === undefined) return;
      present = true;
      if (Array.isArray(node)) {
        if (node.length === 0) out.push(undefined);
        else out.push(...node);
      } else out.push(node);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const part = parts[i];
    if (Array.isArray(node)) {
      if (/^\d+$/.test(part)) walk(node[Number(part)], parts, i + 1);
      else for (const el of node) walk(el, parts, i);
      return;
    }
    if (!Object.prototype.hasOwnProperty.call(node, part)) return;
    walk((node as Document)[part], parts, i + 1);
  };
  walk(doc, path.split('.'), 0);
  if (out.length === 0) out.push(null);
  return { values: out, present };
}

/** The keys an index on one path holds for a document (see `indexKeysAtPath`). */
export interface PathKeys {
  values: unknown[];
  /** The path exists (with any value, null included): sparse indexes skip documents where no field does. */
  present: boolean;
  /** An array was met along the path or at its end (mongod's multikey). */
  multikey: boolean;
}

/**
 * The keys an index on `path` holds for `doc`, as mongod generates them: one per array element
 * met along the path (multikey), `undefined` for an empty array at the end, and `null` for a
 * missing path and for every array element the rest of the path cannot go through. A superset of
 * what a filter on the path can match, so a scan of the index never misses a document.
 */
export function indexKeysAtPath(doc: unknown, path: string): PathKeys {
  const out: unknown[] = [];
  let present = false;
  let multikey = false;
  const parts = path.split('.');
  const walk = (node: unknown, i: number, inArray: boolean): void => {
    if (i === parts.length) {
      if (node === undefined) {
        if (inArray) out.push(null);
        return;
      }
      present = true;
      if (Array.isArray(node)) {
        multikey = true;
        if (node.length === 0) out.push(undefined);
        else out.push(...node);
      } else out.push(node);
      return;
    }
    if (Array.isArray(node)) {
      multikey = true;
      const part = parts[i];
      if (/^\d+$/.test(part)) walk(node[Number(part)], i + 1, true);
      for (const el of node) walk(el, i, true);
      return;
    }
    if (node === null || typeof node !== 'object' || (node as { _bsontype?: unknown })._bsontype !== undefined || node instanceof Date) {
      if (inArray) out.push(null);
      return;
    }
    const part = parts[i];
    if (!Object.prototype.hasOwnProperty.call(node, part)) {
      if (inArray) out.push(null);
      return;
    }
    walk((node as Document)[part], i + 1, inArray);
  };
  walk(doc, 0, false);
  if (out.length === 0) out.push(null);
  return { values: out, present, multikey };
}
