/**
 * Which fields each command takes, so that none is ignored silently. For every command the store
 * implements: the fields it honours, the fields mongod 7.0 knows that the store refuses (115
 * CommandNotSupported, naming the field), and fields accepted because they cannot change the
 * outcome here (each says why). Any other field is answered as mongod's parser answers it:
 * `BSON field 'find.foo' is an unknown field.` (40415). The generic arguments every command takes
 * (session, read/write concern, comment, API version…) are checked here too.
 */
import type { Document } from 'bson';
import { CommandError, unknownField, unsupported } from '../errors';
import { isPlainObject } from '../query/predicates';

export interface FieldRules {
  /** Fields the handler implements. */
  honoured: string[];
  /** Fields mongod knows that the embedded store refuses, with what they are. */
  refused?: Record<string, string>;
  /** Fields accepted with no effect, and why that is mongod's behaviour here too. */
  inert?: Record<string, string>;
}

/** Arguments every command accepts (mongod's generic arguments), checked by `checkGeneric`. */
const GENERIC = new Set([
  '$db',
  'lsid',
  'txnNumber',
  'autocommit',
  'startTransaction',
  'stmtId',
  'comment',
  'maxTimeMS',
  'readConcern',
  'writeConcern',
  '$readPreference',
  '$clusterTime',
  'apiVersion',
  'apiStrict',
  'apiDeprecationErrors',
  'mayBypassWriteBlocking',
  '$audit',
  '$client',
  'clientOperationKey',
]);

const INTERNAL = 'an internal (server-to-server) field';

/** The field rules of every command whose fields are checked. Handshake and server commands are not. */
export const COMMAND_FIELDS: Record<string, FieldRules> = {
  find: {
    honoured: ['filter', 'projection', 'sort', 'hint', 'skip', 'limit', 'batchSize', 'singleBatch', 'collation', 'let', 'noCursorTimeout', 'showRecordId', 'tailable', 'awaitData'],
    refused: {
      min: 'index bounds (min/max)',
      max: 'index bounds (min/max)',
      returnKey: 'returnKey (answers index keys instead of documents)',
      readOnce: INTERNAL,
      term: INTERNAL,
      $_requestResumeToken: INTERNAL,
      $_resumeAfter: INTERNAL,
      $_startAt: INTERNAL,
      encryptionInformation: 'queryable encryption',
    },
    inert: {
      allowDiskUse: 'a permission to spill to disk; the store never limits memory',
      allowPartialResults: 'about unavailable shards; a standalone has none',
      oplogReplay: 'deprecated; mongod 4.4+ ignores it',
    },
  },
  getMore: { honoured: ['collection', 'batchSize'], refused: { term: INTERNAL, lastKnownCommittedOpTime: INTERNAL } },
  killCursors: { honoured: ['cursors'] },
  count: {
    honoured: ['query', 'limit', 'skip', 'hint', 'collation'],
    refused: { encryptionInformation: 'queryable encryption' },
    inert: { fields: 'a legacy field mongod ignores' },
  },
  distinct: { honoured: ['key', 'query', 'collation'], refused: { encryptionInformation: 'queryable encryption' } },
  aggregate: {
    honoured: ['pipeline', 'explain', 'cursor', 'collation', 'hint', 'let', 'bypassDocumentValidation'],
    refused: {
      exchange: INTERNAL,
      fromMongos: INTERNAL,
      needsMerge: INTERNAL,
      isMapReduceCommand: INTERNAL,
      collectionUUID: 'collectionUUID',
      encryptionInformation: 'queryable encryption',
      $_requestReshardingResumeToken: INTERNAL,
    },
    inert: { allowDiskUse: 'a permission to spill to disk; the store never limits memory' },
  },
  insert: {
    honoured: ['documents', 'ordered', 'bypassDocumentValidation'],
    refused: { encryptionInformation: 'queryable encryption', stmtIds: INTERNAL, collectionUUID: 'collectionUUID' },
  },
  update: {
    honoured: ['updates', 'ordered', 'bypassDocumentValidation', 'let'],
    refused: { encryptionInformation: 'queryable encryption', stmtIds: INTERNAL, collectionUUID: 'collectionUUID' },
  },
  delete: {
    honoured: ['deletes', 'ordered', 'let'],
    refused: { encryptionInformation: 'queryable encryption', stmtIds: INTERNAL, collectionUUID: 'collectionUUID' },
  },
  findAndModify: {
    honoured: ['query', 'sort', 'remove', 'update', 'new', 'fields', 'upsert', 'bypassDocumentValidation', 'collation', 'arrayFilters', 'hint', 'let'],
    refused: { encryptionInformation: 'queryable encryption', collectionUUID: 'collectionUUID' },
  },
  create: {
    honoured: ['validator', 'validationLevel', 'validationAction', 'viewOn', 'pipeline', 'capped', 'collation', 'idIndex'],
    refused: {
      size: 'capped collections',
      max: 'capped collections',
      autoIndexId: 'autoIndexId',
      storageEngine: 'storage engine options',
      indexOptionDefaults: 'index option defaults',
      timeseries: 'time series collections',
      expireAfterSeconds: 'time series collections',
      clusteredIndex: 'clustered collections',
      changeStreamPreAndPostImages: 'change stream pre- and post-images',
      encryptedFields: 'queryable encryption',
      flags: 'collection flags',
      temp: INTERNAL,
      recordIdsReplicated: INTERNAL,
    },
  },
  collMod: {
    honoured: ['validator', 'validationLevel', 'validationAction', 'viewOn', 'pipeline', 'index'],
    refused: {
      expireAfterSeconds: 'time series collections',
      changeStreamPreAndPostImages: 'change stream pre- and post-images',
      cappedSize: 'capped collections',
      cappedMax: 'capped collections',
      timeseries: 'time series collections',
      timeseriesBucketsMayHaveMixedSchemaData: 'time series collections',
      dryRun: 'collMod dryRun',
      prepareUnique: 'converting an index to unique',
      unique: 'converting an index to unique',
      encryptedFields: 'queryable encryption',
    },
  },
  createIndexes: {
    honoured: ['indexes'],
    refused: { ignoreUnknownIndexOptions: 'ignoreUnknownIndexOptions' },
    inert: { commitQuorum: 'index builds are synchronous on one node' },
  },
  listIndexes: { honoured: ['cursor'] },
  dropIndexes: { honoured: ['index'] },
  deleteIndexes: { honoured: ['index'] },
  listCollections: { honoured: ['filter', 'nameOnly', 'cursor'], inert: { authorizedCollections: 'the store has no access control: every collection is authorized' } },
  listDatabases: { honoured: ['filter', 'nameOnly'], inert: { authorizedDatabases: 'the store has no access control: every database is authorized' } },
  drop: { honoured: [] },
  dropDatabase: { honoured: [] },
  renameCollection: { honoured: ['to', 'dropTarget'], inert: { stayTemp: 'the store has no temporary collections' } },
  dbStats: { honoured: ['scale'], inert: { freeStorage: 'in memory: there is no free storage to report' } },
  explain: { honoured: ['explain', 'verbosity'] },
};

