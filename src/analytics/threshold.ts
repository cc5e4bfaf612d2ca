/**
 * The suppression rule (docs/analytics.md). The database groups the consenting customers into
 * atoms: customers with the same value on every dimension the purpose may read (preferences as a
 * whole list). A customer is counted only if, in every table of MAX_DIMENSIONS dimensions a query
 * could ask for, each cell they fall in holds at least k counted customers; customers who fail are
 * left out of every answer, and the test repeats until nobody else fails. The counted population
 * does not depend on the query, so every published count is a sum over the same counted customers:
 * differencing two answers (with and without a filter, one dimension less) gives a difference of
 * counted cells, never a suppressed one.
 */
/** A dimension's name (StatDimension values): the rule needs nothing else of it. */
type StatDimension = string;

/** The most dimensions a query may name, in groupBy and filter together. */
export const MAX_DIMENSIONS = 3;

/** Customers with the same stored value on every dimension (a multi-valued dimension: its list of values). */
export interface Atom {
  values: Readonly<Partial<Record<StatDimension, readonly string[]>>>;
  ids: readonly string[];
}

/** The subsets of `dims` of size `size` (all of them when there are fewer). */
export function tablesOf(dims: readonly StatDimension[], size = MAX_DIMENSIONS): StatDimension[][] {
  if (dims.length <= size) return [[...dims]];
  const out: StatDimension[][] = [];
  const walk = (from: number, acc: StatDimension[]) => {
    if (acc.length === size) return void out.push([...acc]);
    for (let i = from; i < dims.length; i += 1) walk(i + 1, [...acc, dims[i]!]);
  };
  walk(0, []);
  return out;
}

/** The cells of `table` an atom falls in (one per combination of its values). */
export function cellKeys(atom: Atom, table: readonly StatDimension[]): string[] {
  let keys = [''];
  for (const dim of table) {
    const values = atom.values[dim]!;
    keys = keys.flatMap((k) => values.map((v) => `${k}\u0000${v}`));
  }
  return keys;
}

/** The atoms counted and the atoms left out, at the fixpoint of the rule. */
export function countedAtoms(atoms: readonly Atom[], dims: readonly StatDimension[], k: number): { counted: Atom[]; left: Atom[] } {
  const tables = tablesOf(dims);
  // The cells of each atom in each table do not change from round to round: computed once.
  const cells = new Map(atoms.map((a) => [a, tables.map((t) => cellKeys(a, t))]));
  let counted = [...atoms];
  const left: Atom[] = [];
  for (;;) {
    const failing = new Set<Atom>();
    tables.forEach((_, t) => {
      const sizes = new Map<string, number>();
      for (const atom of counted) for (const key of cells.get(atom)![t]!) sizes.set(key, (sizes.get(key) ?? 0) + atom.ids.length);
      for (const atom of counted) if (cells.get(atom)![t]!.some((key) => sizes.get(key)! < k)) failing.add(atom);
    });
    if (failing.size === 0) return { counted, left };
    left.push(...failing);
    counted = counted.filter((a) => !failing.has(a));
  }
}
