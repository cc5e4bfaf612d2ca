/** Write commands: insert, update, delete, with mongod's n / nModified / upserted / writeErrors. */
import { ObjectId, type Document } from 'bson';
import type { Collection } from '../storage/collection';
import { bsonSize } from '../docSize';
import { CommandError } from '../errors';
import { parseCollation } from '../query/collation';
import { readDocuments } from '../query/execute';
import { idFirst, isOperatorUpdate, isPipeline, updatedDocument, upsertDocument, type UpdateSpec } from '../query/updates';
import { MAX_BSON_SIZE } from '../wire';
import { arrayArg, boolArg, collectionArg, type CommandContext, type CommandHandler } from './context';

interface WriteError {
  index: number;
  code: number;
  errmsg: string;
  [extra: string]: unknown;
}

function writeError(index: number, err: unknown): WriteError {
  if (err instanceof CommandError) return { index, code: err.code, errmsg: err.message, ...err.extra };
  throw err;
}

/** Checks and completes a document to insert: an object, `_id` first (generated if absent). */
export function prepareInsert(doc: unknown): Document {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw CommandError.of('TypeMismatch', 'document to insert must be an object');
  const d = doc as Document;
  if (Array.isArray(d._id)) throw CommandError.of('InvalidIdField', "The '_id' value cannot be of type array");
  if (d._id instanceof RegExp) throw CommandError.of('InvalidIdField', "The '_id' value cannot be of type regex");
  if (bsonSize(d) > MAX_BSON_SIZE) throw CommandError.of('BSONObjectTooLarge', 'object to insert too large');
  return idFirst(d._id === undefined ? { _id: new ObjectId(), ...d } : d);
}

/** The first collection write of a command creates the collection (as mongod does). */
function target(cmd: Document, ctx: CommandContext): Collection {
  return ctx.store.getOrCreate(ctx.db, collectionArg(cmd, ctx));
}

function result(n: number, errors: WriteError[], extra: Document = {}): Document {
  return { n, ...extra, ...(errors.length ? { writeErrors: errors } : {}), ok: 1 };
}

const insert: CommandHandler = (cmd, ctx) => {
  const documents = arrayArg(cmd, 'documents');
  if (!documents) throw CommandError.of('FailedToParse', "BSON field 'insert.documents' is missing but a required field");
  const ordered = boolArg(cmd, 'ordered', true);
  const coll = target(cmd, ctx);
  const errors: WriteError[] = [];
  let n = 0;
  documents.forEach((raw, index) => {
    if (ordered && errors.length) return;
    try {
      coll.insert(prepareInsert(raw));
      n++;
    } catch (err) {
      errors.push(writeError(index, err));
    }
  });
  return result(n, errors);
};

interface UpdateStatement {
  q?: Document;
  u?: UpdateSpec;
  upsert?: boolean;
  multi?: boolean;
  arrayFilters?: Document[];
  collation?: Document;
  hint?: unknown;
}

const update: CommandHandler = (cmd, ctx) => {
  const updates = arrayArg(cmd, 'updates') as UpdateStatement[] | undefined;
  if (!updates) throw CommandError.of('FailedToParse', "BSON field 'update.updates' is missing but a required field");
  const ordered = boolArg(cmd, 'ordered', true);
  const coll = target(cmd, ctx);
  const errors: WriteError[] = [];
  const upserted: Document[] = [];
  let n = 0;
  let nModified = 0;
  updates.forEach((stmt, index) => {
    if (ordered && errors.length) return;
    try {
      const u = stmt.u;
      if (!u || typeof u !== 'object') throw CommandError.of('FailedToParse', "BSON field 'update.updates.u' is missing but a required field");
      if (stmt.multi && !isPipeline(u) && !isOperatorUpdate(u)) {
        throw CommandError.of('FailedToParse', 'multi update is not supported for replacement-style update');
      }
      const targets = readDocuments(coll, { filter: stmt.q, limit: stmt.multi ? undefined : 1, hint: stmt.hint, collation: parseCollation(stmt.collation) });
      for (const doc of targets) {
        const next = updatedDocument(doc, u, { arrayFilters: stmt.arrayFilters, filter: stmt.q });
        n++;
        if (next.changed) {
          coll.replace(doc, next.doc);
          nModified++;
        }
      }
      if (targets.length === 0 && stmt.upsert) {
        const doc = upsertDocument(stmt.q, u, { arrayFilters: stmt.arrayFilters });
        coll.insert(prepareInsert(doc));
        upserted.push({ index, _id: doc._id });
        n++;
      }
    } catch (err) {
      errors.push(writeError(index, err));
    }
  });
  return result(n, errors, { nModified, ...(upserted.length ? { upserted } : {}) });
};

interface DeleteStatement {
  q?: Document;
  limit?: number;
  collation?: Document;
  hint?: unknown;
}

const del: CommandHandler = (cmd, ctx) => {
  const deletes = arrayArg(cmd, 'deletes') as DeleteStatement[] | undefined;
  if (!deletes) throw CommandError.of('FailedToParse', "BSON field 'delete.deletes' is missing but a required field");
  const ordered = boolArg(cmd, 'ordered', true);
  const coll = ctx.store.get(ctx.db, collectionArg(cmd, ctx));
  const errors: WriteError[] = [];
  let n = 0;
  deletes.forEach((stmt, index) => {
    if (ordered && errors.length) return;
    try {
      if (stmt.limit !== 0 && stmt.limit !== 1) throw CommandError.of('FailedToParse', 'The limit field in delete objects must be 0 or 1');
      const matched = readDocuments(coll, { filter: stmt.q, limit: stmt.limit === 1 ? 1 : undefined, hint: stmt.hint, collation: parseCollation(stmt.collation) });
      for (const doc of matched) {
        if (!coll) break;
        coll.remove(doc);
        n++;
      }
    } catch (err) {
      errors.push(writeError(index, err));
    }
  });
  return result(n, errors);
};

export const writeCommands: Record<string, CommandHandler> = { insert, update, delete: del };
