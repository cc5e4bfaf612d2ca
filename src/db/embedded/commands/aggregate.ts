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

function source(cmd: Document, ctx: CommandContext, pipeline: Document[]): { ns: string; docs: Document[] } {
  if (cmd.aggregate === 1) return { ns: `${ctx.db}.$cmd.aggregate`, docs: [] };
  const name = checkCollectionName(ctx.db, cmd.aggregate);
  const first = pipeline[0];
  // A leading $match narrows the input through the _id map / unique indexes; it still runs in mingo.
  const filter = first && first.$match && typeof first.$match === 'object' ? (first.$match as Document) : undefined;
  const docs = filter ? matching(ctx, name, filter, docArg(cmd, 'collation')) : (ctx.store.get(ctx.db, name)?.all() ?? []);
  return { ns: `${ctx.db}.${name}`, docs };
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
  const { ns, docs } = source(cmd, ctx, pipeline);
  const last = pipeline[pipeline.length - 1];
  if (pipeline.some((s, i) => s && ('$merge' in s || ('$out' in s && i !== pipeline.length - 1)))) {
    throw CommandError.of('IllegalOperation', '$merge is not supported by the embedded store, and $out must be the last stage');
  }
  const out = last && '$out' in last ? last.$out : undefined;
  const stages = out === undefined ? pipeline : pipeline.slice(0, -1);
  // $lookup embeds foreign documents in the output; copies keep later stages off the stored ones.
  const resolver = (name: string): Document[] => (ctx.store.get(ctx.db, name)?.all() ?? []).map((d) => cloneDeep(d) as Document);
  const result = runPipeline(docs, stages, resolver, docArg(cmd, 'collation'));
  if (out !== undefined) {
    writeOut(ctx, out, result);
    return ctx.cursors.first(ns, [], undefined);
  }
  return ctx.cursors.first(ns, result, countArg(cursor ?? {}, 'batchSize'));
};

export const aggregateCommands: Record<string, CommandHandler> = { aggregate };
