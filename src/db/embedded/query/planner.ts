/**
 * The query planner: which records a filter (and sort) reads, and in which order. It considers a
 * scan of every usable index (bounds from the filter's conjuncts, see predicates.ts), a union of
 * index scans for an `$or` whose every branch is indexed, and a collection scan, and picks the one
 * with the fewest entries to read. For a sort it also considers each index that yields the sort
 * order (after an equality prefix, either direction): with a limit, such a scan stops early.
 *
 * Plans read a superset of the matching records; the filter left to test (`consumed` removed)
 * decides. Ties of a sort answered by an index come in index order, as with mongod.
 */
import type { Document } from 'bson';
import type { Collection } from '../storage/collection';
import type { IndexSpec } from '../storage/indexSpec';
import type { Bound, Rec } from '../storage/orderedIndex';
import { admitsNull, boundsOf, conjunctsOf, intersect, within, type Bounds, type Conjunct, type Interval } from './predicates';
import type { SortField } from './sort';

interface PlanBase {
  /** Entries the plan reads at most (the collection size for a collection scan). */
  estimate: number;
  /** The records come in the requested sort order. */
  providesSort: boolean;
  /** Conjuncts the scan decides exactly: left out of the filter to test (owner → paths). */
  consumed: Map<Document, Set<string>>;
}

export interface CollScan extends PlanBase {
  kind: 'COLLSCAN';
  reverse: boolean;
}

export interface IndexScan extends PlanBase {
  kind: 'IXSCAN';
  index: IndexSpec;
  /** Key ranges in index order (lower, upper); scanned last to first when `reverse`. */
  ranges: Array<[Bound | null, Bound | null]>;
  reverse: boolean;
  /** Intervals checked on each entry's key, by index field position (fields past the ranges). */
  keyChecks: Array<[number, Interval[]]>;
  /** A record may have several entries (multikey): yield each once. */
  dedupe: boolean;
}

export interface OrScan extends PlanBase {
  kind: 'OR';
  branches: Array<IndexScan | OrScan>;
  /** Every branch is decided by its scan: the `$or` itself need not be tested. */
  exact: boolean;
}

export interface EmptyScan extends PlanBase {
  kind: 'EOF';
}

export type Plan = CollScan | IndexScan | OrScan | EmptyScan;

/** At most this many ranges per scan (e.g. `$in` lists × equality prefixes). */
const MAX_RANGES = 20_000;

export interface PlanRequest {
  filter?: Document;
  sort?: SortField[];
  /** `$natural` sort or hint: a collection scan in that direction. */
  natural?: 1 | -1;
  /** A hinted index: the plan uses it, whatever the filter. */
  hint?: IndexSpec;
  /** A non-simple collation: string bounds do not apply, index order is not the sort order. */
  collated?: boolean;
  /** skip + limit, when the caller stops after that many matches. */
  wanted?: number;
}

/** The conjuncts on one path and their bounds. */
interface PathConditions {
  conjuncts: Conjunct[];
  bounds: Bounds[];
}

type ByPath = Map<string, PathConditions>;

function byPath(conjuncts: Conjunct[]): ByPath {
  const out: ByPath = new Map();
  for (const c of conjuncts) {
    let entry = out.get(c.path);
    if (!entry) out.set(c.path, (entry = { conjuncts: [], bounds: [] }));
    entry.conjuncts.push(c);
    entry.bounds.push(boundsOf(c.cond));
  }
  return out;
}

/** The intervals for one index field: all operators intersected, or one of them on a multikey field. */
function fieldIntervals(entry: PathConditions | undefined, multikey: boolean): Interval[] | undefined {
  if (!entry) return undefined;
  const ops = entry.bounds.flatMap((b) => b.ops);
  if (ops.length === 0) return undefined;
  if (multikey) return (ops.find((o) => o.points) ?? ops[0]).intervals;
  let out = ops[0].intervals;
  for (let i = 1; i < ops.length; i++) out = intersect(out, ops[i].intervals);
  return out;
}

