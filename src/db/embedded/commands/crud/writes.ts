/** Write commands: insert, update, delete, with mongod's n / nModified / upserted / writeErrors. */
import type { Document } from 'bson';
import { CommandError } from '../../errors';
import { parseCollation } from '../../query/collation';
import { readDocuments } from '../../query/execute';
import { isOperatorUpdate, isPipeline, updatedDocument, upsertDocument, type UpdateSpec } from '../../query/updates';
import { evaluateLet, mergeVariables } from '../../query/variables';
import type { Collection } from '../../storage/collection';
import { checkStored, prepareInsert } from '../../validation/storedDocument';
import { validateWrite } from '../../validation/validator';
import { arrayArg, boolArg, collectionArg, type CommandContext, type CommandHandler } from '../context';
import { checkFields, STATEMENT_FIELDS } from '../options';
import { refuseView } from '../views';

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

/** The collection a write goes to, created by the first write (as mongod does); views refuse writes. */
function target(cmd: Document, ctx: CommandContext): Collection {
  const name = collectionArg(cmd, ctx);
  refuseView(ctx, name);
  return ctx.store.getOrCreate(ctx.db, name);
}

function result(n: number, errors: WriteError[], extra: Document = {}): Document {
  return { n, ...extra, ...(errors.length ? { writeErrors: errors } : {}), ok: 1 };
}

/** Replaces a stored document after the collection's validator accepted the new version. */
export function replaceChecked(coll: Collection, previous: Document, next: Document, bypass: boolean): void {
  const stored = checkStored(next);
  validateWrite(coll.validator, coll.ns, stored, previous, bypass);
  coll.replace(previous, stored);
}

const insert: CommandHandler = (cmd, ctx) => {
  const documents = arrayArg(cmd, 'documents');
  if (!documents) throw CommandError.of('FailedToParse', "BSON field 'insert.documents' is missing but a required field");
  const ordered = boolArg(cmd, 'ordered', true);
  const bypass = boolArg(cmd, 'bypassDocumentValidation');
  const coll = target(cmd, ctx);
  const errors: WriteError[] = [];
  let n = 0;
  documents.forEach((raw, index) => {
    if (ordered && errors.length) return;
    try {
      const doc = prepareInsert(raw);
      validateWrite(coll.validator, coll.ns, doc, undefined, bypass);
      coll.insert(doc);
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
  c?: Document;
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
  const bypass = boolArg(cmd, 'bypassDocumentValidation');
  const commandLet = evaluateLet(cmd.let, 'update.let');
  for (const stmt of updates) checkFields('update.updates', stmt as Document, STATEMENT_FIELDS['update.updates']);
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
      if (stmt.c !== undefined && !isPipeline(u)) {
        throw CommandError.of('FailedToParse', "Constants ('update.updates.c') can only be specified with pipeline-style updates");
      }
      const variables = mergeVariables(commandLet, evaluateLet(stmt.c, 'update.updates.c'));
      const targets = readDocuments(coll, {
        filter: stmt.q,
        limit: stmt.multi ? undefined : 1,
        hint: stmt.hint,
        collation: parseCollation(stmt.collation),
        variables,
      });
      for (const doc of targets) {
        const next = updatedDocument(doc, u, { arrayFilters: stmt.arrayFilters, filter: stmt.q, variables });
        n++;
        if (next.changed) {
          replaceChecked(coll, doc, next.doc, bypass);
          nModified++;
        }
      }
      if (targets.length === 0 && stmt.upsert) {
        const doc = prepareInsert(upsertDocument(stmt.q, u, { arrayFilters: stmt.arrayFilters, variables }));
        validateWrite(coll.validator, coll.ns, doc, undefined, bypass);
        coll.insert(doc);
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
  const variables = evaluateLet(cmd.let, 'delete.let');
  for (const stmt of deletes) checkFields('delete.deletes', stmt as Document, STATEMENT_FIELDS['delete.deletes']);
  const name = collectionArg(cmd, ctx);
  refuseView(ctx, name);
  const coll = ctx.store.get(ctx.db, name);
  const errors: WriteError[] = [];
  let n = 0;
  deletes.forEach((stmt, index) => {
    if (ordered && errors.length) return;
    try {
      if (stmt.limit !== 0 && stmt.limit !== 1) throw CommandError.of('FailedToParse', 'The limit field in delete objects must be 0 or 1');
      const matched = readDocuments(coll, {
        filter: stmt.q,
        limit: stmt.limit === 1 ? 1 : undefined,
        hint: stmt.hint,
        collation: parseCollation(stmt.collation),
        variables,
      });
      for (const doc of matched) {
        coll!.remove(doc);
        n++;
      }
    } catch (err) {
      errors.push(writeError(index, err));
    }
  });
  return result(n, errors);
};

export const writeCommands: Record<string, CommandHandler> = { insert, update, delete: del };
