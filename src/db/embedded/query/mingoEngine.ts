/**
 * The one place that talks to mingo: compiled filters, projections, updates, aggregation
 * pipelines. The store builds mingo's operator context itself (mingo's default entry point lets
 * its own operators win over any given): `$sort` inside a pipeline sorts as the rest of the store
 * does (see sort.ts), and a collation replaces the comparison query operators. `let` variables
 * are mingo's global variables. mingo errors are translated into mongod's error codes.
 */
import { Context, ProcessingMode, update as mingoUpdate } from 'mingo';
import { Aggregator } from 'mingo/aggregator';
import * as accumulatorOperators from 'mingo/operators/accumulator';
import * as expressionOperators from 'mingo/operators/expression';
import * as pipelineOperators from 'mingo/operators/pipeline';
import * as projectionOperators from 'mingo/operators/projection';
import * as queryOperators from 'mingo/operators/query';
import * as windowOperators from 'mingo/operators/window';
import { Query } from 'mingo/query';
import { evalExpr } from 'mingo/core';
import { BSON, ObjectId } from 'bson';
import { Lazy, type Iterator as LazyIterator } from 'mingo/lazy';
import type { Options } from 'mingo/types';
import { MingoError } from 'mingo/util';
import type { Document } from 'bson';
import { CommandError, unsupported } from '../errors';
import type { Collation } from './collation';
import { schemaPredicate } from '../validation/jsonSchema';
import { matchesAll } from './predicates';
import { inclusionOf, projectInclusion } from './projection';
import * as setMembership from './setMembership';
import { parseSort, sortDocuments } from './sort';

export type Resolver = (collection: string) => Document[];

/** What a query or pipeline runs with besides its documents. */
export interface EvalOptions {
  collation?: Collation;
  /** `let` variables (already evaluated), read as `$$name`. */
  variables?: Document;
  /** Serves `$lookup`/`$unionWith`/`$graphLookup` from the same database. */
  resolver?: Resolver;
}

/** Query operators mongod has that the store does not (mingo has no text or geo search). */
export const MONGOD_QUERY_OPERATORS = new Set(['$text', '$geoIntersects', '$geoWithin', '$near', '$nearSphere']);
/** Pipeline stages mongod 7.0 has that the store does not. */
export const MONGOD_STAGES = new Set([
  '$changeStreamSplitLargeEvent', '$collStats', '$geoNear', '$indexStats', '$listSampledQueries', '$listSearchIndexes',
  '$listSessions', '$planCacheStats', '$search', '$searchMeta', '$shardedDataDistribution', '$vectorSearch', '$currentOp',
]);
/** Expression operators mongod has that the store does not. */
export const MONGOD_EXPRESSIONS = new Set(['$meta']);

function translate(err: unknown): never {
  if (err instanceof CommandError) throw err;
  const message = err instanceof Error ? err.message : String(err);
  const unknownOp = /^unknown (?:query )?operator:? (\$\w+)/.exec(message);
  if (unknownOp && MONGOD_QUERY_OPERATORS.has(unknownOp[1])) throw unsupported(`the query operator ${unknownOp[1]} (no text or geospatial search)`);
  if (unknownOp) throw CommandError.of('BadValue', `unknown operator: ${unknownOp[1]}`);
  const unknownExpr = /(?:accumulator|expression|operator) '(\$\w+)' is not registered/.exec(message);
  if (unknownExpr && MONGOD_EXPRESSIONS.has(unknownExpr[1])) throw unsupported(`the expression operator ${unknownExpr[1]}`);
  if (unknownExpr) throw CommandError.of('InvalidPipelineOperator', `Unrecognized expression '${unknownExpr[1]}'`);
  const unknownTop = /^unknown top level operator: (\$\w+)/.exec(message);
  if (unknownTop && MONGOD_QUERY_OPERATORS.has(unknownTop[1])) throw unsupported(`the query operator ${unknownTop[1]} (no text or geospatial search)`);
  if (unknownTop) {
    throw CommandError.of(
      'BadValue',
      `unknown top level operator: ${unknownTop[1]}. If you have a field name that starts with a '$' symbol, consider using $getField or $setField.`,
    );
  }
  const stage = /^unregistered pipeline operator (\$\w+)/.exec(message);
  if (stage && stage[1] === '$changeStream') throw new CommandError(40573, 'The $changeStream stage is only supported on replica sets');
  if (stage && MONGOD_STAGES.has(stage[1])) throw unsupported(`the ${stage[1]} stage`);
  if (stage) throw new CommandError(40324, `Unrecognized pipeline stage name: '${stage[1]}'`);
  const variable = /Use of undefined variable: (\S+)/.exec(message);
  if (variable) throw new CommandError(17276, `Use of undefined variable: ${variable[1]}`);
  if (/Unknown update operator/.test(message)) {
    const op = /'(\$\w+)'/.exec(message)?.[1] ?? '';
    throw CommandError.of('FailedToParse', `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`);
  }
  if (/immutable field '_id'/.test(message)) {
    throw CommandError.of('ImmutableField', "Performing an update on the path '_id' would modify the immutable field '_id'");
  }
  if (/would create a conflict/.test(message)) throw CommandError.of('ConflictingUpdateOperators', message);
  if (err instanceof MingoError || err instanceof SyntaxError || err instanceof TypeError || err instanceof RangeError) {
    throw CommandError.of('BadValue', message);
  }
  throw CommandError.of('InternalError', message);
}

