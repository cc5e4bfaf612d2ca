/**
 * A small runner for MongoDB's unified-format CRUD specification tests
 * (mongodb/specifications `source/crud/tests/unified/*.json`), to measure how closely a backend
 * behaves like mongod. It is our code; the spec files are not part of this repository: export
 * them to a directory and pass it.
 *
 *   npx tsx bench/crudSpec.ts /tmp/crud-spec [--verbose] [--only <substring>]
 *
 * Backend: MONGODB_URI, else a fresh embedded store. Tests are selected by their
 * runOnRequirements against the server's version and topology (a standalone reports "single").
 * A test passes when every operation's result (expectResult), error (expectError) and the final
 * collection contents (outcome) match. Command-monitoring expectations (expectEvents) are not
 * checked: they test the driver, not the server.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { EJSON, type Document } from 'bson';
import { MongoClient, MongoServerError, type ClientSession, type Collection, type Db } from 'mongodb';
import { EmbeddedMongoServer } from '../src/db/embedded';

const print = (line: string) => process.stdout.write(line + '\n');

type Entity = MongoClient | Db | Collection | ClientSession | unknown;

interface Requirement {
  minServerVersion?: string;
  maxServerVersion?: string;
  topologies?: string[];
  serverless?: string;
  auth?: boolean;
  csfle?: unknown;
  serverParameters?: Document;
}

interface Operation {
  name: string;
  object: string;
  arguments?: Document;
  expectResult?: unknown;
  expectError?: Document;
  saveResultAsEntity?: string;
  ignoreResultAndError?: boolean;
}

interface TestCase {
  description: string;
  runOnRequirements?: Requirement[];
  skipReason?: string;
  operations: Operation[];
  outcome?: Array<{ collectionName: string; databaseName: string; documents: Document[] }>;
}

interface SpecFile {
  description: string;
  runOnRequirements?: Requirement[];
  createEntities?: Document[];
  initialData?: Array<{ collectionName: string; databaseName: string; documents: Document[]; createOptions?: Document }>;
  tests: TestCase[];
}

class Mismatch extends Error {}

function fail(message: string): never {
  throw new Mismatch(message);
}

// ---------------------------------------------------------------------------------------------
// Matching (unified test format, "Evaluating Matches")

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Date) return 'date';
  if (v instanceof RegExp) return 'regex';
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 2 ** 31 ? 'int' : 'double';
  if (typeof v === 'bigint') return 'long';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  const t = (v as { _bsontype?: string })._bsontype;
  switch (t) {
    case 'Int32':
      return 'int';
    case 'Double':
      return 'double';
    case 'Long':
      return 'long';
    case 'Decimal128':
      return 'decimal';
    case 'ObjectId':
      return 'objectId';
    case 'Binary':
      return 'binData';
    case 'Timestamp':
      return 'timestamp';
    case 'BSONRegExp':
      return 'regex';
    case 'MinKey':
      return 'minKey';
    case 'MaxKey':
      return 'maxKey';
    case 'Code':
      return 'javascript';
    case undefined:
      return 'object';
    default:
      return t.toLowerCase();
  }
}

function numeric(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  const t = (v as { _bsontype?: string } | null)?._bsontype;
  if (t === 'Int32' || t === 'Double') return (v as { value: number }).value;
  if (t === 'Long') return (v as { toNumber(): number }).toNumber();
  return undefined;
}

function isDoc(v: unknown): v is Document {
  return typeName(v) === 'object';
}

function sameScalar(expected: unknown, actual: unknown): boolean {
  const en = numeric(expected);
  const an = numeric(actual);
  if (en !== undefined || an !== undefined) return en !== undefined && an !== undefined && (en === an || (Number.isNaN(en) && Number.isNaN(an)));
  return EJSON.stringify(expected as Document, { relaxed: false }) === EJSON.stringify(actual as Document, { relaxed: false });
}

function matchTypes(spec: unknown, actual: unknown): boolean {
  const names = Array.isArray(spec) ? spec : [spec];
  const t = typeName(actual);
  return names.some((n) => n === t || (n === 'number' && ['int', 'long', 'double', 'decimal'].includes(t)));
}

/** Asserts `actual` matches `expected`; root documents may carry extra fields. */
function match(expected: unknown, actual: unknown, root: boolean, at: string, entities: Map<string, Entity>): void {
  if (isDoc(expected)) {
    const keys = Object.keys(expected);
    if (keys.length === 1 && keys[0].startsWith('$$')) {
      special(keys[0], expected[keys[0]], actual, at, entities, root);
      return;
    }
    if (!isDoc(actual)) fail(`${at}: expected a document, got ${typeName(actual)} ${show(actual)}`);
    for (const k of keys) {
      const v = expected[k];
      if (isDoc(v) && Object.keys(v).length === 1) {
        const op = Object.keys(v)[0];
        if (op === '$$exists') {
          if ((actual[k] !== undefined) !== v.$$exists) fail(`${at}.${k}: expected $$exists ${String(v.$$exists)}`);
          continue;
        }
        if (op === '$$unsetOrMatches') {
          if (actual[k] === undefined) continue;
          match(v.$$unsetOrMatches, actual[k], false, `${at}.${k}`, entities);
          continue;
        }
      }
      if (!(k in actual) || actual[k] === undefined) fail(`${at}.${k}: missing (expected ${show(v)})`);
      match(v, actual[k], false, `${at}.${k}`, entities);
    }
    if (!root) {
      const extra = Object.keys(actual).filter((k) => !keys.includes(k) && actual[k] !== undefined);
      if (extra.length) fail(`${at}: unexpected fields ${extra.join(', ')}`);
    }
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) fail(`${at}: expected an array, got ${typeName(actual)} ${show(actual)}`);
    if (actual.length !== expected.length) fail(`${at}: expected ${expected.length} elements, got ${actual.length}: ${show(actual)}`);
    expected.forEach((e, i) => match(e, actual[i], false, `${at}[${i}]`, entities));
    return;
  }
  if (!sameScalar(expected, actual)) fail(`${at}: expected ${show(expected)}, got ${show(actual)}`);
}

