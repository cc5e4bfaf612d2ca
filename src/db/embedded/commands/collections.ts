/**
 * Collection and database commands: create (collections, views, validators), collMod, drop,
 * renameCollection, dropDatabase, listCollections, listDatabases, dbStats.
 */
import { BSON, type Document } from 'bson';
import { CommandError, unsupported } from '../errors';
import { parseCollation } from '../query/collation';
import { compileFilter } from '../query/mingoEngine';
import { isPlainObject } from '../query/predicates';
import { checkCollectionName, checkDbName } from '../storage/store';
import { checkValidatorOptions } from '../validation/validator';
import { boolArg, collectionArg, countArg, docArg, type CommandHandler } from './context';
import { checkViewDefinition, isView, refuseView } from './views';

/** The collection options `create` stores (and listCollections shows). */
const CREATE_OPTIONS = ['validator', 'validationLevel', 'validationAction', 'viewOn', 'pipeline'];

const create: CommandHandler = (cmd, ctx) => {
  const name = collectionArg(cmd, ctx);
  if (ctx.store.get(ctx.db, name)) throw CommandError.of('NamespaceExists', `Collection ${ctx.db}.${name} already exists.`);
  if (cmd.capped === true) throw unsupported("capped collections ('create.capped')");
  if (cmd.collation !== undefined && parseCollation(cmd.collation)) {
    throw unsupported("a default collation for a collection ('create.collation'); pass the collation with each command instead");
  }
  if (cmd.idIndex !== undefined) {
    const key = isPlainObject(cmd.idIndex) ? cmd.idIndex.key : undefined;
    if (!isPlainObject(key) || Object.keys(key).join() !== '_id' || key._id !== 1) throw unsupported("an '_id' index other than { _id: 1 } ('create.idIndex')");
  }
  const options: Document = {};
  for (const k of CREATE_OPTIONS) if (cmd[k] !== undefined) options[k] = cmd[k];
  if (options.viewOn !== undefined) {
    if (options.validator !== undefined || options.validationLevel !== undefined || options.validationAction !== undefined) {
      throw CommandError.of('InvalidOptions', 'Cannot specify validator, validationLevel or validationAction for a view');
    }
    const view = checkViewDefinition(ctx, name, options.viewOn, options.pipeline);
    ctx.store.getOrCreate(ctx.db, name, { viewOn: view.viewOn, pipeline: view.pipeline });
    return { ok: 1 };
  }
  if (options.pipeline !== undefined) throw CommandError.of('InvalidOptions', "'pipeline' requires 'viewOn'");
  checkValidatorOptions('create', options);
  ctx.store.getOrCreate(ctx.db, name, options);
  return { ok: 1 };
};

/** collMod: a collection's validator, validation level and action; a view's definition; an index's hidden/TTL. */
const collMod: CommandHandler = (cmd, ctx) => {
  const name = collectionArg(cmd, ctx);
  const coll = ctx.store.get(ctx.db, name);
  if (!coll) throw CommandError.of('NamespaceNotFound', `ns does not exist: ${ctx.db}.${name}`);
  const reply: Document = { ok: 1 };
  if (isView(ctx, name)) {
    for (const k of ['validator', 'validationLevel', 'validationAction', 'index']) {
      if (cmd[k] !== undefined) throw CommandError.of('InvalidOptions', `option not supported on a view: ${k}`);
    }
    if (cmd.viewOn !== undefined || cmd.pipeline !== undefined) {
      if (cmd.viewOn === undefined || cmd.pipeline === undefined) throw CommandError.of('InvalidOptions', 'Must specify both \'viewOn\' and \'pipeline\' when modifying a view and auth is enabled');
      const view = checkViewDefinition(ctx, name, cmd.viewOn, cmd.pipeline);
      coll.options = { viewOn: view.viewOn, pipeline: view.pipeline };
    }
    return reply;
  }
  if (cmd.viewOn !== undefined || cmd.pipeline !== undefined) throw CommandError.of('InvalidOptions', `${ctx.db}.${name} is a collection, not a view: 'viewOn' and 'pipeline' do not apply`);
  const next: Document = { ...coll.options };
  for (const k of ['validator', 'validationLevel', 'validationAction']) if (cmd[k] !== undefined) next[k] = cmd[k];
  checkValidatorOptions('collMod', next);
  if (cmd.index !== undefined) {
    const spec = docArg(cmd, 'index')!;
    for (const k of Object.keys(spec)) {
      if (!['keyPattern', 'name', 'hidden', 'expireAfterSeconds'].includes(k)) throw unsupported(`'collMod.index.${k}'`);
    }
    const index = typeof spec.name === 'string' ? coll.findIndex(spec.name) : isPlainObject(spec.keyPattern) ? coll.findIndexByKey(spec.keyPattern) : undefined;
    if (!index) throw CommandError.of('IndexNotFound', `cannot find index ${JSON.stringify(spec.name ?? spec.keyPattern)} for ns ${coll.ns}`);
    if (spec.hidden !== undefined) {
      if (index.name === '_id_') throw CommandError.of('BadValue', 'can\'t hide _id index');
      reply.hidden_old = index.hidden;
      reply.hidden_new = spec.hidden === true;
      index.spec.hidden = spec.hidden === true;
      if (!index.spec.hidden) delete index.spec.hidden;
    }
    if (spec.expireAfterSeconds !== undefined) {
      if (typeof spec.expireAfterSeconds !== 'number' || spec.expireAfterSeconds < 0) throw CommandError.of('BadValue', 'expireAfterSeconds must be a non-negative number');
      if (index.expireAfterSeconds === undefined) throw CommandError.of('InvalidOptions', `no expireAfterSeconds field to update on index ${index.name}`);
      reply.expireAfterSeconds_old = index.spec.expireAfterSeconds;
      reply.expireAfterSeconds_new = spec.expireAfterSeconds;
      index.spec.expireAfterSeconds = spec.expireAfterSeconds;
    }
  }
  coll.options = next;
  return reply;
};

