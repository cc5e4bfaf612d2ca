/**
 * Running a read against one collection: resolve the hint, let the planner choose the records,
 * test the filter that is left, then sort (unless the plan is already in order), skip and limit.
 * Every read path of the store goes through here: find, count, distinct, the leading stages of
 * an aggregate, and the documents an update, delete or findAndModify acts on.
 */
import type { Document } from 'bson';
import { CommandError } from '../errors';
import type { Collection } from '../storage/collection';
import type { IndexSpec } from '../storage/indexSpec';
import type { Collation } from './collation';
import { compileFilter, type EvalOptions } from './mingoEngine';
import { choose, countOf, describe, records, type Plan, type ScanStats } from './planner';
import { isPlainObject, matchesAll, withoutConjuncts } from './predicates';
import { parseSort, sortDocuments } from './sort';

export interface ReadRequest {
  filter?: Document;
  /** The raw `sort` document. */
  sort?: Document;
  skip?: number;
  /** 0 or undefined: no limit. */
  limit?: number;
  /** The raw `hint`: an index name, a key pattern or `{ $natural: ±1 }`. */
  hint?: unknown;
  collation?: Collation;
  variables?: Document;
}

type Hint = { index: IndexSpec } | { natural: 1 | -1 } | undefined;

function hintError(coll: Collection, hint: unknown): CommandError {
  return CommandError.of(
    'BadValue',
    `error processing query: ns=${coll.ns} planner returned error :: caused by :: hint provided does not correspond to an existing index (hint: ${JSON.stringify(hint)})`,
  );
}

/** The index (or natural order) a hint names. BadValue (2) when no such index exists, as mongod. */
export function resolveHint(coll: Collection, hint: unknown): Hint {
  if (hint === undefined || hint === null) return undefined;
  if (typeof hint === 'string') {
    if (hint === '') return undefined;
    const index = coll.findIndex(hint);
    if (!index || index.hidden) throw hintError(coll, hint);
    return { index };
  }
  if (isPlainObject(hint)) {
    const keys = Object.keys(hint);
    if (keys.length === 0) return undefined;
    if (keys[0] === '$natural') {
      const n = Number(hint.$natural);
      if (keys.length !== 1 || (n !== 1 && n !== -1)) throw CommandError.of('BadValue', `$natural hint must be 1 or -1, got ${JSON.stringify(hint)}`);
      return { natural: n as 1 | -1 };
    }
    const index = coll.findIndexByKey(hint);
    if (!index || index.hidden) throw hintError(coll, hint);
    return { index };
  }
  throw CommandError.of('FailedToParse', "hint must be a string (an index name) or an object (a key pattern)");
}

function evalOptions(req: ReadRequest): EvalOptions {
  return { collation: req.collation, variables: req.variables };
}

interface Prepared {
  plan: Plan;
  test: (doc: Document) => boolean;
  residualIsEmpty: boolean;
  sortFields?: ReturnType<typeof parseSort>;
}

function prepare(coll: Collection, req: ReadRequest, forCount: boolean): Prepared {
  const sort = forCount ? undefined : parseSort(req.sort);
  const hint = resolveHint(coll, req.hint);
  const limit = req.limit && req.limit > 0 ? req.limit : undefined;
  const plan = choose(coll, {
    filter: req.filter,
    sort: sort?.fields,
    natural: sort?.natural ?? ('natural' in (hint ?? {}) ? (hint as { natural: 1 | -1 }).natural : undefined),
    hint: hint && 'index' in hint ? hint.index : undefined,
    collated: !!req.collation,
    wanted: limit !== undefined ? (req.skip ?? 0) + limit : undefined,
  });
  if (hint && 'natural' in hint && sort?.fields.length) plan.providesSort = false;
  const filter = req.filter ?? {};
  const residual = plan.consumed.size ? withoutConjuncts(filter, plan.consumed) : filter;
  // A conjunct the scan decides has only operators whose operands were checked when its bounds
  // were read: compiling what is left finds any invalid part of the filter.
  return { plan, test: compileFilter(residual, evalOptions(req)), residualIsEmpty: matchesAll(residual), sortFields: sort };
}

/** The matching documents in result order, skipped and limited (not projected). */
export function readDocuments(coll: Collection | undefined, req: ReadRequest, stats?: ScanStats): Document[] {
  if (!coll) {
    // An invalid filter or sort fails even when there is nothing to read.
    compileFilter(req.filter, evalOptions(req));
    parseSort(req.sort);
    return [];
  }
  const { plan, test, sortFields } = prepare(coll, req, false);
  const skip = req.skip ?? 0;
  const limit = req.limit && req.limit > 0 ? req.limit : undefined;
  const fields = sortFields?.fields ?? [];
  if (fields.length && !plan.providesSort) {
    const matched: Document[] = [];
    for (const rec of records(coll, plan, stats)) if (test(rec.doc)) matched.push(rec.doc);
    const sorted = sortDocuments(matched, fields, req.collation?.compare);
    return sorted.slice(skip, limit !== undefined ? skip + limit : undefined);
  }
  const out: Document[] = [];
  let skipped = 0;
  for (const rec of records(coll, plan, stats)) {
    const doc = rec.doc;
    if (!test(doc)) continue;
    if (skipped < skip) {
      skipped++;
      continue;
    }
    out.push(doc);
    if (limit !== undefined && out.length >= limit) break;
  }
  return out;
}

/** The number of matching documents (after skip, up to limit). */
export function countDocuments(coll: Collection | undefined, req: ReadRequest): number {
  if (!coll) {
    compileFilter(req.filter, evalOptions(req));
    return 0;
  }
  const skip = req.skip ?? 0;
  const limit = req.limit && req.limit > 0 ? req.limit : undefined;
  let n: number | undefined;
  if (!req.filter || matchesAll(req.filter)) {
    if (req.hint !== undefined) resolveHint(coll, req.hint);
    n = coll.size;
  } else {
    const { plan, test, residualIsEmpty } = prepare(coll, req, true);
    if (residualIsEmpty) n = countOf(plan);
    if (n === undefined) {
      n = 0;
      const wanted = limit !== undefined ? skip + limit : Infinity;
      for (const rec of records(coll, plan)) if (test(rec.doc) && ++n >= wanted) break;
    }
  }
  const after = Math.max(0, n - skip);
  return limit !== undefined ? Math.min(limit, after) : after;
}

/**
 * explain for a read: the winning plan and, for `executionStats`, what running it examined
 * (mongod's field names: nReturned, totalKeysExamined, totalDocsExamined).
 */
export function explainRead(coll: Collection | undefined, req: ReadRequest, execute: boolean): { winningPlan: Document; executionStats?: Document } {
  const winningPlan = coll ? describe(prepare(coll, req, false).plan) : { stage: 'EOF' };
  if (!execute) return { winningPlan };
  const stats: ScanStats = { keysExamined: 0, docsExamined: 0 };
  const started = performance.now();
  const docs = readDocuments(coll, req, stats);
  return {
    winningPlan,
    executionStats: {
      executionSuccess: true,
      nReturned: docs.length,
      executionTimeMillis: Math.round(performance.now() - started),
      totalKeysExamined: stats.keysExamined,
      totalDocsExamined: stats.docsExamined,
      executionStages: winningPlan,
    },
  };
}