function special(op: string, arg: unknown, actual: unknown, at: string, entities: Map<string, Entity>, root: boolean): void {
  switch (op) {
    case '$$type':
      if (!matchTypes(arg, actual)) fail(`${at}: expected type ${show(arg)}, got ${typeName(actual)}`);
      return;
    case '$$exists':
      if ((actual !== undefined) !== arg) fail(`${at}: expected $$exists ${String(arg)}`);
      return;
    case '$$unsetOrMatches':
      if (actual !== undefined) match(arg, actual, root, at, entities);
      return;
    case '$$matchesEntity':
      match(entities.get(String(arg)), actual, root, at, entities);
      return;
    case '$$lte':
      if (!((numeric(actual) ?? NaN) <= (numeric(arg) ?? NaN))) fail(`${at}: expected <= ${show(arg)}`);
      return;
    case '$$sessionLsid':
      return;
    default:
      fail(`${at}: the runner does not implement ${op}`);
  }
}

function show(v: unknown): string {
  try {
    const s = EJSON.stringify(v as Document, { relaxed: true });
    return s.length > 300 ? s.slice(0, 300) + '…' : s;
  } catch {
    return String(v);
  }
}

// ---------------------------------------------------------------------------------------------
// Requirements

function versionCmp(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

interface ServerInfo {
  version: string;
  topology: string;
  client: MongoClient;
}

async function satisfied(reqs: Requirement[] | undefined, server: ServerInfo): Promise<boolean> {
  if (!reqs || reqs.length === 0) return true;
  for (const r of reqs) {
    if (r.minServerVersion && versionCmp(server.version, r.minServerVersion) < 0) continue;
    if (r.maxServerVersion && versionCmp(server.version, r.maxServerVersion) > 0) continue;
    if (r.topologies && !r.topologies.includes(server.topology)) continue;
    if (r.serverless === 'require') continue;
    if (r.auth === true) continue;
    if (r.csfle) continue;
    if (r.serverParameters) {
      const params = await server.client.db('admin').command({ getParameter: 1, ...Object.fromEntries(Object.keys(r.serverParameters).map((k) => [k, 1])) }).catch(() => undefined);
      if (!params || Object.entries(r.serverParameters).some(([k, v]) => !sameScalar(v, params[k]))) continue;
    }
    return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Operations

function camelOptions(args: Document, omit: string[]): Document {
  const out: Document = {};
  for (const [k, v] of Object.entries(args)) {
    if (omit.includes(k)) continue;
    if (k === 'returnDocument') out.returnDocument = String(v).toLowerCase();
    else out[k] = v;
  }
  return out;
}

function plainResult(r: unknown): unknown {
  if (!r || typeof r !== 'object') return r;
  const ctor = (r as object).constructor?.name;
  if (ctor === 'BulkWriteResult') {
    const b = r as Record<string, unknown>;
    return {
      insertedCount: b.insertedCount,
      matchedCount: b.matchedCount,
      modifiedCount: b.modifiedCount,
      deletedCount: b.deletedCount,
      upsertedCount: b.upsertedCount,
      insertedIds: b.insertedIds,
      upsertedIds: b.upsertedIds,
    };
  }
  const doc = r as Document;
  // The Node driver reports "no upsert" as upsertedId: null; the spec reads that as unset.
  if ('matchedCount' in doc && doc.upsertedId === null) {
    const { upsertedId: _u, ...rest } = doc;
    return rest;
  }
  return r;
}

function withSession(opts: Document, entities: Map<string, Entity>): Document {
  if (typeof opts.session === 'string') return { ...opts, session: entities.get(opts.session) };
  return opts;
}

async function runOperation(op: Operation, entities: Map<string, Entity>, server: ServerInfo, failPoints: Array<() => Promise<void>>): Promise<unknown> {
  const args = withSession({ ...(op.arguments ?? {}) }, entities);
  const target = entities.get(op.object);
  if (op.object === 'testRunner') {
    if (op.name === 'failPoint') {
      const client = entities.get(String(args.client)) as MongoClient;
      const fp = args.failPoint as Document;
      await client.db('admin').command(fp);
      failPoints.push(async () => {
        await server.client.db('admin').command({ configureFailPoint: fp.configureFailPoint, mode: 'off' });
      });
      return undefined;
    }
    throw new Error(`runner: testRunner.${op.name} not implemented`);
  }
  if (target instanceof MongoClient) {
    if (op.name === 'clientBulkWrite') {
      const models = (args.models as Document[]).map((m) => {
        const [name, body] = Object.entries(m)[0] as [string, Document];
        return { name, ...body };
      });
      return target.bulkWrite(models as never[], camelOptions(args, ['models']));
    }
    throw new Error(`runner: client.${op.name} not implemented`);
  }
  if (target && (target as Db).constructor?.name === 'Db') {
    const db = target as Db;
    switch (op.name) {
      case 'aggregate':
        return db.aggregate(args.pipeline as Document[], camelOptions(args, ['pipeline'])).toArray();
      case 'createCollection':
        return db.createCollection(String(args.collection), camelOptions(args, ['collection'])).then(() => undefined);
      case 'dropCollection':
        return db.dropCollection(String(args.collection), camelOptions(args, ['collection'])).then(() => undefined);
      case 'modifyCollection':
        return db.command({ collMod: args.collection, ...camelOptions(args, ['collection', 'session']) }).then(() => undefined);
      case 'runCommand':
        return db.command(args.command as Document, camelOptions(args, ['command', 'commandName']));
      default:
        throw new Error(`runner: database.${op.name} not implemented`);
    }
  }
  const coll = target as Collection;
  if (!coll || typeof coll.insertOne !== 'function') throw new Error(`runner: unknown entity ${op.object}`);
  const opts = (omit: string[]) => camelOptions(args, omit);
  switch (op.name) {
    case 'aggregate':
      return coll.aggregate(args.pipeline as Document[], opts(['pipeline'])).toArray();
    case 'bulkWrite':
      return plainResult(await coll.bulkWrite(args.requests as never[], opts(['requests'])));
    case 'countDocuments':
      return coll.countDocuments(args.filter as Document, opts(['filter']));
    case 'count':
      return coll.count(args.filter as Document, opts(['filter']));
    case 'estimatedDocumentCount':
      return coll.estimatedDocumentCount(opts([]));
    case 'deleteMany':
      return coll.deleteMany(args.filter as Document, opts(['filter']));
    case 'deleteOne':
      return coll.deleteOne(args.filter as Document, opts(['filter']));
    case 'distinct':
      return coll.distinct(String(args.fieldName), (args.filter ?? {}) as Document, opts(['fieldName', 'filter']));
    case 'find':
      return coll.find(args.filter as Document, opts(['filter'])).toArray();
    case 'findOne':
      return coll.findOne(args.filter as Document, opts(['filter']));
    case 'findOneAndDelete':
      return coll.findOneAndDelete(args.filter as Document, opts(['filter']));
    case 'findOneAndReplace':
      return coll.findOneAndReplace(args.filter as Document, args.replacement as Document, opts(['filter', 'replacement']));
    case 'findOneAndUpdate':
      return coll.findOneAndUpdate(args.filter as Document, args.update as Document, opts(['filter', 'update']));
    case 'insertMany':
      return coll.insertMany(args.documents as Document[], opts(['documents']));
    case 'insertOne':
      return coll.insertOne(args.document as Document, opts(['document']));
    case 'replaceOne':
      return plainResult(await coll.replaceOne(args.filter as Document, args.replacement as Document, opts(['filter', 'replacement'])));
    case 'updateMany':
      return plainResult(await coll.updateMany(args.filter as Document, args.update as Document, opts(['filter', 'update'])));
    case 'updateOne':
      return plainResult(await coll.updateOne(args.filter as Document, args.update as Document, opts(['filter', 'update'])));
    case 'createIndex':
      return coll.createIndex(args.keys as Document, opts(['keys']));
    default:
      throw new Error(`runner: collection.${op.name} not implemented`);
  }
}

const ROOT_RESULTS = new Set(['findOneAndDelete', 'findOneAndReplace', 'findOneAndUpdate', 'findOne']);
const ROOT_ARRAYS = new Set(['find', 'aggregate']);

function checkResult(op: Operation, result: unknown, entities: Map<string, Entity>): void {
  if (op.expectResult === undefined) return;
  const expected = op.expectResult;
  if (ROOT_ARRAYS.has(op.name) && Array.isArray(expected)) {
    if (!Array.isArray(result)) fail(`result: expected an array, got ${show(result)}`);
    if (result.length !== expected.length) fail(`result: expected ${expected.length} documents, got ${result.length}: ${show(result)}`);
    expected.forEach((e, i) => match(e, result[i], true, `result[${i}]`, entities));
    return;
  }
  const root = ROOT_RESULTS.has(op.name) || isDoc(result);
  match(expected, result, root, 'result', entities);
}

function checkError(op: Operation, err: unknown, entities: Map<string, Entity>): void {
  const e = op.expectError!;
  const server = err instanceof MongoServerError;
  const error = err as MongoServerError & { errorResponse?: Document };
  if (e.isClientError === true && server) fail(`expected a client error, got server error ${error.code}: ${error.message}`);
  if (e.isClientError === false && !server) fail(`expected a server error, got client error: ${error.message}`);
  if (e.errorContains !== undefined && !String(error.message).toLowerCase().includes(String(e.errorContains).toLowerCase())) {
    fail(`expected the error to contain "${e.errorContains}", got "${error.message}"`);
  }
  if (e.errorCode !== undefined && error.code !== numeric(e.errorCode)) fail(`expected error code ${e.errorCode}, got ${String(error.code)}: ${error.message}`);
  if (e.errorCodeName !== undefined && String(error.codeName ?? '').toLowerCase() !== String(e.errorCodeName).toLowerCase()) {
    fail(`expected codeName ${e.errorCodeName}, got ${String(error.codeName)}: ${error.message}`);
  }
  for (const label of (e.errorLabelsContain as string[] | undefined) ?? []) if (!error.hasErrorLabel?.(label)) fail(`expected error label ${label}`);
  for (const label of (e.errorLabelsOmit as string[] | undefined) ?? []) if (error.hasErrorLabel?.(label)) fail(`unexpected error label ${label}`);
  if (e.errorResponse !== undefined) match(e.errorResponse, error.errorResponse ?? {}, true, 'errorResponse', entities);
  if (e.expectResult !== undefined) {
    const partial = (err as { result?: unknown }).result;
    match(e.expectResult, plainResult(partial), true, 'partialResult', entities);
  }
}

// ---------------------------------------------------------------------------------------------
// Files and tests

async function createEntities(defs: Document[] | undefined, uri: string, clients: MongoClient[]): Promise<Map<string, Entity>> {
  const entities = new Map<string, Entity>();
  for (const def of defs ?? []) {
    const [kind, spec] = Object.entries(def)[0] as [string, Document];
    if (kind === 'client') {
      const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000, ...(spec.uriOptions ?? {}) });
      await client.connect();
      clients.push(client);
      entities.set(spec.id, client);
    } else if (kind === 'database') {
      entities.set(spec.id, (entities.get(spec.client) as MongoClient).db(spec.databaseName, spec.databaseOptions));
    } else if (kind === 'collection') {
      entities.set(spec.id, (entities.get(spec.database) as Db).collection(spec.collectionName, spec.collectionOptions));
    } else if (kind === 'session') {
      entities.set(spec.id, (entities.get(spec.client) as MongoClient).startSession(spec.sessionOptions));
    } else {
      throw new Error(`runner: entity type ${kind} not implemented`);
    }
  }
  return entities;
}

async function loadInitialData(file: SpecFile, client: MongoClient): Promise<void> {
  for (const data of file.initialData ?? []) {
    const db = client.db(data.databaseName);
    await db.dropCollection(data.collectionName).catch(() => undefined);
    await db.createCollection(data.collectionName, { ...(data.createOptions ?? {}), writeConcern: { w: 'majority' } });
    if (data.documents.length) await db.collection(data.collectionName).insertMany(data.documents, { writeConcern: { w: 'majority' } });
  }
}

async function checkOutcome(test: TestCase, client: MongoClient): Promise<void> {
  for (const data of test.outcome ?? []) {
    const docs = await client.db(data.databaseName).collection(data.collectionName).find({}, { sort: { _id: 1 }, readConcern: { level: 'local' } }).toArray();
    if (docs.length !== data.documents.length) fail(`outcome ${data.collectionName}: expected ${data.documents.length} documents, got ${docs.length}: ${show(docs)}`);
    data.documents.forEach((d, i) => match(d, docs[i], false, `outcome ${data.collectionName}[${i}]`, new Map()));
  }
}

async function runTest(file: SpecFile, test: TestCase, uri: string, server: ServerInfo): Promise<void> {
  const clients: MongoClient[] = [];
  const failPoints: Array<() => Promise<void>> = [];
  try {
    await loadInitialData(file, server.client);
    const entities = await createEntities(file.createEntities, uri, clients);
    for (const [i, op] of test.operations.entries()) {
      let result: unknown;
      let error: unknown;
      try {
        result = await runOperation(op, entities, server, failPoints);
      } catch (err) {
        if (err instanceof Error && err.message.startsWith('runner:')) throw err;
        error = err;
      }
      if (op.ignoreResultAndError) continue;
      const where = `operation ${i} (${op.name})`;
      try {
        if (op.expectError) {
          if (error === undefined) fail(`expected an error, got result ${show(result)}`);
          checkError(op, error, entities);
        } else {
          if (error !== undefined) fail(`unexpected error ${(error as MongoServerError).code ?? ''}: ${(error as Error).message}`);
          checkResult(op, result, entities);
        }
      } catch (err) {
        if (err instanceof Mismatch) throw new Mismatch(`${where}: ${err.message}`);
        throw err;
      }
      if (op.saveResultAsEntity) entities.set(op.saveResultAsEntity, result);
    }
    await checkOutcome(test, server.client);
  } finally {
    for (const off of failPoints) await off().catch(() => undefined);
    for (const c of clients) await c.close();
  }
}

/**
 * Tests the Node driver itself cannot pass on any server, by file and description, with the
 * reason. They are reported as skipped, never as passed.
 */
const DRIVER_SKIPS: Record<string, string> = {
  'create-null-ids.json: inserting _id with type null via insertOne': 'the Node driver replaces a null _id by an ObjectId before sending',
  'create-null-ids.json: inserting _id with type null via insertMany': 'the Node driver replaces a null _id by an ObjectId before sending',
  'create-null-ids.json: inserting _id with type null via bulkWrite': 'the Node driver replaces a null _id by an ObjectId before sending',
};

interface Tally {
  file: string;
  passed: number;
  failed: number;
  skipped: number;
  failures: string[];
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const verbose = argv.includes('--verbose');
  const onlyAt = argv.indexOf('--only');
  const only = onlyAt >= 0 ? argv[onlyAt + 1] : undefined;
  const dir = argv.find((a, i) => !a.startsWith('--') && argv[i - 1] !== '--only');
  if (!dir) {
    print('usage: npx tsx bench/crudSpec.ts <dir-with-unified-json> [--verbose] [--only <substring>]');
    process.exit(2);
  }
  const embedded = process.env.MONGODB_URI ? undefined : await EmbeddedMongoServer.start();
  const uri = process.env.MONGODB_URI ?? embedded!.uri;
  const client = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 10_000 });
  const build = await client.db('admin').command({ buildInfo: 1 });
  const hello = await client.db('admin').command({ hello: 1 });
  const topology = hello.setName ? 'replicaset' : hello.msg === 'isdbgrid' ? 'sharded' : 'single';
  const server: ServerInfo = { version: String(build.version), topology, client };
  print(`backend: ${process.env.MONGODB_URI ? 'MONGODB_URI' : 'embedded store'} (server ${server.version}, topology ${topology})`);

  const files = readdirSync(dir).filter((f) => f.endsWith('.json') && (!only || f.includes(only))).sort();
  const tallies: Tally[] = [];
  const driverSkipped: string[] = [];
  for (const name of files) {
    const file = EJSON.parse(readFileSync(path.join(dir, name), 'utf8'), { relaxed: true }) as SpecFile;
    const tally: Tally = { file: name, passed: 0, failed: 0, skipped: 0, failures: [] };
    tallies.push(tally);
    const fileApplies = await satisfied(file.runOnRequirements, server);
    for (const test of file.tests) {
      if (!fileApplies || test.skipReason || !(await satisfied(test.runOnRequirements, server))) {
        tally.skipped++;
        continue;
      }
      const driverSkip = DRIVER_SKIPS[`${name}: ${test.description}`];
      if (driverSkip) {
        driverSkipped.push(`${name}: ${test.description} (${driverSkip})`);
        continue;
      }
      try {
        await runTest(file, test, uri, server);
        tally.passed++;
      } catch (err) {
        tally.failed++;
        tally.failures.push(`${test.description}: ${(err as Error).message}`);
      }
    }
  }
  let passed = 0;
  let failed = 0;
  for (const t of tallies) {
    passed += t.passed;
    failed += t.failed;
    if (t.passed + t.failed === 0) continue;
    print(`${t.failed ? 'FAIL' : 'ok  '} ${t.file.padEnd(52)} ${t.passed}/${t.passed + t.failed}`);
    if (verbose) for (const f of t.failures) print(`       - ${f}`);
  }
  for (const d of driverSkipped) print(`skip ${d}`);
  const total = passed + failed;
  print(`\n${passed} of ${total} runnable tests pass (${total ? ((passed / total) * 100).toFixed(1) : '0'} %); ` +
    `${tallies.reduce((n, t) => n + t.skipped, 0)} tests do not apply to this server`);
  await client.close();
  await embedded?.stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
