/**
 * The one place that talks to mingo: compiled filters, projections, updates, aggregation
 * pipelines. mingo's default entry point registers every operator; a collation adds its own
 * comparison operators, `let` variables are mingo's global variables, and `$sort` inside a
 * pipeline sorts as the rest of the store does (see sort.ts). mingo errors are translated into
 * mongod's error codes.
 */
import { Aggregator, Context, ProcessingMode, Query, update as mingoUpdate } from 'mingo';
import { Lazy, type Iterator as LazyIterator } from 'mingo/lazy';
import type { Options } from 'mingo/types';
import { MingoError } from 'mingo/util';
import type { Document } from 'bson';
import { CommandError } from '../errors';
import type { Collation } from './collation';
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

const PLAIN_SORT = Context.init({ pipeline: { $sort: pipelineSort() } as never });

function options(opts: EvalOptions = {}): Partial<Options> {
  const context = opts.collation
    ? Context.from(opts.collation.context, Context.init({ pipeline: { $sort: pipelineSort(opts.collation) } as never }))
    : PLAIN_SORT;
  return {
    // Server-side JavaScript ($where, $function, $accumulator) is never run.
    scriptEnabled: false,
    context,
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