/** Runs `fn`, turning mingo's errors into CommandErrors with mongod's codes. */
export function withMingo<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    translate(err);
  }
}

/** `$sort` in a pipeline, in the store's order (and under the pipeline's collation). */
function pipelineSort(collation?: Collation) {
  return (coll: LazyIterator, spec: Document): LazyIterator => {
    const sort = parseSort(spec);
    if (!sort || sort.natural) throw new CommandError(15976, '$sort stage must have at least one sort key');
    return coll.transform((docs: unknown[]) => Lazy(sortDocuments(docs as Document[], sort.fields, collation?.compare)));
  };
}

type Ops = Record<string, unknown>;
type Expr = (obj: Document, expr: unknown, options: Options) => unknown;

function args(obj: Document, expr: unknown, options: Options): unknown[] {
  const v = evalExpr(obj, expr, options);
  return Array.isArray(v) ? v : [v];
}

/** Expression operators of mongod 7.0 that mingo lacks. */
const EXTRA_EXPRESSIONS: Record<string, Expr> = {
  $toObjectId: (obj, expr, options) => {
    const v = evalExpr(obj, expr, options);
    if (v === null || v === undefined) return null;
    if (v instanceof ObjectId) return v;
    if (typeof v === 'string' && /^[0-9a-fA-F]{24}$/.test(v)) return new ObjectId(v);
    throw new CommandError(241, `Failed to parse objectId '${String(v)}' in $convert with no onError value: Invalid string length for parsing to OID, expected 24 but found ${String(v).length}`);
  },
  $bsonSize: (obj, expr, options) => {
    const v = evalExpr(obj, expr, options);
    if (v === null || v === undefined) return null;
    if (typeof v !== 'object' || Array.isArray(v)) throw new CommandError(31393, `$bsonSize requires a document input, found: ${typeof v}`);
    return BSON.calculateObjectSize(v as Document);
  },
  $binarySize: (obj, expr, options) => {
    const v = evalExpr(obj, expr, options);
    if (v === null || v === undefined) return null;
    if (typeof v === 'string') return Buffer.byteLength(v, 'utf8');
    if ((v as { _bsontype?: string })._bsontype === 'Binary') return (v as { length(): number }).length();
    throw new CommandError(51276, '$binarySize requires a string or BinData argument');
  },
  $tsSecond: (obj, expr, options) => {
    const v = evalExpr(obj, expr, options) as { t?: number } | null;
    return v === null || v === undefined ? null : (v.t ?? null);
  },
  $tsIncrement: (obj, expr, options) => {
    const v = evalExpr(obj, expr, options) as { i?: number } | null;
    return v === null || v === undefined ? null : (v.i ?? null);
  },
  $indexOfCP: (obj, expr, options) => {
    const [str, sub, start, end] = args(obj, expr, options);
    if (str === null || str === undefined) return null;
    const cps = Array.from(String(str));
    const needle = Array.from(String(sub));
    const from = typeof start === 'number' ? start : 0;
    const to = typeof end === 'number' ? Math.min(end, cps.length) : cps.length;
    for (let i = from; i + needle.length <= to; i++) if (needle.every((c, j) => cps[i + j] === c)) return i;
    return -1;
  },
};

