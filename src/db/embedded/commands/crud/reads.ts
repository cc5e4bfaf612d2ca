/** Read commands: find (with cursors), getMore, killCursors, count, distinct, explain. */
import { Long, type Document } from 'bson';
import { CommandError } from '../../errors';
import { parseCollation } from '../../query/collation';
import { countDocuments, explainRead, readDocuments, type ReadRequest } from '../../query/execute';
import { project } from '../../query/mingoEngine';
import { evaluateLet } from '../../query/variables';
import { canonicalKey, valuesAtPath } from '../../storage/keys';
import { checkCollectionName } from '../../storage/store';
import { runAggregate } from './aggregate';
import { boolArg, collectionArg, countArg, docArg, type CommandContext, type CommandHandler } from '../context';
import { isView } from '../views';

/** A read request as pipeline stages, for a view (mongod runs reads on views as aggregations). */
function asStages(req: ReadRequest): Document[] {
  return [
    ...(req.filter && Object.keys(req.filter).length ? [{ $match: req.filter }] : []),
    ...(req.sort && Object.keys(req.sort).length ? [{ $sort: req.sort }] : []),
    ...(req.skip ? [{ $skip: req.skip }] : []),
    ...(req.limit ? [{ $limit: req.limit }] : []),
  ];
}

/** The documents of collection or view `name` matching a read request (none when it does not exist). */
export function matching(ctx: CommandContext, name: string, req: ReadRequest): Document[] {
  if (isView(ctx, name)) return runAggregate(ctx, name, asStages(req), { collation: req.collation, variables: req.variables });
  return readDocuments(ctx.store.get(ctx.db, name), req);
}

const find: CommandHandler = (cmd, ctx) => {
  const coll = collectionArg(cmd, ctx);
  const rawLimit = cmd.limit;
  if (typeof rawLimit === 'number' && rawLimit < 0) {
    throw CommandError.of('BadValue', `BSON field 'limit' value must be >= 0, actual value '${rawLimit}'`);
  }
  const collation = parseCollation(cmd.collation);
  const variables = evaluateLet(cmd.let, 'find.let');
  const req: ReadRequest = {
    filter: docArg(cmd, 'filter'),
    sort: docArg(cmd, 'sort'),
    skip: countArg(cmd, 'skip'),
    limit: countArg(cmd, 'limit'),
    hint: cmd.hint,
    collation,
    variables,
  };
  if (boolArg(cmd, 'awaitData') && !boolArg(cmd, 'tailable')) {
    throw CommandError.of('FailedToParse', "Cannot set 'awaitData' without also setting 'tailable'");
  }
  if (boolArg(cmd, 'tailable') && ctx.store.get(ctx.db, coll)) {
    // The store has no capped collections, so no collection can be tailed.
    throw CommandError.of('BadValue', `error processing query: ns=${ctx.db}.${coll} tailable cursor requested on non capped collection`);
  }
  let docs = matching(ctx, coll, req);
  if (boolArg(cmd, 'showRecordId')) {
    const stored = ctx.store.get(ctx.db, coll);
    docs = docs.map((d) => ({ ...d, $recordId: Long.fromNumber(stored?.recordById(d._id)?.seq ?? 0) }));
  }
  docs = project(docs, docArg(cmd, 'projection'), { collation, variables });
  return ctx.cursors.first(`${ctx.db}.${coll}`, docs, countArg(cmd, 'batchSize'), boolArg(cmd, 'singleBatch'), boolArg(cmd, 'noCursorTimeout'));
};

function cursorId(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (v instanceof Long) return v.toNumber();
  return undefined;
}

const getMore: CommandHandler = (cmd, ctx) => {
  const id = cursorId(cmd.getMore);
  if (id === undefined) throw CommandError.of('TypeMismatch', "Field 'getMore' must be of type long");
  // Cursors of listCollections / aggregate: 1 live on the virtual `$cmd.<command>` namespace.
  const name = cmd.collection;
  const coll = typeof name === 'string' && /^\$cmd\.\w+$/.test(name) ? name : checkCollectionName(ctx.db, name);
  return ctx.cursors.more(id, `${ctx.db}.${coll}`, countArg(cmd, 'batchSize'));
};

