/**
 * One collection in memory: documents in natural (insertion) order keyed by `_id`, and its
 * indexes. Unique indexes are enforced here. Stored documents are never mutated: an update
 * stores a new object, so open cursors keep the snapshot they were created with.
 */
import { UUID, type Document } from 'bson';
import { CommandError } from './errors';
import { IndexSpec, type IndexKeyEntry } from './indexSpec';
import { isScalar, pinIds } from './idPin';
import { canonicalKey } from './keys';

/** The candidates of a filter and the part of the filter still to test on them. */
export interface Narrowed {
  docs: Document[];
  /** The filter to apply to `docs` (the original one, or with an exact `_id` pin removed). */
  filter: Document | undefined;
}

const ID_INDEX: Document = { v: 2, key: { _id: 1 }, name: '_id_' };

export class Collection {
  readonly uuid = new UUID();
  private readonly docs = new Map<string, Document>();
  /** Insertion sequence per `_id` key: the natural order of `docs`, for sorting candidates. */
  private readonly seq = new Map<string, number>();
  private nextSeq = 0;
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
    return this.narrow(filter).docs;
  }

  /**
   * The candidates of `filter` (see candidates) and the filter that selects the matching ones
   * among them: for an exact `_id` pin (see idPin.ts) the pinned conjunct is already decided.
   * Pins found in `$or` give candidates in natural order, other `_id` pins in the pinned order.
   */
  narrow(filter: Document | undefined): Narrowed {
    if (!filter) return { docs: this.all(), filter };
    const pin = pinIds(filter);
    if (pin) {
      const docs = this.lookup(pin.values, pin.fromOr);
      if (!pin.stripped) return { docs, filter };
      return { docs: docs.filter((d) => typeof d._id === 'string' || typeof d._id === 'number'), filter: pin.residual };
    }
    for (const [name, keys] of this.uniqueKeys) {
      const index = this.indexes.get(name)!;
      if (index.fields.length !== 1 || index.spec.sparse || index.spec.partialFilterExpression) continue;
      const v = filter[index.fields[0]];
      if (!isScalar(v)) continue;
      const owner = keys.get('\u0000' + canonicalKey(v));
      const doc = owner === undefined ? undefined : this.docs.get(owner);
      return { docs: doc ? [doc] : [], filter };
    }
    return { docs: this.all(), filter };
  }

  /** The stored documents with these `_id` values (each once), in the values' order or in natural order. */
  private lookup(values: unknown[], natural: boolean): Document[] {
    const keys = new Set<string>();
    for (const v of values) keys.add(canonicalKey(v));
    if (!natural) {
      const out: Document[] = [];
      for (const key of keys) {
        const doc = this.docs.get(key);
        if (doc) out.push(doc);
      }
      return out;
    }
    // Many values: one pass over the documents in natural order beats sorting the hits.
    if (keys.size * 8 >= this.docs.size) {
      const out: Document[] = [];
      for (const [key, doc] of this.docs) if (keys.has(key)) out.push(doc);
      return out;
    }
    const found: Array<[number, Document]> = [];
    for (const key of keys) {
      const doc = this.docs.get(key);
      if (doc) found.push([this.seq.get(key)!, doc]);
    }
    return found.sort((x, y) => x[0] - y[0]).map(([, d]) => d);
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
    this.seq.set(idKey, this.nextSeq++);
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
    this.seq.delete(idKey);
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
