/**
 * One collection in memory: records in natural (insertion) order and its ordered indexes, the
 * `_id` index included (lookups by `_id` are a binary search in it: no hash map per document).
 * Stored documents are never mutated: an update stores a new object in the same record, so open
 * cursors keep the snapshot they were created with, and index entries whose keys did not change
 * stay where they are.
 */
import { UUID, type Document } from 'bson';
import { CommandError } from '../errors';
import { compileValidator, type CollectionValidator } from '../validation/validator';
import { IndexSpec, sameKeys } from './indexSpec';
import { canonicalKey } from './keys';
import type { Rec } from './orderedIndex';

const ID_INDEX: Document = { v: 2, key: { _id: 1 }, name: '_id_' };

export class Collection {
  readonly uuid = new UUID();
  /** Records in insertion order; removed ones are marked and compacted away in bulk. */
  private natural: Rec[] = [];
  private removed = 0;
  private nextSeq = 0;
  private readonly indexes = new Map<string, IndexSpec>([['_id_', new IndexSpec(ID_INDEX)]]);

  private compiledValidator?: { options: Document; validator: CollectionValidator | undefined };

  constructor(
    readonly db: string,
    readonly name: string,
    /** The options it was created with (and collMod changed), shown by listCollections. */
    public options: Document = {},
  ) {}

  /** The validator its options describe (compiled once per options object). */
  get validator(): CollectionValidator | undefined {
    if (this.compiledValidator?.options !== this.options) {
      this.compiledValidator = { options: this.options, validator: compileValidator(this.options) };
    }
    return this.compiledValidator.validator;
  }

  /** The same records and indexes under a new name (renameCollection). */
  renamed(db: string, name: string): Collection {
    const moved = new Collection(db, name, this.options);
    moved.natural = this.natural;
    moved.removed = this.removed;
    moved.nextSeq = this.nextSeq;
    moved.indexes.clear();
    for (const [k, v] of this.indexes) moved.indexes.set(k, v);
    return moved;
  }

  get ns(): string {
    return `${this.db}.${this.name}`;
  }

  get size(): number {
    return this.natural.length - this.removed;
  }

  /** All documents in natural order. */
  all(): Document[] {
    const out: Document[] = [];
    for (const r of this.natural) if (!r.removed) out.push(r.doc);
    return out;
  }

  /** All records in natural order (a snapshot: writes during the iteration do not disturb it). */
  *records(reverse = false): Generator<Rec> {
    const list = this.natural;
    const n = list.length;
    if (!reverse) {
      for (let i = 0; i < n; i++) if (!list[i].removed) yield list[i];
    } else {
      for (let i = n - 1; i >= 0; i--) if (!list[i].removed) yield list[i];
    }
  }

  recordById(id: unknown): Rec | undefined {
    for (const [, rec] of this.idIndex.entries.range({ key: id, inclusive: true }, { key: id, inclusive: true })) return rec;
    return undefined;
  }

  byId(id: unknown): Document | undefined {
    return this.recordById(id)?.doc;
  }

  get idIndex(): IndexSpec {
    return this.indexes.get('_id_')!;
  }

  /** The secondary indexes (every index but `_id_`). */
  secondaryIndexes(): IndexSpec[] {
    return Array.from(this.indexes.values()).filter((i) => i.name !== '_id_');
  }

  /** Stores a new document (its `_id` set). Throws DuplicateKey (11000) without storing. */
  insert(doc: Document): Rec {
    if (this.recordById(doc._id)) throw this.idIndex.duplicateKeyError(this.ns, doc._id);
    const rec: Rec = { doc, seq: this.nextSeq++ };
    const secondary = this.secondaryIndexes();
    const keys = secondary.map((index) => index.keysOf(doc));
    secondary.forEach((index, i) => index.checkUnique(this.ns, keys[i], undefined));
    this.natural.push(rec);
    this.idIndex.add([doc._id], rec);
    secondary.forEach((index, i) => index.add(keys[i], rec));
    return rec;
  }

  /** Replaces a stored document by a new version with the same `_id`. Throws DuplicateKey. */
  replace(previous: Document, next: Document): void {
    const rec = this.recordById(previous._id);
    if (!rec) throw CommandError.of('InternalError', `no stored document with _id ${String(previous._id)}`);
    const changes: Array<[IndexSpec, unknown[], unknown[]]> = [];
    for (const index of this.secondaryIndexes()) {
      const before = index.keysOf(rec.doc);
      const after = index.keysOf(next);
      if (sameKeys(before, after)) continue;
      index.checkUnique(this.ns, after, rec);
      changes.push([index, before, after]);
    }
    for (const [index, before, after] of changes) {
      index.delete(before, rec);
      index.add(after, rec);
    }
    rec.doc = next;
  }

  remove(doc: Document): void {
    const rec = this.recordById(doc._id);
    if (!rec) return;
    for (const index of this.indexes.values()) index.delete(index.name === '_id_' ? [rec.doc._id] : index.keysOf(rec.doc), rec);
    rec.removed = true;
    // Compact once half of the list is removed records (amortised O(1) per removal).
    if (++this.removed > 64 && this.removed * 2 > this.natural.length) {
      this.natural = this.natural.filter((r) => !r.removed);
      this.removed = 0;
    }
  }

  /** Removes every document, keeping the indexes' definitions. */
  clear(): void {
    for (const r of this.natural) r.removed = true;
    this.natural = [];
    this.removed = 0;
    for (const index of this.indexes.values()) index.entries.clear();
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

  /** The index with exactly this key pattern (field order and directions), if any. */
  findIndexByKey(key: Document): IndexSpec | undefined {
    const wanted = canonicalKey(key);
    for (const index of this.indexes.values()) if (canonicalKey(index.spec.key) === wanted) return index;
    return undefined;
  }

  /** Adds an index, building it over the existing documents (DuplicateKey if a unique one collides). */
  addIndex(spec: Document): void {
    const index = new IndexSpec(spec);
    for (const rec of this.records()) {
      const keys = index.keysOf(rec.doc);
      index.checkUnique(this.ns, keys, rec);
      index.add(keys, rec);
    }
    this.indexes.set(index.name, index);
  }

  dropIndex(name: string): void {
    if (name === '_id_') throw CommandError.of('InvalidOptions', 'cannot drop _id index');
    this.indexes.delete(name);
  }

  dropAllIndexes(): void {
    for (const name of Array.from(this.indexes.keys())) if (name !== '_id_') this.dropIndex(name);
  }
}