const killCursors: CommandHandler = (cmd, ctx) => {
  collectionArg(cmd, ctx);
  const ids = cmd.cursors;
  if (!Array.isArray(ids)) throw CommandError.of('TypeMismatch', "Field 'cursors' must be of type array");
  const killed: Long[] = [];
  const notFound: Long[] = [];
  for (const raw of ids) {
    const id = cursorId(raw);
    if (id === undefined) continue;
    (ctx.cursors.kill(id) ? killed : notFound).push(Long.fromNumber(id));
  }
  return { cursorsKilled: killed, cursorsNotFound: notFound, cursorsAlive: [], cursorsUnknown: [], ok: 1 };
};

const count: CommandHandler = (cmd, ctx) => {
  const name = collectionArg(cmd, ctx);
  const limit = Math.abs(typeof cmd.limit === 'number' ? cmd.limit : 0);
  const req: ReadRequest = {
    filter: docArg(cmd, 'query'),
    skip: countArg(cmd, 'skip'),
    limit,
    hint: cmd.hint,
    collation: parseCollation(cmd.collation),
  };
  if (isView(ctx, name)) return { n: matching(ctx, name, req).length, ok: 1 };
  return { n: countDocuments(ctx.store.get(ctx.db, name), req), ok: 1 };
};

const distinct: CommandHandler = (cmd, ctx) => {
  const coll = collectionArg(cmd, ctx);
  const key = cmd.key;
  if (typeof key !== 'string') throw CommandError.of('TypeMismatch', "BSON field 'distinct.key' is the wrong type, expected type 'string'");
  const collation = parseCollation(cmd.collation);
  const values: unknown[] = [];
  const seen = new Set<string>();
  for (const doc of matching(ctx, coll, { filter: docArg(cmd, 'query'), collation })) {
    const at = valuesAtPath(doc, key);
    if (!at.present) continue;
    for (const v of at.values) {
      if (v === undefined) continue;
      if (collation) {
        if (values.some((x) => typeof x === 'string' && typeof v === 'string' && collation.compare(x, v) === 0)) continue;
        if (typeof v === 'string') {
          values.push(v);
          continue;
        }
      }
      const k = canonicalKey(v);
      if (!seen.has(k)) {
        seen.add(k);
        values.push(v);
      }
    }
  }
  return { values, ok: 1 };
};

/**
 * explain for find/aggregate/count/distinct/update/delete/findAndModify: the queryPlanner section
 * with the plan the embedded store would run (COLLSCAN, IXSCAN, OR, EOF).
 */
const explain: CommandHandler = (cmd, ctx) => {
  const inner = docArg(cmd, 'explain');
  if (!inner || Object.keys(inner).length === 0) throw CommandError.of('FailedToParse', 'explain command requires a nested object');
  const name = Object.keys(inner)[0];
  const coll = checkCollectionName(ctx.db, inner[name]);
  const filter = (inner.filter ?? inner.query ?? (Array.isArray(inner.updates) ? inner.updates[0]?.q : undefined) ??
    (Array.isArray(inner.deletes) ? inner.deletes[0]?.q : undefined) ?? {}) as Document;
  const verbosity = cmd.verbosity ?? 'allPlansExecution';
  if (!['queryPlanner', 'executionStats', 'allPlansExecution'].includes(verbosity)) {
    throw CommandError.of('BadValue', `verbosity must be one of queryPlanner, executionStats, allPlansExecution; got ${JSON.stringify(verbosity)}`);
  }
  const read = name === 'find' || name === 'count' || name === 'distinct';
  const { winningPlan, executionStats } = explainRead(
    ctx.store.get(ctx.db, coll),
    {
      filter,
      sort: inner.sort as Document | undefined,
      skip: typeof inner.skip === 'number' ? inner.skip : undefined,
      limit: typeof inner.limit === 'number' ? Math.abs(inner.limit) : undefined,
      hint: inner.hint,
      collation: parseCollation(inner.collation),
    },
    read && verbosity !== 'queryPlanner',
  );
  return {
    queryPlanner: { namespace: `${ctx.db}.${coll}`, parsedQuery: filter, winningPlan, rejectedPlans: [] },
    ...(executionStats ? { executionStats } : {}),
    command: inner,
    serverInfo: { host: 'embedded', version: '7.0.0' },
    ok: 1,
  };
};

export const readCommands: Record<string, CommandHandler> = { find, getMore, killCursors, count, distinct, explain };
