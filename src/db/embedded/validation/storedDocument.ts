/**
 * What every stored document must be, as mongod enforces it on insert, replace, update and upsert:
 * an object of at most 16 MB whose `_id` is not an array, a regex or undefined, holds no
 * `$`-prefixed field at any depth, and comes first.
 */
import { ObjectId, type Document } from 'bson';
import { bsonSize } from '../docSize';
import { CommandError } from '../errors';
import { MAX_BSON_SIZE } from '../wire/wire';

/** Puts `_id` first, as mongod stores it. */
export function idFirst(doc: Document): Document {
  if (Object.keys(doc)[0] === '_id') return doc;
  const { _id, ...rest } = doc;
  return { _id, ...rest };
}

function dollarKey(v: unknown): string | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v) || Object.getPrototypeOf(v) !== Object.prototype) return undefined;
  for (const [k, inner] of Object.entries(v as Document)) {
    if (k.startsWith('$')) return k;
    const nested = dollarKey(inner);
    if (nested) return nested;
  }
  return undefined;
}

/** Throws mongod's errors for an `_id` it will not store. */
export function checkIdValue(id: unknown): void {
  if (Array.isArray(id)) throw CommandError.of('InvalidIdField', "The '_id' value cannot be of type array");
  if (id instanceof RegExp || (id as { _bsontype?: string } | null)?._bsontype === 'BSONRegExp') {
    throw CommandError.of('InvalidIdField', "The '_id' value cannot be of type regex");
  }
  const key = dollarKey(id);
  if (key) throw CommandError.of('DollarPrefixedFieldName', `_id fields may not contain '$'-prefixed fields: ${key} is not valid for storage.`);
}

/** Checks a document about to be stored and returns it with `_id` first. */
export function checkStored(doc: Document): Document {
  checkIdValue(doc._id);
  if (bsonSize(doc) > MAX_BSON_SIZE) throw CommandError.of('BSONObjectTooLarge', 'object to insert too large');
  return idFirst(doc);
}

/** Checks and completes a document to insert: an object, `_id` first (generated if absent). */
export function prepareInsert(doc: unknown): Document {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw CommandError.of('TypeMismatch', 'document to insert must be an object');
  const d = doc as Document;
  return checkStored(d._id === undefined ? { _id: new ObjectId(), ...d } : d);
}
