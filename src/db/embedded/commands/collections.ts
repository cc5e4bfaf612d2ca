/** Collection and database commands: create, drop, dropDatabase, listCollections, listDatabases, dbStats. */
import { BSON, type Document } from 'bson';
import { CommandError } from '../errors';
import { compileFilter } from '../query/mingoEngine';
import { boolArg, collectionArg, countArg, docArg, type CommandHandler } from './context';

const create: CommandHandler = (cmd, ctx) => {
  const name = collectionArg(cmd, ctx);
  if (ctx.store.get(ctx.db, name)) throw CommandError.of('NamespaceExists', `Collection ${ctx.db}.${name} already exists.`);
  const options: Document = {};
  for (const [k, v] of Object.entries(cmd)) {
    if (k === 'create' || k.startsWith('$') || ['lsid', 'writeConcern', 'comment', 'txnNumber', 'apiVersion', 'apiStrict'].includes(k)) continue;
    options[k] = v;
  }
  ctx.store.getOrCreate(ctx.db, name, options);
  return { ok: 1 };
};

const drop: CommandHandler = (cmd, ctx) => {
  const name = collectionArg(cmd, ctx);
  const dropped = ctx.store.drop(ctx.db, name);
  // MongoDB 7.0 answers ok for a collection that does not exist.
  return dropped ? { nIndexesWas: dropped.indexCount, ns: dropped.ns, ok: 1 } : { ok: 1 };
};

const dropDatabase: CommandHandler = (_cmd, ctx) => {
  ctx.store.dropDatabase(ctx.db);
  return { dropped: ctx.db, ok: 1 };
};

const listCollections: CommandHandler = (cmd, ctx) => {
  const nameOnly = boolArg(cmd, 'nameOnly');
  const match = compileFilter(docArg(cmd, 'filter'));
  const entries = ctx.store
    .collections(ctx.db)
    .map((c) =>
      nameOnly
        ? { name: c.name, type: 'collection' }
        : {
            name: c.name,
            type: 'collection',
            options: c.options,
            info: { readOnly: false, uuid: c.uuid },
            idIndex: { v: 2, key: { _id: 1 }, name: '_id_' },
          },
    )
    .filter(match);
  const batchSize = countArg(docArg(cmd, 'cursor') ?? {}, 'batchSize');
  return ctx.cursors.first(`${ctx.db}.$cmd.listCollections`, entries, batchSize ?? Number.MAX_SAFE_INTEGER);
};

function sizeOf(docs: Document[]): number {
  let total = 0;
  for (const d of docs) total += BSON.calculateObjectSize(d);
  return total;
}

const listDatabases: CommandHandler = (cmd, ctx) => {
  const match = compileFilter(docArg(cmd, 'filter'));
  const nameOnly = boolArg(cmd, 'nameOnly');
  const databases = ctx.store
    .databaseNames()
    .map((name) => {
      const sizeOnDisk = ctx.store.collections(name).reduce((n, c) => n + sizeOf(c.all()), 0);
      return nameOnly ? { name } : { name, sizeOnDisk, empty: false };
    })
    .filter(match);
  if (nameOnly) return { databases, ok: 1 };
  const totalSize = databases.reduce((n, d) => n + ((d as { sizeOnDisk?: number }).sizeOnDisk ?? 0), 0);
  return { databases, totalSize, totalSizeMb: Math.round(totalSize / 2 ** 20), ok: 1 };
};

const dbStats: CommandHandler = (_cmd, ctx) => {
  const colls = ctx.store.collections(ctx.db);
  const objects = colls.reduce((n, c) => n + c.size, 0);
  const dataSize = colls.reduce((n, c) => n + sizeOf(c.all()), 0);
  return {
    db: ctx.db,
    collections: colls.length,
    views: 0,
    objects,
    avgObjSize: objects ? dataSize / objects : 0,
    dataSize,
    storageSize: dataSize,
    indexes: colls.reduce((n, c) => n + c.indexCount, 0),
    indexSize: 0,
    totalSize: dataSize,
    scaleFactor: 1,
    ok: 1,
  };
};

export const collectionCommands: Record<string, CommandHandler> = {
  create,
  drop,
  dropDatabase,
  listCollections,
  listDatabases,
  dbStats,
};
