/**
 * One index: its definition as listIndexes shows it, and its ordered entries. An entry's key is the
 * field's value for a single-field index and an array of values (one per field) for a compound
 * one; a multikey document has one entry per distinct key (compound: every combination).
 * Uniqueness is enforced here, partial and sparse indexes leave documents out.
 */
import type { Document } from 'bson';
import { CommandError } from '../errors';
import { compileFilter } from '../query/mingoEngine';
import { compareValues } from './bsonOrder';
import { canonicalKey, displayValue, indexKeysAtPath } from './keys';
import { decodeKey, encodeKey } from './keyString';
import { OrderedIndex, type Rec } from './orderedIndex';

export class IndexSpec {
  readonly name: string;
  readonly fields: string[];
  /** 1 or -1 per field. */
  readonly directions: number[];
  readonly unique: boolean;
  readonly sparse: boolean;
  readonly partial: boolean;
  readonly entries: OrderedIndex;
  /** Fields for which some document produced several keys or crossed an array (mongod's multikey paths). */
  readonly multikeyFields = new Set<string>();
  private readonly partialFilter?: (doc: Document) => boolean;

  /** `spec` is stored and returned by listIndexes verbatim (with `v: 2`). */
  constructor(readonly spec: Document) {
    this.name = String(spec.name);
    const key = spec.key as Document;
    this.fields = Object.keys(key);
    this.directions = this.fields.map((f) => (Number(key[f]) < 0 ? -1 : 1));
    this.unique = spec.unique === true || spec.unique === 1 || this.name === '_id_';
    this.sparse = spec.sparse === true || spec.sparse === 1;
    this.partial = !!spec.partialFilterExpression;
    if (spec.partialFilterExpression) this.partialFilter = compileFilter(spec.partialFilterExpression as Document);
    const single = this.fields.length === 1;
    const dirs = this.directions;
    const rawCompare = (x: unknown[], y: unknown[], n: number): number => {
      for (let i = 0; i < n; i++) {
        const c = compareValues(x[i], y[i]);
        if (c) return c * dirs[i];
      }
      return 0;
    };
    const boundCodes = new WeakMap<object, string | null>();
    const boundCode = (bound: unknown[]): string | null => {
      let code = boundCodes.get(bound);
      if (code === undefined) boundCodes.set(bound, (code = encodeKey(bound, dirs.slice(0, bound.length)) ?? null));
      return code;
    };
    const compareKeys = single
      ? dirs[0] === 1
        ? (a: unknown, b: unknown) => compareValues(a, b)
        : (a: unknown, b: unknown) => compareValues(b, a)
      : (a: unknown, b: unknown) => {
          if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
          return rawCompare(this.rawKey(a) as unknown[], this.rawKey(b) as unknown[], dirs.length);
        };
    const compareBound = single
      ? compareKeys
      : (entry: unknown, bound: unknown) => {
          const b = bound as unknown[];
          if (typeof entry === 'string') {
            const code = boundCode(b);
            if (code !== null) return entry.startsWith(code) ? 0 : entry < code ? -1 : 1;
          }
          return rawCompare(this.rawKey(entry) as unknown[], b, b.length);
        };
    this.entries = new OrderedIndex(compareKeys, compareBound);
  }

  /** How a key is stored: compound keys of common types as an order-preserving string. */
  private storedKey(key: unknown): unknown {
    if (this.fields.length === 1) return key;
    return encodeKey(key as unknown[], this.directions) ?? key;
  }

  /** A stored key as values: the field's value, or one value per field for a compound index. */
  rawKey(stored: unknown): unknown {
    return typeof stored === 'string' && this.fields.length > 1 ? decodeKey(stored, this.directions) : stored;
  }

  /** Whether the index holds TTL semantics (single date field, `expireAfterSeconds`). */
  get expireAfterSeconds(): number | undefined {
    const v = this.spec.expireAfterSeconds;
    return typeof v === 'number' && this.fields.length === 1 ? v : undefined;
  }

  get hidden(): boolean {
    return this.spec.hidden === true;
  }

  /** The distinct keys of a document, or none when the document is not in this index. */
  keysOf(doc: Document): unknown[] {
    if (this.partialFilter && !this.partialFilter(doc)) return [];
    const perField = this.fields.map((f) => indexKeysAtPath(doc, f));
    if (this.sparse && perField.every((p) => !p.present)) return [];
    perField.forEach((p, i) => {
      if (p.multikey) this.multikeyFields.add(this.fields[i]);
    });
    if (perField.length === 1) {
      const values = perField[0].values;
      if (values.length === 1) return values;
      return dedupe(values, (v) => canonicalKey(v));
    }
    let combos: unknown[][] = [[]];
    for (const { values } of perField) {
      const next: unknown[][] = [];
      for (const c of combos) for (const v of values) next.push([...c, v]);
      combos = next;
    }
    return combos.length === 1 ? combos : dedupe(combos, (c) => canonicalKey(c));
  }

  /** Throws DuplicateKey when a unique index already holds one of `keys` for another record. */
  checkUnique(ns: string, keys: unknown[], self: Rec | undefined): void {
    if (!this.unique) return;
    for (const key of keys) {
      for (const [, rec] of this.entries.range({ key, inclusive: true }, { key, inclusive: true })) {
        if (rec !== self) throw this.duplicateKeyError(ns, key);
      }
    }
  }

  add(keys: unknown[], rec: Rec): void {
    for (const k of keys) this.entries.insert(this.storedKey(k), rec);
  }

  delete(keys: unknown[], rec: Rec): void {
    for (const k of keys) this.entries.remove(this.storedKey(k), rec);
  }

  duplicateKeyError(ns: string, key: unknown): CommandError {
    const values = this.fields.length === 1 ? [key] : (key as unknown[]);
    const keyValue: Document = {};
    this.fields.forEach((f, i) => (keyValue[f] = values[i] ?? null));
    const shown = this.fields.map((f, i) => `${f}: ${displayValue(values[i])}`).join(', ');
    return CommandError.of('DuplicateKey', `E11000 duplicate key error collection: ${ns} index: ${this.name} dup key: { ${shown} }`, {
      keyPattern: this.spec.key,
      keyValue,
    });
  }
}

function dedupe<T>(values: T[], key: (v: T) => string): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const v of values) {
    const k = key(v);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(v);
    }
  }
  return out;
}

/** The default index name for a key pattern: `email_1`, `a_1_b_-1`. */
export function defaultIndexName(key: Document): string {
  return Object.entries(key).map(([k, v]) => `${k}_${String(v)}`).join('_');
}

/** Whether two key lists (from `keysOf`) are the same keys in the same order. */
export function sameKeys(a: unknown[], b: unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && compareValues(a[i], b[i]) !== 0) return false;
  return true;
}
