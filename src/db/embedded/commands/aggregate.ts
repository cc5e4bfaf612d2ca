/**
 * aggregate (cursor form) over one collection or, with `aggregate: 1`, over no input (`$documents`).
 * The pipeline runs in mingo; `$lookup` reads other collections of the same database; a final
 * `$out` replaces the target collection's documents.
 */
import type { Document } from 'bson';
import { cloneDeep } from 'mingo/util';
import { CommandError } from '../errors';
import { parseCollation, type Collation } from '../query/collation';
import { countDocuments, readDocuments, resolveHint, type ReadRequest } from '../query/execute';
import { runPipeline } from '../query/mingoEngine';
import { checkCollectionName } from '../storage/store';
import { arrayArg, countArg, docArg, type CommandContext, type CommandHandler } from './context';
import { prepareInsert } from './writes';

/**
 * The pipeline's input and the stages left to run. Leading `$match` stages, then a `$sort`, then
 * `$skip`/`$limit` stages are answered like a find (through the planner: indexes, early stop);
 * running them again in mingo would give the same documents, so they are dropped from the stages.
 */
function source(cmd: Document, ctx: CommandContext, pipeline: Document[], collation?: Collation): { ns: string; docs: () => Document[]; count: () => number; stages: Document[] } {
  if (cmd.aggregate === 1) return { ns: `${ctx.db}.$cmd.aggregate`, docs: () => [], count: () => 0, stages: pipeline };
  const name = checkCollectionName(ctx.db, cmd.aggregate);
  const coll = ctx.store.get(ctx.db, name);
  const ns = `${ctx.db}.${name}`;
  const stageOf = (i: number): [string, unknown] | undefined => {
    const s = pipeline[i];
    const keys = s && typeof s === 'object' ? Object.keys(s) : [];
    return keys.length === 1 ? [keys[0], s[keys[0]]] : undefined;
  };
  let i = 0;
  const matches: Document[] = [];
  while (stageOf(i)?.[0] === '$match' && isDocument(stageOf(i)![1])) matches.push(stageOf(i++)![1] as Document);
  let sort: Document | undefined;
  if (stageOf(i)?.[0] === '$sort' && isDocument(stageOf(i)![1])) sort = stageOf(i++)![1] as Document;
  let skip = 0;
  let limit: number | undefined;
  for (;;) {
    const st = stageOf(i);
    const n = st && typeof st[1] === 'number' && Number.isInteger(st[1]) ? st[1] : undefined;
    if (st?.[0] === '$skip' && n !== undefined && n >= 0) {
      skip += n;
      if (limit !== undefined) limit = Math.max(0, limit - n);
    } else if (st?.[0] === '$limit' && n !== undefined && n > 0) {
      limit = limit === undefined ? n : Math.min(limit, n);
    } else break;
    i++;
  }
  const req: ReadRequest = {
    filter: matches.length === 0 ? undefined : matches.length === 1 ? matches[0] : { $and: matches },
    sort,
    skip,
    limit: limit === 0 ? undefined : limit,
    hint: cmd.hint,
    collation,
  };
  if (limit === 0) return { ns, docs: () => [], count: () => 0, stages: pipeline.slice(i) };
  if (i === 0) {
    if (coll && cmd.hint !== undefined) resolveHint(coll, cmd.hint);
    return { ns, docs: () => coll?.all() ?? [], count: () => coll?.size ?? 0, stages: pipeline };
  }
  return { ns, docs: () => readDocuments(coll, req), count: () => countDocuments(coll, req), stages: pipeline.slice(i) };
}

function isDocument(v: unknown): v is Document {
  return !!v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof RegExp);
}

/**
 * Stages that never modify their input documents in mingo (they filter, reorder or count them).
 * A pipeline made only of these can run on the stored documents without copying them first.
 * ($project, for one, removes excluded nested fields in place.)
 */
const READ_ONLY_STAGES = new Set(['$match', '$sort', '$skip', '$limit', '$count']);

/**
 * The result of `[{ $group: { _id: <number>, <field>: { $sum: 1 } } }]` (the pipeline left of the
 * driver's countDocuments once its $match has run) without going through mingo: one document
 * `{ _id, <field>: count }`, none for no input, as mingo's $group gives. `undefined` for any other
 * pipeline.
 */
function countOnly(stages: Document[], count: () => number): Document[] | undefined {
  if (stages.length !== 1 || Object.keys(stages[0]).length !== 1 || !isDocument(stages[0].$group)) return undefined;
  const group = stages[0].$group;
  const fields = Object.keys(group);
  if (fields.length !== 2 || fields[0] !== '_id' || typeof group._id !== 'number') return undefined;
  const field = fields[1];
  const acc = group[field];
  if (field === '' || field.startsWith('$') || field.includes('.') || !isDocument(acc) || Object.keys(acc).length !== 1 || acc.$sum !== 1) return undefined;
  const n = count();
  return n === 0 ? [] : [{ _id: group._id, [field]: n }];
}

function readOnly(stages: Document[]): boolean {
  return stages.every((s) => {
    const keys = s && typeof s === 'object' ? Object.keys(s) : [];
    return keys.length === 1 && READ_ONLY_STAGES.has(keys[0]);
  });
}

function writeOut(ctx: CommandContext, target: unknown, docs: Document[]): void {
  const name = checkCollectionName(ctx.db, typeof target === 'object' && target ? (target as Document).coll : target);
  ctx.store.drop(ctx.db, name);
  const coll = ctx.store.getOrCreate(ctx.db, name);
  for (const d of docs) coll.insert(prepareInsert(d));
}

const aggregate: CommandHandler = (cmd, ctx) => {
  const pipeline = arrayArg(cmd, 'pipeline');
  if (!pipeline) throw CommandError.of('TypeMismatch', "'pipeline' option must be specified as an array");
  const cursor = docArg(cmd, 'cursor');
  if (!cursor && !cmd.explain) {
    throw CommandError.of('FailedToParse', "The 'cursor' option is required, except for aggregate with the explain argument");
  }
  const last = pipeline[pipeline.length - 1];
  const out = last && '$out' in last ? last.$out : undefined;
  const collation = parseCollation(cmd.collation);
  const { ns, docs, count, stages } = source(cmd, ctx, out === undefined ? pipeline : pipeline.slice(0, -1), collation);
  if (pipeline.some((s, i) => s && ('$merge' in s || ('$out' in s && i !== pipeline.length - 1)))) {
    throw CommandError.of('IllegalOperation', '$merge is not supported by the embedded store, and $out must be the last stage');
  }
  // $lookup embeds foreign documents in the output; copies keep later stages off the stored ones.
  const resolver = (name: string): Document[] => (ctx.store.get(ctx.db, name)?.all() ?? []).map((d) => cloneDeep(d) as Document);
  // $out stores the results in another collection: they are copies, as with any other pipeline.
  const copy = out !== undefined || !readOnly(stages);
  const result =
    (!copy && stages.length === 0 ? docs() : undefined) ??
    (out === undefined ? countOnly(stages, count) : undefined) ??
    runPipeline(docs(), stages, { resolver, collation }, copy);
  if (out !== undefined) {
    writeOut(ctx, out, result);
    return ctx.cursors.first(ns, [], undefined);
  }
  return ctx.cursors.first(ns, result, countArg(cursor ?? {}, 'batchSize'));
};

export const aggregateCommands: Record<string, CommandHandler> = { aggregate };