function isPoint(i: Interval): boolean {
  return i.loInc && i.hiInc && i.lo === i.hi;
}

type Mode = 'filter' | 'sort' | 'hint';

function empty(): Map<Document, Set<string>> {
  return new Map();
}

/** The scan of `index` for the filter's conjuncts, or undefined when the index does not help. */
function indexScan(index: IndexSpec, paths: ByPath, mode: Mode, collated: boolean, cap: number): IndexScan | EmptyScan | undefined {
  const n = index.fields.length;
  const perField = index.fields.map((f) => (collated ? undefined : fieldIntervals(paths.get(f), index.multikeyFields.has(f))));
  if (mode !== 'hint') {
    if (index.partial || index.hidden) return undefined;
    if (mode === 'filter' && perField[0] === undefined) return undefined;
    if (index.sparse && (perField[0] === undefined || admitsNull(perField[0]))) return undefined;
  }
  if (perField.some((iv) => iv !== undefined && iv.length === 0)) {
    return { kind: 'EOF', estimate: 0, providesSort: true, consumed: empty() };
  }
  // Leading fields pinned to points: their combinations prefix every range.
  let prefixes: unknown[][] = [[]];
  let used = 0;
  while (used < n) {
    const iv = perField[used];
    if (!iv || !iv.every(isPoint) || prefixes.length * iv.length > MAX_RANGES) break;
    const values = iv.map((p) => p.lo);
    if (index.directions[used] < 0) values.reverse();
    const next: unknown[][] = [];
    for (const p of prefixes) for (const v of values) next.push([...p, v]);
    prefixes = next;
    used++;
  }
  // Then at most one field with ranges.
  let rangeIntervals: Interval[] | undefined;
  if (used < n && perField[used] && prefixes.length * perField[used]!.length <= MAX_RANGES) {
    rangeIntervals = perField[used]!.slice();
    if (index.directions[used] < 0) {
      rangeIntervals = rangeIntervals.reverse().map((i) => ({ lo: i.hi, loInc: i.hiInc, hi: i.lo, hiInc: i.loInc }));
    }
    used++;
  }
  const single = n === 1;
  const keyOf = (parts: unknown[]): unknown => (single ? parts[0] : parts);
  const ranges: Array<[Bound | null, Bound | null]> = [];
  for (const p of prefixes) {
    if (rangeIntervals) {
      for (const r of rangeIntervals) ranges.push([{ key: keyOf([...p, r.lo]), inclusive: r.loInc }, { key: keyOf([...p, r.hi]), inclusive: r.hiInc }]);
    } else if (p.length === 0) {
      ranges.push([null, null]);
    } else {
      ranges.push([{ key: keyOf(p), inclusive: true }, { key: keyOf(p), inclusive: true }]);
    }
  }
  const keyChecks: Array<[number, Interval[]]> = [];
  for (let j = used; j < n; j++) if (perField[j]) keyChecks.push([j, perField[j]!]);

  let estimate = 0;
  if (index.unique && used === n && !rangeIntervals && prefixes[0].length === n) {
    // Whole-key points of a unique index: each holds at most one entry (an upper bound, no search).
    estimate = ranges.length;
  } else {
    for (const [lo, hi] of ranges) {
      estimate += index.entries.countRange(lo, hi, cap - estimate);
      if (estimate > cap) break;
    }
  }
  const consumed = empty();
  index.fields.forEach((f, j) => {
    const entry = paths.get(f);
    if (!entry || !perField[j]) return;
    const exact = !index.multikeyFields.has(f) && entry.bounds.every((b) => b.complete && b.ops.every((o) => o.exact));
    if (!exact) return;
    for (const c of entry.conjuncts) {
      let set = consumed.get(c.owner);
      if (!set) consumed.set(c.owner, (set = new Set()));
      set.add(c.path);
    }
  });
  return {
    kind: 'IXSCAN',
    index,
    ranges,
    reverse: false,
    keyChecks,
    dedupe: index.multikeyFields.size > 0,
    estimate,
    providesSort: false,
    consumed,
  };
}