function contextWith(sort: unknown, query: Ops = {}): Context {
  return Context.init({
    accumulator: accumulatorOperators,
    expression: { ...expressionOperators, ...EXTRA_EXPRESSIONS },
    pipeline: { ...pipelineOperators, $sort: sort },
    projection: projectionOperators,
    query: { ...queryOperators, $in: setMembership.$in, $nin: setMembership.$nin, ...query },
    window: windowOperators,
  } as never);
}

const PLAIN = contextWith(pipelineSort());
const collated = new WeakMap<Collation, Context>();

function contextFor(collation: Collation | undefined): Context {
  if (!collation) return PLAIN;
  let ctx = collated.get(collation);
  if (!ctx) collated.set(collation, (ctx = contextWith(pipelineSort(collation), collation.queryOperators)));
  return ctx;
}

function options(opts: EvalOptions = {}): Partial<Options> {
  const context = contextFor(opts.collation);
  return {
    // Server-side JavaScript ($where, $function, $accumulator) is never run.
    scriptEnabled: false,
    context,
    jsonSchemaValidator: schemaPredicate as Options['jsonSchemaValidator'],
    ...(opts.resolver ? { collectionResolver: opts.resolver } : {}),
    ...(opts.variables ? { variables: opts.variables } : {}),
  };
}

/** A compiled filter. Throws BadValue for unknown operators (at compile time, like mongod). */
export function compileFilter(filter: Document | undefined, opts?: EvalOptions): (doc: Document) => boolean {
  if (filter && '$comment' in filter) {
    // A filter's $comment only annotates it (mongod shows it in logs and the profiler).
    const { $comment: _comment, ...rest } = filter;
    filter = rest;
  }
  if (!filter || matchesAll(filter)) return () => true;
  const query = withMingo(() => new Query(filter!, options(opts)));
  return (doc) => withMingo(() => query.test(doc));
}

/** Projects documents (copies: mingo's `$project` would otherwise edit nested fields in place). */
export function project(docs: Document[], projection: Document | undefined, opts?: EvalOptions): Document[] {
  if (!projection || Object.keys(projection).length === 0) return docs;
  const inclusion = inclusionOf(projection);
  if (inclusion) {
    const out: Document[] = [];
    for (const doc of docs) {
      out.push(projectInclusion(doc, inclusion) ?? mingoProject([doc], projection, opts)[0]);
    }
    return out;
  }
  return mingoProject(docs, projection, opts);
}

function mingoProject(docs: Document[], projection: Document, opts?: EvalOptions): Document[] {
  return withMingo(() => new Query({}, { ...options(opts), processingMode: ProcessingMode.CLONE_INPUT }).find<Document>(docs, projection).all());
}

/** Applies update operators to `doc` in place. Returns the modified paths (empty: no change). */
export function applyOperators(doc: Document, modifier: Document, arrayFilters?: Document[], filter?: Document): string[] {
  return withMingo(() =>
    mingoUpdate(doc, modifier, arrayFilters, filter && Object.keys(filter).length ? filter : undefined, { cloneMode: 'deep' }),
  );
}

/**
 * Runs an aggregation pipeline over `docs`. `cloneInput` (default true) copies the input first so
 * that stages cannot modify it; pass false only for pipelines whose stages never modify their input.
 */
export function runPipeline(docs: Document[], pipeline: Document[], opts: EvalOptions = {}, cloneInput = true): Document[] {
  const processingMode = cloneInput ? ProcessingMode.CLONE_INPUT : ProcessingMode.CLONE_OFF;
  return withMingo(() => new Aggregator(pipeline, { ...options(opts), processingMode }).run<Document>(docs));
}
