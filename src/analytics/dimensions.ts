/**
 * The dimensions customerStats groups by: the attribute each one needs read permission on, the stored
 * field the database groups (commercial attributes in clear; country and birth decade by their
 * keyed blind indexes, since the attributes themselves are encrypted per customer), and how a
 * grouped value is shown (a blind index is mapped back over the few values it can take).
 */
import { registerEnumType } from 'type-graphql';
import type { BlindIndexer } from '../core/context';
import { ISO_3166_ALPHA2 } from '../customers';

export enum StatDimension {
  SEGMENT = 'SEGMENT',
  COUNTRY = 'COUNTRY',
  LOYALTY_TIER = 'LOYALTY_TIER',
  BIRTH_DECADE = 'BIRTH_DECADE',
  PREFERENCE = 'PREFERENCE',
}
registerEnumType(StatDimension, { name: 'StatDimension', description: 'What customerStats groups customers by.' });

/** Shown for a customer without the attribute. */
export const NONE = 'none';
/** Shown for a stored value no label maps to (a blind index of another key). */
export const UNKNOWN = 'unknown';

export interface DimensionDef {
  /** The attribute the caller must be allowed to read (policies/fields.yaml path). */
  readable: string;
  /** The stored field grouped, as an aggregation expression. */
  stored: string;
  /** Several values per customer (preferences): a customer counts once in each. */
  multi: boolean;
}

export const DIMENSIONS: Readonly<Record<StatDimension, DimensionDef>> = {
  SEGMENT: { readable: 'segment', stored: '$segment', multi: false },
  COUNTRY: { readable: 'address.country', stored: '$idx.country', multi: false },
  LOYALTY_TIER: { readable: 'loyaltyTier', stored: '$loyaltyTier', multi: false },
  // The decade is coarser than the birth year the analyst may read.
  BIRTH_DECADE: { readable: 'birthYear', stored: '$idx.birthDecade', multi: false },
  PREFERENCE: { readable: 'preferences', stored: '$preferences', multi: true },
};

export const ALL_DIMENSIONS = Object.keys(DIMENSIONS) as StatDimension[];

const labelCache = new WeakMap<BlindIndexer, { year: number; labels: Map<string, string> }>();

/** Labels of the blind-indexed dimensions: index value → country code or decade (`1980s`). Computed once per index key and year. */
export function blindLabels(index: BlindIndexer, now = new Date()): ReadonlyMap<string, string> {
  const cached = labelCache.get(index);
  if (cached && cached.year === now.getUTCFullYear()) return cached.labels;
  const labels = new Map<string, string>();
  for (const code of ISO_3166_ALPHA2) labels.set(`COUNTRY:${index.of('country', code)}`, code);
  for (let y = 1800; y <= now.getUTCFullYear(); y += 10) {
    const decade = `${String(y).slice(0, 3)}0s`;
    labels.set(`BIRTH_DECADE:${index.of('birthDecade', decade)}`, decade);
  }
  labelCache.set(index, { year: now.getUTCFullYear(), labels });
  return labels;
}

/** How a stored value is shown. */
export function labelOf(dim: StatDimension, stored: string | null, labels: ReadonlyMap<string, string>): string {
  if (stored == null || stored === '') return NONE;
  if (dim === 'COUNTRY' || dim === 'BIRTH_DECADE') return labels.get(`${dim}:${stored}`) ?? UNKNOWN;
  return stored;
}