/** 1: the index scanned forward yields `sort`; -1: scanned backward; undefined: it cannot. */
function sortDirection(index: IndexSpec, scan: IndexScan, paths: ByPath, sort: SortField[]): 1 | -1 | undefined {
  // Fields pinned to a single point before the sort fields leave the order to the fields after them.
  let pinned = 0;
  while (pinned < index.fields.length) {
    const iv = fieldIntervals(paths.get(index.fields[pinned]), index.multikeyFields.has(index.fields[pinned]));
    if (!iv || iv.length !== 1 || !isPoint(iv[0])) break;
    pinned++;
  }
  for (let j = 0; j <= pinned; j++) {
    if (j + sort.length > index.fields.length) break;
    let dir: 1 | -1 | undefined;
    let ok = true;
    for (let t = 0; t < sort.length && ok; t++) {
      const field = index.fields[j + t];
      if (field !== sort[t].path || index.multikeyFields.has(field)) ok = false;
      else {
        const r = (index.directions[j + t] * sort[t].dir) as 1 | -1;
        if (dir === undefined) dir = r;
        else if (dir !== r) ok = false;
      }
    }
    if (ok && dir) return dir;
  }
  return undefined;
}

function orScan(coll: Collection, branches: Document[], collated: boolean, cap: number): OrScan | undefined {
  const plans: Array<IndexScan | OrScan> = [];
  let estimate = 0;
  let exact = true;
  for (const branch of branches) {
    const p = choose(coll, { filter: branch, collated }, cap - estimate);
    if (p.kind === 'COLLSCAN') return undefined;
    if (p.kind === 'EOF') continue;
    plans.push(p);
    estimate += p.estimate;
    if (estimate > cap) return undefined;
    const { fields, ors } = conjunctsOf(branch);
    const decided = fields.every((c) => p.consumed.get(c.owner)?.has(c.path)) && ors.every((o) => p.consumed.get(o.owner)?.has('$or'));
    const other = Object.keys(branch).some((k) => k.startsWith('$') && k !== '$and' && k !== '$or');
    if (!decided || other) exact = false;
  }
  return { kind: 'OR', branches: plans, estimate, providesSort: false, consumed: empty(), exact };
}

/** The plan for a request. */
export function choose(coll: Collection, req: PlanRequest, cap = Infinity): Plan {
  const collscan = (reverse = false): CollScan => ({
    kind: 'COLLSCAN',
    reverse,
    estimate: coll.size,
    providesSort: !req.sort,
    consumed: empty(),
  });
  if (req.natural) return { ...collscan(req.natural < 0), providesSort: true };
  const { fields, ors } = conjunctsOf(req.filter ?? {});
  const paths = byPath(fields);
  const collated = req.collated === true;
  const sort = req.sort && req.sort.length ? req.sort : undefined;

  if (req.hint) {
    const scan = indexScan(req.hint, paths, 'hint', collated, Infinity)!;
    if (scan.kind === 'IXSCAN' && sort && !collated) {
      const dir = sortDirection(req.hint, scan, paths, sort);
      if (dir) return { ...scan, reverse: dir < 0, providesSort: true };
    }
    return { ...scan, providesSort: scan.kind === 'EOF' || !sort };
  }

  const indexes = [coll.idIndex, ...coll.secondaryIndexes()];
  let best: Plan | undefined;
  for (const index of indexes) {
    const scan = indexScan(index, paths, 'filter', collated, Math.min(cap, best?.estimate ?? Infinity));
    if (!scan) continue;
    if (scan.kind === 'EOF') return scan;
    if (!best || scan.estimate < best.estimate) best = scan;
  }
  for (const or of ors) {
    if (best && best.estimate <= or.branches.length) break;
    const scan = orScan(coll, or.branches, collated, Math.min(cap, best?.estimate ?? coll.size));
    if (!scan) continue;
    if (scan.exact) scan.consumed.set(or.owner, new Set(['$or']));
    if (!best || scan.estimate < best.estimate) best = scan;
  }
  if (best && best.kind !== 'EOF' && best.estimate >= coll.size && !sort) best = undefined;

  if (sort && !collated) {
    let sorted: IndexScan | undefined;
    for (const index of indexes) {
      const scan = indexScan(index, paths, 'sort', collated, Math.min(cap, sorted?.estimate ?? Infinity));
      if (!scan || scan.kind !== 'IXSCAN') continue;
      const dir = sortDirection(index, scan, paths, sort);
      if (!dir) continue;
      if (!sorted || scan.estimate < sorted.estimate) sorted = { ...scan, reverse: dir < 0, providesSort: true };
    }
    if (sorted) {
      const matches = Math.max(1, best ? best.estimate : coll.size);
      const sortCost = req.wanted ? Math.min(sorted.estimate, Math.ceil((req.wanted * sorted.estimate) / matches)) : sorted.estimate;
      const filterCost = best ? best.estimate * 2 : coll.size * 2;
      if (sortCost <= filterCost) return sorted;
    }
  }
  return best ?? collscan();
}

