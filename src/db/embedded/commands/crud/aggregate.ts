/**
 * aggregate (cursor form) over a collection, a view (its pipeline first) or, with `aggregate: 1`,
 * no input (`$documents`, `$listLocalSessions`). Leading `$match`/`$sort`/`$skip`/`$limit` stages
 * are answered by the planner (indexes, early stop); the rest runs in mingo. `$lookup` and
 * `$unionWith` read collections and views of the same database. A final `$out` or `$merge` writes.
 */
import type { Document } from 'bson';
import { cloneDeep } from 'mingo/util';
import { CommandError } from '../../errors';
import { parseCollation, type Collation } from '../../query/collation';
import { countDocuments, explainRead, readDocuments, resolveHint, type ReadRequest } from '../../query/execute';
import { runPipeline } from '../../query/mingoEngine';
import { evaluateLet } from '../../query/variables';
import { checkCollectionName } from '../../storage/store';
import { arrayArg, boolArg, countArg, docArg, type CommandContext, type CommandHandler } from '../context';
import { writeMerge, writeOut } from './pipelineWrites';
import { resolveView } from '../views';

function isDocument(v: unknown): v is Document {
  return !!v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof RegExp);
}

function stageName(s: unknown): string | undefined {
  const keys = isDocument(s) ? Object.keys(s) : [];
  return keys.length === 1 ? keys[0] : undefined;
}

export interface PipelineOptions {
  collation?: Collation;
  variables?: Document;
  hint?: unknown;
}

interface Source {
  docs: () => Document[];
  count: () => number;
  stages: Document[];
  /** The read the leading stages became (for explain). */
  read?: ReadRequest;
  collection?: string;
}

/**
 * The pipeline's input and the stages left to run over it. On a view, the view's pipeline comes
 * first and the read goes to its source collection.
 */
function source(ctx: CommandContext, name: string, pipeline: Document[], opts: PipelineOptions): Source {
  const view = resolveView(ctx, name);
  if (view) return source(ctx, view.source, [...view.pipeline, ...pipeline], { ...opts, hint: undefined });
  const coll = ctx.store.get(ctx.db, name);
  let i = 0;
  const matches: Document[] = [];
  while (stageName(pipeline[i]) === '$match' && isDocument(pipeline[i].$match)) matches.push(pipeline[i++].$match as Document);
  let sort: Document | undefined;
  if (stageName(pipeline[i]) === '$sort' && isDocument(pipeline[i].$sort)) sort = pipeline[i++].$sort as Document;
  let skip = 0;
  let limit: number | undefined;
  for (;;) {
    const st = stageName(pipeline[i]);
    const v = st ? pipeline[i][st] : undefined;
    const n = typeof v === 'number' && Number.isInteger(v) ? v : undefined;
    if (st === '$skip' && n !== undefined && n >= 0) {
      skip += n;
      if (limit !== undefined) limit = Math.max(0, limit - n);
    } else if (st === '$limit' && n !== undefined && n > 0) {
      limit = limit === undefined ? n : Math.min(limit, n);
    } else break;
    i++;
  }
  if (i === 0) {
    if (coll && opts.hint !== undefined) resolveHint(coll, opts.hint);
    return { docs: () => coll?.all() ?? [], count: () => coll?.size ?? 0, stages: pipeline, collection: name };
  }
  const read: ReadRequest = {
    filter: matches.length === 0 ? undefined : matches.length === 1 ? matches[0] : { $and: matches },
    sort,
    skip,
    limit: limit === 0 ? undefined : limit,
    hint: opts.hint,
    collation: opts.collation,
    variables: opts.variables,
  };
  if (limit === 0) return { docs: () => [], count: () => 0, stages: pipeline.slice(i), read, collection: name };
  return { docs: () => readDocuments(coll, read), count: () => countDocuments(coll, read), stages: pipeline.slice(i), read, collection: name };
}

/** Stages that never modify their input documents in mingo: such pipelines run on the stored ones. */
const READ_ONLY_STAGES = new Set(['$match', '$sort', '$skip', '$limit', '$count']);

function readOnly(stages: Document[]): boolean {
  return stages.every((s) => READ_ONLY_STAGES.has(stageName(s) ?? ''));
}

/**
 * The result of `[{ $group: { _id: <number>, <field>: { $sum: 1 } } }]` (the pipeline left of the
 * driver's countDocuments once its $match has run) without going through mingo: one document
 * `{ _id, <field>: count }`, none for no input, as mingo's $group gives. `undefined` for any other
 * pipeline.
 */
