/** Small helpers of the report. */
import type { FieldDef } from '../core/policyModel';

/** Attribute path → category (policies/fields.yaml). */
export type CategoryLookup = ReadonlyMap<string, Pick<FieldDef, 'category'>>;

/**
 * The category of an attribute read: its own, or its leaves' when it names a parent (`address`);
 * `id` for the customer id alone, `other` for a name the catalogue does not hold.
 */
export function categoryOf(fields: CategoryLookup, path: string): string {
  if (path === 'id') return 'id';
  const own = fields.get(path);
  if (own) return own.category;
  for (const [leaf, def] of fields) if (leaf.startsWith(`${path}.`)) return def.category;
  return 'other';
}

/** Grouped rows, largest count first, then by key. */
export function byCountDesc<T extends { _id: string; n: number }>(rows: readonly T[]): T[] {
  return [...rows].sort((a, b) => b.n - a.n || String(a._id).localeCompare(String(b._id)));
}

/** Grouped rows `{ _id, n }` as a map from key to count. */
export function countsOf(rows: ReadonlyArray<{ _id: unknown; n: number }> | undefined): Map<string, number> {
  return new Map((rows ?? []).map((r) => [String(r._id), r.n]));
}