const drop: CommandHandler = (cmd, ctx) => {
  const name = collectionArg(cmd, ctx);
  const dropped = ctx.store.drop(ctx.db, name);
  // MongoDB 7.0 answers ok for a collection that does not exist.
  return dropped ? { nIndexesWas: dropped.indexCount, ns: dropped.ns, ok: 1 } : { ok: 1 };
};

/** renameCollection (run on admin): `{ renameCollection: 'db.from', to: 'db.to', dropTarget }`. */
const renameCollection: CommandHandler = (cmd, ctx) => {
  const parse = (ns: unknown, field: string): [string, string] => {
    if (typeof ns !== 'string' || !ns.includes('.')) throw CommandError.of('InvalidNamespace', `Invalid ${field} namespace: ${String(ns)}`);
    const dot = ns.indexOf('.');
    const db = checkDbName(ns.slice(0, dot));
    return [db, checkCollectionName(db, ns.slice(dot + 1))];
  };
  if (ctx.db !== 'admin') throw CommandError.of('IllegalOperation', 'renameCollection may only be run against the admin database.');
  const [fromDb, fromName] = parse(cmd.renameCollection, 'source');
  const [toDb, toName] = parse(cmd.to, 'target');
  const source = ctx.store.get(fromDb, fromName);
  if (!source) throw CommandError.of('NamespaceNotFound', 'Source collection does not exist');
  refuseView({ ...ctx, db: fromDb }, fromName, fromDb);
  if (ctx.store.get(toDb, toName)) {
    if (!boolArg(cmd, 'dropTarget')) throw CommandError.of('NamespaceExists', 'target namespace exists');
    ctx.store.drop(toDb, toName);
  }
  ctx.store.rename(source, toDb, toName);
  return { ok: 1 };
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
    .map((c) => {
      const view = typeof c.options.viewOn === 'string';
      const type = view ? 'view' : 'collection';
      if (nameOnly) return { name: c.name, type };
      if (view) return { name: c.name, type, options: c.options, info: { readOnly: true } };
      return { name: c.name, type, options: c.options, info: { readOnly: false, uuid: c.uuid }, idIndex: { v: 2, key: { _id: 1 }, name: '_id_' } };
    })
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

const dbStats: CommandHandler = (cmd, ctx) => {
  const all = ctx.store.collections(ctx.db);
  const colls = all.filter((c) => typeof c.options.viewOn !== 'string');
  const scale = typeof cmd.scale === 'number' && cmd.scale > 0 ? cmd.scale : 1;
  const objects = colls.reduce((n, c) => n + c.size, 0);
  const dataSize = colls.reduce((n, c) => n + sizeOf(c.all()), 0);
  return {
    db: ctx.db,
    collections: colls.length,
    views: all.length - colls.length,
    objects,
    avgObjSize: objects ? dataSize / objects : 0,
    dataSize: dataSize / scale,
    storageSize: dataSize / scale,
    indexes: colls.reduce((n, c) => n + c.indexCount, 0),
    indexSize: 0,
    totalSize: dataSize / scale,
    scaleFactor: scale,
    ok: 1,
  };
};

export const collectionCommands: Record<string, CommandHandler> = {
  create,
  collMod,
  drop,
  renameCollection,
  dropDatabase,
  listCollections,
  listDatabases,
  dbStats,
};
