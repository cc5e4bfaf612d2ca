/**
 * An index definition as listIndexes shows it, plus what is needed to enforce uniqueness:
 * the keys a document produces (multikey: one per array element, compound: every combination).
 */
import type { Document } from 'bson';
import { CommandError } from './errors';
import { canonicalKey, displayValue, valuesAtPath } from './keys';
import { compileFilter } from './mingoEngine';

export interface IndexKeyEntry {
  key: string;
  /** The values per field, for the duplicate-key message. */
  values: unknown[];
}

export class IndexSpec {
  readonly name: string;
  readonly fields: string[];
  readonly unique: boolean;
  private readonly sparse: boolean;
  private readonly partial?: (doc: Document) => boolean;

  /** `spec` is stored and returned by listIndexes verbatim (with `v: 2`). */
  constructor(readonly spec: Document) {
    this.name = String(spec.name);
    this.fields = Object.keys(spec.key as Document);
    this.unique = spec.unique === true || spec.unique === 1 || this.name === '_id_';
    this.sparse = spec.sparse === true || spec.sparse === 1;
    if (spec.partialFilterExpression) this.partial = compileFilter(spec.partialFilterExpression as Document);
  }

  /** The index keys of a document, or none when the document is not in this index. */
  keysOf(doc: Document): IndexKeyEntry[] {
    if (this.partial && !this.partial(doc)) return [];
    const perField = this.fields.map((f) => valuesAtPath(doc, f));
    if (this.sparse && perField.every((p) => !p.present)) return [];
    let combos: IndexKeyEntry[] = [{ key: '', values: [] }];
    for (const { values } of perField) {
      const next: IndexKeyEntry[] = [];
      for (const c of combos) {
        for (const v of values) next.push({ key: c.key + '\u0000' + canonicalKey(v ?? null), values: [...c.values, v ?? null] });
      }
      combos = next;
    }
    const seen = new Set<string>();
    return combos.filter((c) => (seen.has(c.key) ? false : (seen.add(c.key), true)));
  }

  duplicateKeyError(ns: string, entry: IndexKeyEntry): CommandError {
    const keyValue: Document = {};
    this.fields.forEach((f, i) => (keyValue[f] = entry.values[i]));
    const shown = this.fields.map((f, i) => `${f}: ${displayValue(entry.values[i])}`).join(', ');
    return CommandError.of('DuplicateKey', `E11000 duplicate key error collection: ${ns} index: ${this.name} dup key: { ${shown} }`, {
      keyPattern: this.spec.key,
      keyValue,
    });
  }
}

/** The default index name for a key pattern: `email_1`, `a_1_b_-1`. */
export function defaultIndexName(key: Document): string {
  return Object.entries(key).map(([k, v]) => `${k}_${String(v)}`).join('_');
}
