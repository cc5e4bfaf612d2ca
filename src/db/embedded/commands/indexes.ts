/**
 * Index commands: createIndexes, listIndexes, dropIndexes. Ascending/descending (compound,
 * multikey, unique, sparse, partial, hidden, TTL) indexes are built; other index types and
 * options are refused by name, unknown options answered as mongod does (197).
 */
import type { Document } from 'bson';
import type { Collection } from '../storage/collection';
import { CommandError, unsupported } from '../errors';
import { parseCollation } from '../query/collation';
import { compileFilter } from '../query/mingoEngine';
import { isPlainObject } from '../query/predicates';
import { defaultIndexName } from '../storage/indexSpec';
import { canonicalKey } from '../storage/keys';
import { arrayArg, collectionArg, countArg, docArg, type CommandHandler } from './context';
import { refuseView } from './views';

/** Index specification fields the store builds. */
const INDEX_FIELDS = new Set(['key', 'name', 'v', 'unique', 'sparse', 'partialFilterExpression', 'expireAfterSeconds', 'hidden', 'collation']);
/** Fields mongod accepts and ignores (deprecated since 4.2). */
const IGNORED_FIELDS = new Set(['background', 'ns']);
/** Fields of index types or features the store does not build. */
const REFUSED_FIELDS: Record<string, string> = {
  weights: 'text indexes',
  default_language: 'text indexes',
  language_override: 'text indexes',
  textIndexVersion: 'text indexes',
  '2dsphereIndexVersion': 'geospatial indexes',
  bits: 'geospatial indexes',
  min: 'geospatial indexes',
  max: 'geospatial indexes',
  bucketSize: 'geospatial indexes',
  wildcardProjection: 'wildcard indexes',
  storageEngine: 'storage engine options',
  prepareUnique: 'converting an index to unique',
  clustered: 'clustered indexes',
  columnstoreProjection: 'columnstore indexes',
};
const INDEX_TYPES = ['text', '2d', '2dsphere', 'geoHaystack', 'hashed', 'columnstore'];

/** Checks one index specification as mongod does (see the file comment). */
function checkSpec(raw: Document): void {
  const shown = JSON.stringify(raw);
  for (const k of Object.keys(raw)) {
    if (INDEX_FIELDS.has(k) || IGNORED_FIELDS.has(k)) continue;
    if (k in REFUSED_FIELDS) throw unsupported(`${REFUSED_FIELDS[k]} (index option '${k}')`);
    throw CommandError.of('InvalidIndexSpecificationOption', `The field '${k}' is not valid for an index specification. Specification: ${shown}`);
  }
  const key = raw.key as Document;
  for (const [field, v] of Object.entries(key)) {
    if (field === '$**' || field.endsWith('.$**')) throw unsupported(`wildcard indexes (key '${field}')`);
    if (field.startsWith('$')) throw CommandError.of('CannotCreateIndex', `Index key contains an illegal field name: field name starts with '$'.`);
    if (typeof v === 'string') {
      if (INDEX_TYPES.includes(v)) throw unsupported(`${v} indexes (key { ${field}: '${v}' })`);
      throw CommandError.of('CannotCreateIndex', `Unknown index plugin '${v}'`);
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) throw CommandError.of('CannotCreateIndex', `Values in v:2 index key pattern cannot be of type ${typeof v}. Only numbers > 0, numbers < 0, and strings are allowed.`);
    if (v === 0) throw CommandError.of('CannotCreateIndex', "Values in the index key pattern can't be 0.");
  }
  if (raw.collation !== undefined && parseCollation(raw.collation)) throw unsupported("indexes with a collation (index option 'collation')");
  if (raw.expireAfterSeconds !== undefined) {
    const t = raw.expireAfterSeconds;
    if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) throw CommandError.of('CannotCreateIndex', `TTL index 'expireAfterSeconds' option must be a non-negative number: ${shown}`);
    if (Object.keys(key).length !== 1) throw CommandError.of('CannotCreateIndex', 'TTL indexes are single-field indexes, compound indexes do not support TTL.');
    if (Object.keys(key)[0] === '_id') throw CommandError.of('CannotCreateIndex', "The field 'expireAfterSeconds' is not valid for an _id index specification.");
  }
  if (raw.partialFilterExpression !== undefined) {
    if (!isPlainObject(raw.partialFilterExpression)) throw CommandError.of('TypeMismatch', "The field 'partialFilterExpression' must be an object");
    compileFilter(raw.partialFilterExpression);
  }
  if (raw.hidden === true && raw.name === '_id_') throw CommandError.of('BadValue', "can't hide _id index");
}

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
  checkSpec(raw);
  const name = typeof raw.name === 'string' && raw.name ? raw.name : defaultIndexName(key as Document);
  const { v: _v, key: _k, name: _n, background: _b, ns: _ns, collation: _c, ...options } = raw;
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
  refuseView(ctx, name);
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
  refuseView(ctx, name);
  const coll = ctx.store.get(ctx.db, name);
  if (!coll) throw CommandError.of('NamespaceNotFound', `ns does not exist: ${ctx.db}.${name}`);
  return ctx.cursors.first(`${ctx.db}.${name}`, coll.indexSpecs(), countArg(docArg(cmd, 'cursor') ?? {}, 'batchSize') ?? Number.MAX_SAFE_INTEGER);
};

const dropIndexes: CommandHandler = (cmd, ctx) => {
  const name = collectionArg(cmd, ctx);
  refuseView(ctx, name);
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