/** The checked fields of nested statements (`update.updates.*`, `delete.deletes.*`). */
export const STATEMENT_FIELDS: Record<string, FieldRules> = {
  'update.updates': {
    honoured: ['q', 'u', 'c', 'upsert', 'multi', 'arrayFilters', 'hint', 'collation'],
    refused: { upsertSupplied: INTERNAL, sampleId: INTERNAL, $_allowShardKeyUpdatesWithoutFullShardKeyInQuery: INTERNAL },
  },
  'delete.deletes': { honoured: ['q', 'limit', 'collation', 'hint'], refused: { sampleId: INTERNAL } },
};

/** Applies field rules to one document: unknown fields → 40415, refused ones → 115. */
export function checkFields(path: string, doc: Document, rules: FieldRules, skip: (k: string) => boolean = () => false): void {
  for (const k of Object.keys(doc)) {
    if (skip(k) || rules.honoured.includes(k) || (rules.inert && k in rules.inert)) continue;
    if (rules.refused && k in rules.refused) throw unsupported(`'${path}.${k}' (${rules.refused[k]})`);
    throw unknownField(`${path}.${k}`);
  }
}

function checkReadConcern(rc: unknown): void {
  if (rc === undefined) return;
  if (!isPlainObject(rc)) throw CommandError.of('TypeMismatch', "BSON field 'readConcern' is the wrong type, expected type 'object'");
  for (const [k, v] of Object.entries(rc)) {
    if (k === 'level') {
      // A single in-memory node that runs each command to completion: every level below is met.
      if (['local', 'available', 'majority', 'linearizable'].includes(v as string)) continue;
      if (v === 'snapshot') throw unsupported("readConcern level 'snapshot'");
      throw CommandError.of('FailedToParse', `Enumeration value '${String(v)}' for field 'readConcern.level' is not a valid value.`);
    }
    if (k === 'afterClusterTime' || k === 'atClusterTime' || k === 'afterOpTime') throw unsupported(`readConcern ${k}`);
    if (k === 'provenance') continue;
    throw unknownField(`readConcern.${k}`);
  }
}

function checkWriteConcern(wc: unknown): void {
  if (wc === undefined) return;
  if (!isPlainObject(wc)) throw CommandError.of('FailedToParse', 'writeConcern must be an object');
  for (const [k, v] of Object.entries(wc)) {
    if (k === 'w') {
      if (v === 'majority' || v === 0 || v === 1) continue;
      if (typeof v === 'number' && Number.isInteger(v) && v > 1) {
        throw CommandError.of('BadValue', `cannot use non-majority 'w' mode ${v} when a host is not a member of a replica set`);
      }
      if (typeof v === 'string') throw new CommandError(79, `unrecognized write concern mode: ${v}`);
      throw CommandError.of('FailedToParse', "w has to be a number, a string or an object");
    }
    // j and fsync: accepted; the store is in memory and says so loudly at startup (nothing is durable).
    if (k === 'j' || k === 'fsync' || k === 'wtimeout' || k === 'provenance' || k === 'getLastError') continue;
    throw unknownField(`writeConcern.${k}`);
  }
}

/** The generic arguments: read and write concern values, API strictness, maxTimeMS. */
export function checkGeneric(cmd: Document): void {
  checkReadConcern(cmd.readConcern);
  checkWriteConcern(cmd.writeConcern);
  if (cmd.apiStrict === true) throw unsupported('apiStrict: true (the store does not police the Stable API)');
  if (cmd.apiDeprecationErrors === true) throw unsupported('apiDeprecationErrors: true');
  if (cmd.apiVersion !== undefined && cmd.apiVersion !== '1') throw new CommandError(322, `API version must be "1"`);
  const t = cmd.maxTimeMS;
  if (t !== undefined && t !== null && (typeof t !== 'number' || !Number.isInteger(t) || t < 0)) {
    throw CommandError.of('BadValue', `maxTimeMS must be a non-negative integer, got ${JSON.stringify(t)}`);
  }
}

/** Checks a command's own fields (first field excluded) against its rules, if it has rules. */
export function checkCommandFields(name: string, cmd: Document): void {
  const rules = COMMAND_FIELDS[name];
  if (!rules) return;
  const first = Object.keys(cmd)[0];
  checkFields(name, cmd, rules, (k) => k === first || GENERIC.has(k));
}
