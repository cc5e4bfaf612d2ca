/**
 * The one place that talks to mingo: compiled filters, projections/sort/skip/limit, updates,
 * aggregation pipelines. mingo's default entry point registers every operator. mingo errors
 * are translated into mongod's error codes.
 */
import { Aggregator, ProcessingMode, Query, update as mingoUpdate } from 'mingo';
import type { Options } from 'mingo/types';
import { MingoError } from 'mingo/util';
import type { Document } from 'bson';
import { CommandError } from './errors';
import { matchesAll } from './idPin';
import { sortByScalarField } from './scalarSort';

export type Resolver = (collection: string) => Document[];

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
  if (/Unknown update operator/.test(message)) {
    const op = /'(\$\w+)'/.exec(message)?.[1] ?? '';
    throw CommandError.of('FailedToParse', `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`);
  }
  if (/immutable field '_id'/.test(message)) {
    throw CommandError.of('ImmutableField', "Performing an update on the path '_id' would modify the immutable field '_id'");
  }
  if (/would create a conflict/.test(message)) throw CommandError.of('ConflictingUpdateOperators', message);
  if (err instanceof MingoError || err instanceof SyntaxError || err instanceof TypeError) throw CommandError.of('BadValue', message);
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

function options(resolver?: Resolver, collation?: Document): Partial<Options> {
  return {
    // Server-side JavaScript ($where, $function, $accumulator) is never run.
    scriptEnabled: false,
    ...(resolver ? { collectionResolver: resolver } : {}),
    ...(collation && typeof collation.locale === 'string' && collation.locale !== 'simple'
      ? { collation: collation as unknown as Options['collation'] }
      : {}),
  };
}

/** A compiled filter. Throws BadValue for unknown operators (at compile time, like mongod). */
export function compileFilter(filter: Document | undefined, collation?: Document): (doc: Document) => boolean {
  if (!filter || matchesAll(filter)) return () => true;
  const query = withMingo(() => new Query(filter, options(undefined, collation)));
  return (doc) => withMingo(() => query.test(doc));
}

export interface FindShape {
  sort?: Document;
  skip?: number;
  limit?: number;
  projection?: Document;
  collation?: Document;
}

/** Sorts, skips, limits and projects already-filtered documents. */
export function shape(docs: Document[], spec: FindShape): Document[] {
  const sort = spec.sort && Object.keys(spec.sort).filter((k) => k !== '$natural').length ? spec.sort : undefined;
  const natural = spec.sort?.$natural === -1;
  const input = natural ? docs.slice().reverse() : docs;
  const projection = spec.projection && Object.keys(spec.projection).length ? spec.projection : undefined;
  const opts = options(undefined, spec.collation);
  const start = spec.skip ?? 0;
  const end = spec.limit ? start + spec.limit : undefined;
  // As mingo's cursor does: sort, skip and limit first, then project only the page.
  let page: Document[];
  if (!sort) page = input.slice(start, end);
  else {
    const sorted = opts.collation ? undefined : sortByScalarField(input, sort);
    page = sorted
      ? sorted.slice(start, end)
      : withMingo(() => {
          const cursor = new Query({}, opts).find<Document>(input).sort(sort);
          if (spec.skip) cursor.skip(spec.skip);
          if (spec.limit) cursor.limit(spec.limit);
          return cursor.all();
        });
  }
  if (!projection) return page;
  // mingo's $project copies the top level only and removes excluded nested fields in place, which
  // would strip them from the stored documents: it projects copies.
  return withMingo(() => new Query({}, { ...opts, processingMode: ProcessingMode.CLONE_INPUT }).find<Document>(page, projection).all());
}

/** Applies update operators to `doc` in place. Returns the modified paths (empty: no change). */
export function applyOperators(doc: Document, modifier: Document, arrayFilters?: Document[], filter?: Document): string[] {
  return withMingo(() =>
    mingoUpdate(doc, modifier, arrayFilters, filter && Object.keys(filter).length ? filter : undefined, { cloneMode: 'deep' }),
  );
}

/**
 * Runs an aggregation pipeline over `docs`. `resolver` serves `$lookup` from the same database.
 * `cloneInput` (default true) copies the input first so that stages cannot modify it; pass false
 * only for pipelines whose stages never modify their input.
 */
export function runPipeline(docs: Document[], pipeline: Document[], resolver?: Resolver, collation?: Document, cloneInput = true): Document[] {
  const processingMode = cloneInput ? ProcessingMode.CLONE_INPUT : ProcessingMode.CLONE_OFF;
  return withMingo(() => new Aggregator(pipeline, { ...options(resolver, collation), processingMode }).run<Document>(docs));
}
