/**
 * One collection in memory: documents in natural (insertion) order keyed by `_id`, and its
 * indexes. Unique indexes are enforced here. Stored documents are never mutated: an update
 * stores a new object, so open cursors keep the snapshot they were created with.
 */
import { UUID, type Document } from 'bson';
import { CommandError } from './errors';
import { IndexSpec, type IndexKeyEntry } from './indexSpec';
import { canonicalKey } from './keys';

const ID_INDEX: Document = { v: 2, key: { _id: 1 }, name: '_id_' };

function isScalar(v: unknown): boolean {
  if (v === null || v === undefined) return false;
  if (typeof v !== 'object') return true;
  if (v instanceof Date) return true;
  if (Array.isArray(v) || v instanceof RegExp) return false;
  return typeof (v as { _bsontype?: unknown })._bsontype === 'string';
}

/** An `_id` value is usable as an exact lookup key (not an operator expression or regex). */
function isExactValue(v: unknown): boolean {
  if (isScalar(v)) return true;
  if (v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof RegExp)) {
    return Object.keys(v as Document).every((k) => !k.startsWith('$'));
  }
  return false;
}

export class Collection {
  readonly uuid = new UUID();
  private readonly docs = new Map<string, Document>();
  private readonly indexes = new Map<string, IndexSpec>([['_id_', new IndexSpec(ID_INDEX)]]);
  private readonly uniqueKeys = new Map<string, Map<string, string>>();

  constructor(
    readonly db: string,
    readonly name: string,
    /** The options it was created with, shown by listCollections. */
    readonly options: Document = {},
  ) {}

  get ns(): string {
    return `${this.db}.${this.name}`;
  }

  get size(): number {
    return this.docs.size;
  }

  /** All documents in natural order. */
  all(): Document[] {
    return Array.from(this.docs.values());
  }

  byId(id: unknown): Document | undefined {
    return this.docs.get(canonicalKey(id));
  }

  /**
   * A superset of the documents matching `filter`, narrowed by the `_id` map or a single-field
   * unique index when the filter pins that field to exact values. Callers still apply the filter.
   */
  candidates(filter: Document | undefined): Document[] {
    if (!filter) return this.all();
    const exact = this.exactIds(filter);
    if (exact) return exact.map((v) => this.byId(v)).filter((d): d is Document => d !== undefined);
    for (const [name, keys] of this.uniqueKeys) {
      const index = this.indexes.get(name)!;
      if (index.fields.length !== 1 || index.spec.sparse || index.spec.partialFilterExpression) continue;
      const v = filter[index.fields[0]];
      if (!isScalar(v)) continue;
      const owner = keys.get('\u0000' + canonicalKey(v));
      const doc = owner === undefined ? undefined : this.docs.get(owner);
      return doc ? [doc] : [];
    }
    return this.all();
  }

  /** Exact `_id` values the filter pins, at top level or inside a (nested) `$and`. */
  private exactIds(filter: Document): unknown[] | undefined {
    if (filter._id !== undefined) {
      const exact = this.exactValues(filter._id);
      if (exact) return exact;
    }
    if (Array.isArray(filter.$and)) {
      for (const part of filter.$and) {
        if (part && typeof part === 'object' && !Array.isArray(part)) {
          const exact = this.exactIds(part as Document);
          if (exact) return exact;
        }
      }
    }
    return undefined;
  }

  private exactValues(v: unknown): unknown[] | undefined {
    if (isExactValue(v)) return [v];
    if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
    const ops = Object.keys(v as Document);
    if (ops.length !== 1) return undefined;
    const arg = (v as Document)[ops[0]];
    if (ops[0] === '$eq' && isExactValue(arg)) return [arg];
    if (ops[0] === '$in' && Array.isArray(arg) && arg.every((a) => isScalar(a))) {
      const seen = new Set<string>();
      return arg.filter((a) => (seen.has(canonicalKey(a)) ? false : (seen.add(canonicalKey(a)), true)));
    }
    return undefined;
  }

  private uniqueEntries(doc: Document): Array<[IndexSpec, Map<string, string>, IndexKeyEntry[]]> {
    const out: Array<[IndexSpec, Map<string, string>, IndexKeyEntry[]]> = [];
    for (const [name, keys] of this.uniqueKeys) {
      const index = this.indexes.get(name)!;
      out.push([index, keys, index.keysOf(doc)]);
    }
    return out;
  }

  private checkUnique(entries: Array<[IndexSpec, Map<string, string>, IndexKeyEntry[]]>, idKey: string): void {
    for (const [index, keys, list] of entries) {
      for (const e of list) {
        const owner = keys.get(e.key);
        if (owner !== undefined && owner !== idKey) throw index.duplicateKeyError(this.ns, e);
      }
    }
  }

  /** Stores a new document (its `_id` set). Throws DuplicateKey (11000) without storing. */
  insert(doc: Document): void {
    const idKey = canonicalKey(doc._id);
    if (this.docs.has(idKey)) {
      throw this.indexes.get('_id_')!.duplicateKeyError(this.ns, { key: idKey, values: [doc._id] });
    }
    const entries = this.uniqueEntries(doc);
    this.checkUnique(entries, idKey);
    for (const [, keys, list] of entries) for (const e of list) keys.set(e.key, idKey);
    this.docs.set(idKey, doc);
  }

  /** Replaces a stored document by a new version with the same `_id`. Throws DuplicateKey. */
  replace(previous: Document, next: Document): void {
    const idKey = canonicalKey(previous._id);
    const entries = this.uniqueEntries(next);
    this.checkUnique(entries, idKey);
    this.unindex(previous, idKey);
    for (const [, keys, list] of entries) for (const e of list) keys.set(e.key, idKey);
    this.docs.set(idKey, next);
  }

  remove(doc: Document): void {
    const idKey = canonicalKey(doc._id);
    this.unindex(doc, idKey);
    this.docs.delete(idKey);
  }

  private unindex(doc: Document, idKey: string): void {
    for (const [, keys, list] of this.uniqueEntries(doc)) {
      for (const e of list) if (keys.get(e.key) === idKey) keys.delete(e.key);
    }
  }

  indexSpecs(): Document[] {
    return Array.from(this.indexes.values(), (i) => i.spec);
  }

  get indexCount(): number {
    return this.indexes.size;
  }

  findIndex(name: string): IndexSpec | undefined {
    return this.indexes.get(name);
  }

  /** Adds an index, building unique keys over existing documents first (DuplicateKey if they collide). */
  addIndex(spec: Document): void {
    const index = new IndexSpec(spec);
    if (index.unique && index.name !== '_id_') {
      const keys = new Map<string, string>();
      for (const [idKey, doc] of this.docs) {
        for (const e of index.keysOf(doc)) {
          const owner = keys.get(e.key);
          if (owner !== undefined && owner !== idKey) throw index.duplicateKeyError(this.ns, e);
          keys.set(e.key, idKey);
        }
      }
      this.uniqueKeys.set(index.name, keys);
    }
    this.indexes.set(index.name, index);
  }

  dropIndex(name: string): void {
    if (name === '_id_') throw CommandError.of('InvalidOptions', 'cannot drop _id index');
    this.indexes.delete(name);
    this.uniqueKeys.delete(name);
  }

  dropAllIndexes(): void {
    for (const name of Array.from(this.indexes.keys())) if (name !== '_id_') this.dropIndex(name);
  }
}
