/** customerStats: counts of consenting customers by group, computed in the database, withheld below k. */
import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../core/context';
import { aggregateVisible, CustomerFilter } from '../customers';
import { ALL_DIMENSIONS, blindLabels, DIMENSIONS, labelOf, NONE, StatDimension } from './dimensions';
import { checkStatsRequest } from './request';
import { countedAtoms, type Atom } from './threshold';
import { CustomerStats, type StatCell } from './types';

type Grouped = { _id: Record<string, string | string[] | null>; ids: string[] };

@Resolver()
export class StatsResolver {
  @Query(() => CustomerStats, { description: 'Counts of the customers you may read, grouped by 1 to 3 dimensions; groups below k are withheld (docs/analytics.md).' })
  async customerStats(
    @Arg('groupBy', () => [StatDimension]) groupBy: StatDimension[],
    @Ctx() ctx: RequestContext,
    @Arg('filter', () => CustomerFilter, { nullable: true }) filter?: CustomerFilter,
  ): Promise<CustomerStats> {
    const request = checkStatsRequest(ctx, groupBy, filter);
    const k = ctx.purpose!.k;
    // The rule looks at every dimension the purpose may read, whatever this query names (threshold.ts).
    const dims = ALL_DIMENSIONS.filter((d) => ctx.guard.readable('Customer', DIMENSIONS[d].readable));
    const key = Object.fromEntries(dims.map((d) => [d, { $ifNull: [DIMENSIONS[d].stored, DIMENSIONS[d].multi ? [] : null] }]));
    const grouped = await aggregateVisible<Grouped>(ctx, [{ $group: { _id: key, ids: { $push: '$_id' } } }]);
    const atoms: Atom[] = grouped.map((g) => ({
      ids: g.ids,
      values: Object.fromEntries(dims.map((d) => {
        const v = g._id[d];
        return [d, Array.isArray(v) ? (v.length ? [...new Set(v)] : [NONE]) : [v ?? NONE]];
      })),
    }));
    const { counted, left } = countedAtoms(atoms, dims, k);
    const inFilter = (a: Atom) => Object.entries(request.where).every(([d, v]) => a.values[d as StatDimension]![0] === v);
    // The log: every customer of the filtered population, counted or left out, with the attributes grouped.
    for (const atom of atoms) if (inFilter(atom)) for (const id of atom.ids) ctx.log.read('Customer', id, request.fieldsRead);
    const labels = blindLabels(ctx.services.index);
    const cells = new Map<string, StatCell>();
    for (const atom of counted.filter(inFilter)) {
      let combos: string[][] = [[]];
      for (const d of request.groupBy) combos = combos.flatMap((c) => atom.values[d]!.map((v) => [...c, labelOf(d, v === NONE ? null : v, labels)]));
      for (const values of combos) {
        const id = values.join('\u0000');
        const cell = cells.get(id) ?? { values, count: 0 };
        cell.count += atom.ids.length;
        cells.set(id, cell);
      }
    }
    return {
      k,
      suppressedCells: left.length,
      suppressedRows: left.reduce((n, a) => n + a.ids.length, 0),
      // Every cell is at least k by the rule; the check stays, so a mistake fails closed.
      cells: [...cells.values()].filter((c) => c.count >= k).sort((a, b) => a.values.join('\u0000').localeCompare(b.values.join('\u0000'))),
    };
  }
}
