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
import { Lazy, type Iterator as LazyIterator } from 'mingo/lazy';
import type { Options } from 'mingo/types';
import { MingoError } from 'mingo/util';
import type { Document } from 'bson';
import { CommandError } from '../errors';
import type { Collation } from './collation';
import { schemaPredicate } from '../validation/jsonSchema';
import { matchesAll } from './predicates';
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

function translate(err: unknown): never {
  if (err instanceof CommandError) throw err;
  const message = err instanceof Error ? err.message : String(err);
  const unknownOp = /^unknown query operator (\$\w+)/.exec(message);
  if (unknownOp) throw CommandError.of('BadValue', `unknown operator: ${unknownOp[1]}`);
  const unknownTop = /^unknown top level operator: (\$\w+)/.exec(message);
  if (unknownTop) {
    throw CommandError.of(
      'BadValue',
      `unknown top level operator: ${unknownTop[1]}. If you have a field name that starts with a '$' symbol, consider using $getField or $setField.`,
    );
  }
  const stage = /^unregistered pipeline operator (\$\w+)/.exec(message);
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

function contextWith(sort: unknown, query: Ops = {}): Context {
  return Context.init({
    accumulator: accumulatorOperators,
    expression: expressionOperators,
    pipeline: { ...pipelineOperators, $sort: sort },
    projection: projectionOperators,
    query: { ...queryOperators, ...query },
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
  if (!filter || matchesAll(filter)) return () => true;
  const query = withMingo(() => new Query(filter, options(opts)));
  return (doc) => withMingo(() => query.test(doc));
}

/** Projects documents (copies: mingo's `$project` would otherwise edit nested fields in place). */
export function project(docs: Document[], projection: Document | undefined, opts?: EvalOptions): Document[] {
  if (!projection || Object.keys(projection).length === 0) return docs;
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
