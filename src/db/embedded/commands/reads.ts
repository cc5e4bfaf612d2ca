/** Read commands: find (with cursors), getMore, killCursors, count, distinct. */
import { Long, type Document } from 'bson';
import type { Collection } from '../collection';
import { CommandError } from '../errors';
import { canonicalKey, valuesAtPath } from '../keys';
import { compileFilter, shape } from '../mingoEngine';
import { checkCollectionName } from '../store';
import { boolArg, collectionArg, countArg, docArg, type CommandContext, type CommandHandler } from './context';

/**
 * The documents of `coll` matching `filter`, narrowed through the `_id` map or a unique index
 * when there is no collation. Narrowing only drops an `_id` conjunct that is valid and exact, so
 * the residual filter fails to compile exactly when the whole filter does.
 */
export function matchingIn(coll: Collection, filter: Document | undefined, collation?: Document): Document[] {
  if (collation) return coll.all().filter(compileFilter(filter, collation));
  const narrowed = coll.narrow(filter);
  return narrowed.docs.filter(compileFilter(narrowed.filter));
}

/** The documents of `coll` matching `filter` (none when the collection does not exist). */
export function matching(ctx: CommandContext, coll: string, filter: Document | undefined, collation?: Document): Document[] {
  const c = ctx.store.get(ctx.db, coll);
  if (c) return matchingIn(c, filter, collation);
  compileFilter(filter, collation); // an invalid filter fails even without a collection
  return [];
}

const find: CommandHandler = (cmd, ctx) => {
  const coll = collectionArg(cmd, ctx);
  const filter = docArg(cmd, 'filter');
  const collation = docArg(cmd, 'collation');
  const rawLimit = cmd.limit;
  if (typeof rawLimit === 'number' && rawLimit < 0) {
    throw CommandError.of('BadValue', `BSON field 'limit' value must be >= 0, actual value '${rawLimit}'`);
  }
  const docs = shape(matching(ctx, coll, filter, collation), {
    sort: docArg(cmd, 'sort'),
    skip: countArg(cmd, 'skip'),
    limit: countArg(cmd, 'limit'),
    projection: docArg(cmd, 'projection'),
    collation,
  });
  return ctx.cursors.first(`${ctx.db}.${coll}`, docs, countArg(cmd, 'batchSize'), boolArg(cmd, 'singleBatch'));
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
  const coll = collectionArg(cmd, ctx);
  const docs = matching(ctx, coll, docArg(cmd, 'query'), docArg(cmd, 'collation'));
  const skip = countArg(cmd, 'skip') ?? 0;
  const limit = Math.abs(typeof cmd.limit === 'number' ? cmd.limit : 0);
  const n = Math.max(0, docs.length - skip);
  return { n: limit ? Math.min(limit, n) : n, ok: 1 };
};

const distinct: CommandHandler = (cmd, ctx) => {
  const coll = collectionArg(cmd, ctx);
  const key = cmd.key;
  if (typeof key !== 'string') throw CommandError.of('TypeMismatch', "BSON field 'distinct.key' is the wrong type, expected type 'string'");
  const seen = new Set<string>();
  const values: unknown[] = [];
  for (const doc of matching(ctx, coll, docArg(cmd, 'query'), docArg(cmd, 'collation'))) {
    const at = valuesAtPath(doc, key);
    if (!at.present) continue;
    for (const v of at.values) {
      if (v === undefined) continue;
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
 * explain for find/aggregate/count/distinct/update/delete/findAndModify: a minimal
 * queryPlanner section (the embedded store always scans or looks up by _id).
 */
const explain: CommandHandler = (cmd, ctx) => {
  const inner = docArg(cmd, 'explain');
  if (!inner || Object.keys(inner).length === 0) throw CommandError.of('FailedToParse', 'explain command requires a nested object');
  const name = Object.keys(inner)[0];
  const coll = checkCollectionName(ctx.db, inner[name]);
  return {
    queryPlanner: {
      namespace: `${ctx.db}.${coll}`,
      parsedQuery: inner.filter ?? inner.query ?? {},
      winningPlan: { stage: 'COLLSCAN' },
      rejectedPlans: [],
    },
    command: inner,
    serverInfo: { host: 'embedded', version: '7.0.0' },
    ok: 1,
  };
};

export const readCommands: Record<string, CommandHandler> = { find, getMore, killCursors, count, distinct, explain };
