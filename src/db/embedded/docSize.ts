/**
 * BSON sizes of documents, computed once per object. Stored documents are never mutated (see
 * Collection), so a stored document's size stays valid for as long as the object lives; cursor
 * batches read it instead of measuring the same document on every query.
 */
import { BSON, type Document } from 'bson';

const sizes = new WeakMap<Document, number>();

/** `BSON.calculateObjectSize(doc)`, cached. Only for documents that are not modified afterwards. */
export function bsonSize(doc: Document): number {
  let size = sizes.get(doc);
  if (size === undefined) {
    size = BSON.calculateObjectSize(doc);
    sizes.set(doc, size);
  }
  return size;
}