function countOnly(stages: Document[], count: () => number): Document[] | undefined {
  if (stages.length !== 1 || stageName(stages[0]) !== '$group' || !isDocument(stages[0].$group)) return undefined;
  const group = stages[0].$group;
  const fields = Object.keys(group);
  if (fields.length !== 2 || fields[0] !== '_id' || typeof group._id !== 'number') return undefined;
  const field = fields[1];
  const acc = group[field];
  if (field === '' || field.startsWith('$') || field.includes('.') || !isDocument(acc) || Object.keys(acc).length !== 1 || acc.$sum !== 1) return undefined;
  const n = count();
  return n === 0 ? [] : [{ _id: group._id, [field]: n }];
}

/** Documents of a collection or view, for `$lookup`/`$unionWith` (copies: stages may embed them). */
function resolverFor(ctx: CommandContext, opts: PipelineOptions) {
  return (name: string): Document[] => runAggregate(ctx, name, [], { collation: opts.collation }).map((d) => cloneDeep(d) as Document);
}

/**
 * Runs `pipeline` over collection or view `name` (no writing stages) and returns the documents.
 * Used by aggregate, and by find, count and distinct on views.
 */
export function runAggregate(ctx: CommandContext, name: string | undefined, pipeline: Document[], opts: PipelineOptions): Document[] {
  const src: Source = name === undefined ? { docs: () => [], count: () => 0, stages: pipeline } : source(ctx, name, pipeline, opts);
  const copy = !readOnly(src.stages);
  if (!copy && src.stages.length === 0) return src.docs();
  return countOnly(src.stages, src.count) ?? runPipeline(src.docs(), src.stages, { resolver: resolverFor(ctx, opts), collation: opts.collation, variables: opts.variables }, copy);
}

/** `$listLocalSessions` (aggregate: 1): the sessions this server has seen, as mongod lists them. */
function localSessions(ctx: CommandContext, spec: unknown): Document[] {
  if (spec !== undefined && !isDocument(spec)) throw CommandError.of('TypeMismatch', '$listLocalSessions must be an object');
  return ctx.sessions.list().map((s) => ({ _id: { id: s.id, uid: s.uid }, lastUse: s.lastUse }));
}

const aggregate: CommandHandler = (cmd, ctx) => {
  const pipeline = arrayArg(cmd, 'pipeline');
  if (!pipeline) throw CommandError.of('TypeMismatch', "'pipeline' option must be specified as an array");
  const cursor = docArg(cmd, 'cursor');
  const explain = boolArg(cmd, 'explain');
  if (!cursor && !explain) {
    throw CommandError.of('FailedToParse', "The 'cursor' option is required, except for aggregate with the explain argument");
  }
  pipeline.forEach((s, i) => {
    const name = stageName(s);
    if ((name === '$out' || name === '$merge') && i !== pipeline.length - 1) {
      throw new CommandError(40601, `${name} can only be the final stage in the pipeline`);
    }
  });
  const lastName = stageName(pipeline[pipeline.length - 1]);
  const writer = lastName === '$out' || lastName === '$merge' ? lastName : undefined;
  const reading = writer ? pipeline.slice(0, -1) : pipeline;
  const opts: PipelineOptions = {
    collation: parseCollation(cmd.collation),
    variables: evaluateLet(cmd.let, 'aggregate.let'),
    hint: cmd.hint,
  };
  const onCollection = cmd.aggregate !== 1;
  const name = onCollection ? checkCollectionName(ctx.db, cmd.aggregate) : undefined;
  const ns = onCollection ? `${ctx.db}.${name}` : `${ctx.db}.$cmd.aggregate`;

  if (explain) {
    const src = name === undefined ? undefined : source(ctx, name, reading, opts);
    const { winningPlan } = explainRead(src?.collection ? ctx.store.get(ctx.db, src.collection) : undefined, src?.read ?? {}, false);
    return { explainVersion: '1', stages: [{ $cursor: { queryPlanner: { namespace: ns, winningPlan } } }, ...(src?.stages ?? reading)], ok: 1 };
  }

  let result: Document[];
  if (!onCollection && stageName(reading[0]) === '$listLocalSessions') {
    result = runPipeline(localSessions(ctx, reading[0].$listLocalSessions), reading.slice(1), { collation: opts.collation, variables: opts.variables });
  } else {
    // $out and $merge store the results: they are copies, as with any other pipeline.
    const docs = runAggregate(ctx, name, reading, opts);
    result = writer ? docs.map((d) => cloneDeep(d) as Document) : docs;
  }
  if (writer) {
    const bypass = boolArg(cmd, 'bypassDocumentValidation');
    const spec = pipeline[pipeline.length - 1][writer];
    if (writer === '$out') writeOut(ctx, spec, result, bypass);
    else writeMerge(ctx, spec, result, bypass);
    return ctx.cursors.first(ns, [], undefined);
  }
  return ctx.cursors.first(ns, result, countArg(cursor ?? {}, 'batchSize'));
};

export const aggregateCommands: Record<string, CommandHandler> = { aggregate };
