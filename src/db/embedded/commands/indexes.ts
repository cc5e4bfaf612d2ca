/** Index commands: createIndexes, listIndexes, dropIndexes. Unique indexes are enforced by Collection. */
import type { Document } from 'bson';
import type { Collection } from '../storage/collection';
import { CommandError } from '../errors';
import { defaultIndexName } from '../storage/indexSpec';
import { canonicalKey } from '../storage/keys';
import { arrayArg, collectionArg, countArg, docArg, type CommandHandler } from './context';

/** Options that make two indexes on the same key different indexes. */
const IDENTITY_OPTIONS = ['unique', 'sparse', 'partialFilterExpression', 'expireAfterSeconds', 'collation', 'hidden'];

function identity(spec: Document): string {
  return canonicalKey(Object.fromEntries(IDENTITY_OPTIONS.filter((k) => spec[k] !== undefined && spec[k] !== false).map((k) => [k, spec[k]])));
}

function normalise(raw: Document): Document {
  const key = raw.key;
  if (!key || typeof key !== 'object' || Array.isArray(key) || Object.keys(key).length === 0) {
    throw CommandError.of('CannotCreateIndex', "Error in specification: The 'key' field must be a non-empty object");
  }
  const name = typeof raw.name === 'string' && raw.name ? raw.name : defaultIndexName(key as Document);
  const { v: _v, key: _k, name: _n, ...options } = raw;
  return { v: 2, key, name, ...options };
}

/** Adds one index unless an identical one exists. Returns whether it was created. */
function addOne(coll: Collection, spec: Document): boolean {
  const existing = coll.findIndex(spec.name as string);
  if (existing) {
    if (canonicalKey(existing.spec.key) !== canonicalKey(spec.key)) {
      throw CommandError.of(
        'IndexKeySpecsConflict',
        `An existing index has the same name as the requested index. When index names are not specified, they are auto generated and can cause conflicts. Please refer to our documentation. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(existing.spec)}`,
      );
    }
    if (identity(existing.spec) !== identity(spec)) {
      throw CommandError.of('IndexOptionsConflict', `An existing index has the same name as the requested index but different options. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(existing.spec)}`);
    }
    return false;
  }
  const sameKey = coll.indexSpecs().find((s) => canonicalKey(s.key) === canonicalKey(spec.key) && identity(s) === identity(spec));
  if (sameKey) throw CommandError.of('IndexOptionsConflict', `Index already exists with a different name: ${String(sameKey.name)}`);
  coll.addIndex(spec);
  return true;
}

const createIndexes: CommandHandler = (cmd, ctx) => {
  const name = collectionArg(cmd, ctx);
  const indexes = arrayArg(cmd, 'indexes');
  if (!indexes || indexes.length === 0) throw CommandError.of('BadValue', 'Must specify at least one index to create');
  const specs = indexes.map(normalise);
  const createdCollectionAutomatically = !ctx.store.get(ctx.db, name);
  const coll = ctx.store.getOrCreate(ctx.db, name);
  const before = coll.indexCount;
  const created: string[] = [];
  try {
    for (const spec of specs) if (addOne(coll, spec)) created.push(spec.name as string);
  } catch (err) {
    for (const n of created) coll.dropIndex(n);
    throw err;
  }
  return {
    numIndexesBefore: before,
    numIndexesAfter: coll.indexCount,
    ...(created.length ? {} : { note: 'all indexes already exist' }),
    createdCollectionAutomatically,
    ok: 1,
  };
};

const listIndexes: CommandHandler = (cmd, ctx) => {
  const name = collectionArg(cmd, ctx);
  const coll = ctx.store.get(ctx.db, name);
  if (!coll) throw CommandError.of('NamespaceNotFound', `ns does not exist: ${ctx.db}.${name}`);
  return ctx.cursors.first(`${ctx.db}.${name}`, coll.indexSpecs(), countArg(docArg(cmd, 'cursor') ?? {}, 'batchSize') ?? Number.MAX_SAFE_INTEGER);
};

const dropIndexes: CommandHandler = (cmd, ctx) => {
  const name = collectionArg(cmd, ctx);
  const coll = ctx.store.get(ctx.db, name);
  if (!coll) throw CommandError.of('NamespaceNotFound', `ns not found ${ctx.db}.${name}`);
  const nIndexesWas = coll.indexCount;
  const index = cmd.index;
  if (index === '*') {
    coll.dropAllIndexes();
    return { nIndexesWas, msg: 'non-_id indexes dropped for collection', ok: 1 };
  }
  const names: string[] = [];
  if (typeof index === 'string') names.push(index);
  else if (Array.isArray(index)) names.push(...index.map(String));
  else if (index && typeof index === 'object') {
    const found = coll.indexSpecs().find((s) => canonicalKey(s.key) === canonicalKey(index));
    if (!found) throw CommandError.of('IndexNotFound', `can't find index with key: ${JSON.stringify(index)}`);
    names.push(String(found.name));
  } else throw CommandError.of('TypeMismatch', "Field 'index' must be a string, an object or an array of strings");
  for (const n of names) if (!coll.findIndex(n)) throw CommandError.of('IndexNotFound', `index not found with name [${n}]`);
  for (const n of names) coll.dropIndex(n);
  return { nIndexesWas, ok: 1 };
};

export const indexCommands: Record<string, CommandHandler> = { createIndexes, listIndexes, dropIndexes, deleteIndexes: dropIndexes };
