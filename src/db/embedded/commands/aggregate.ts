/**
 * aggregate (cursor form) over one collection or, with `aggregate: 1`, over no input (`$documents`).
 * The pipeline runs in mingo; `$lookup` reads other collections of the same database; a final
 * `$out` replaces the target collection's documents.
 */
import type { Document } from 'bson';
import { cloneDeep } from 'mingo/util';
import { CommandError } from '../errors';
import { runPipeline } from '../mingoEngine';
import { checkCollectionName } from '../store';
import { arrayArg, countArg, docArg, type CommandContext, type CommandHandler } from './context';
import { matching } from './reads';
import { prepareInsert } from './writes';

/**
 * The pipeline's input and the stages left to run. A leading `$match` is applied here, narrowed
 * through the `_id` map / unique indexes (see matching); running it again in mingo would give the
 * same documents, so it is dropped from the stages.
 */
function source(cmd: Document, ctx: CommandContext, pipeline: Document[]): { ns: string; docs: Document[]; stages: Document[] } {
  if (cmd.aggregate === 1) return { ns: `${ctx.db}.$cmd.aggregate`, docs: [], stages: pipeline };
  const name = checkCollectionName(ctx.db, cmd.aggregate);
  const first = pipeline[0];
  const filter = first && Object.keys(first).length === 1 && isDocument(first.$match) ? first.$match : undefined;
  if (!filter) return { ns: `${ctx.db}.${name}`, docs: ctx.store.get(ctx.db, name)?.all() ?? [], stages: pipeline };
  return { ns: `${ctx.db}.${name}`, docs: matching(ctx, name, filter, docArg(cmd, 'collation')), stages: pipeline.slice(1) };
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
function countOnly(stages: Document[], docs: Document[]): Document[] | undefined {
  if (stages.length !== 1 || Object.keys(stages[0]).length !== 1 || !isDocument(stages[0].$group)) return undefined;
  const group = stages[0].$group;
  const fields = Object.keys(group);
  if (fields.length !== 2 || fields[0] !== '_id' || typeof group._id !== 'number') return undefined;
  const field = fields[1];
  const acc = group[field];
  if (field === '' || field.startsWith('$') || field.includes('.') || !isDocument(acc) || Object.keys(acc).length !== 1 || acc.$sum !== 1) return undefined;
  return docs.length === 0 ? [] : [{ _id: group._id, [field]: docs.length }];
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
  const { ns, docs, stages } = source(cmd, ctx, out === undefined ? pipeline : pipeline.slice(0, -1));
  if (pipeline.some((s, i) => s && ('$merge' in s || ('$out' in s && i !== pipeline.length - 1)))) {
    throw CommandError.of('IllegalOperation', '$merge is not supported by the embedded store, and $out must be the last stage');
  }
  // $lookup embeds foreign documents in the output; copies keep later stages off the stored ones.
  const resolver = (name: string): Document[] => (ctx.store.get(ctx.db, name)?.all() ?? []).map((d) => cloneDeep(d) as Document);
  // $out stores the results in another collection: they are copies, as with any other pipeline.
  const copy = out !== undefined || !readOnly(stages);
  const result =
    (!copy && stages.length === 0 ? docs : undefined) ??
    (out === undefined ? countOnly(stages, docs) : undefined) ??
    runPipeline(docs, stages, resolver, docArg(cmd, 'collation'), copy);
  if (out !== undefined) {
    writeOut(ctx, out, result);
    return ctx.cursors.first(ns, [], undefined);
  }
  return ctx.cursors.first(ns, result, countArg(cursor ?? {}, 'batchSize'));
};

export const aggregateCommands: Record<string, CommandHandler> = { aggregate };