/** Whether a record's entry key passes the key checks of a scan. */
function keyPasses(scan: IndexScan, stored: unknown): boolean {
  const key = scan.index.rawKey(stored);
  for (const [j, intervals] of scan.keyChecks) {
    const v = scan.index.fields.length === 1 ? key : (key as unknown[])[j];
    if (!within(intervals, v)) return false;
  }
  return true;
}

/** What a run of a plan read, for explain's executionStats. */
export interface ScanStats {
  keysExamined: number;
  docsExamined: number;
}

/** The records a plan reads, in its order (each once). `stats` counts the work done. */
export function* records(coll: Collection, plan: Plan, stats?: ScanStats): Generator<Rec> {
  switch (plan.kind) {
    case 'EOF':
      return;
    case 'COLLSCAN':
      for (const rec of coll.records(plan.reverse)) {
        if (stats) stats.docsExamined++;
        yield rec;
      }
      return;
    case 'IXSCAN': {
      const seen = plan.dedupe ? new Set<Rec>() : undefined;
      const ranges = plan.reverse ? plan.ranges.slice().reverse() : plan.ranges;
      for (const [lo, hi] of ranges) {
        for (const [key, rec] of plan.index.entries.range(lo, hi, plan.reverse)) {
          if (stats) stats.keysExamined++;
          if (plan.keyChecks.length && !keyPasses(plan, key)) continue;
          if (seen) {
            if (seen.has(rec)) continue;
            seen.add(rec);
          }
          if (stats) stats.docsExamined++;
          yield rec;
        }
      }
      return;
    }
    case 'OR': {
      const found = new Set<Rec>();
      for (const branch of plan.branches) for (const rec of records(coll, branch, stats)) found.add(rec);
      yield* Array.from(found).sort((a, b) => a.seq - b.seq);
      return;
    }
  }
}

/** The number of records a plan reads, when that is cheaper to count than to read. */
export function countOf(plan: Plan): number | undefined {
  if (plan.kind === 'EOF') return 0;
  if (plan.kind !== 'IXSCAN' || plan.dedupe || plan.keyChecks.length) return undefined;
  let n = 0;
  for (const [lo, hi] of plan.ranges) n += plan.index.entries.countRange(lo, hi);
  return n;
}

/** A short description of a plan for explain (mongod's stage names). */
export function describe(plan: Plan): Document {
  switch (plan.kind) {
    case 'COLLSCAN':
      return { stage: 'COLLSCAN', direction: plan.reverse ? 'backward' : 'forward' };
    case 'EOF':
      return { stage: 'EOF' };
    case 'IXSCAN':
      return {
        stage: 'FETCH',
        inputStage: {
          stage: 'IXSCAN',
          keyPattern: plan.index.spec.key,
          indexName: plan.index.name,
          isMultiKey: plan.index.multikeyFields.size > 0,
          direction: plan.reverse ? 'backward' : 'forward',
        },
      };
    case 'OR':
      return { stage: 'FETCH', inputStage: { stage: 'OR', inputStages: plan.branches.map(describe) } };
  }
}
