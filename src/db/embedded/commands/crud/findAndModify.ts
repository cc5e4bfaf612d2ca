/** findAndModify: one document found (by query and sort), then updated, replaced or removed. */
import type { Document } from 'bson';
import { CommandError } from '../../errors';
import { parseCollation } from '../../query/collation';
import { project } from '../../query/mingoEngine';
import { readDocuments } from '../../query/execute';
import { updatedDocument, upsertDocument, type UpdateSpec } from '../../query/updates';
import { evaluateLet } from '../../query/variables';
import { prepareInsert } from '../../validation/storedDocument';
import { validateWrite } from '../../validation/validator';
import { arrayArg, boolArg, collectionArg, docArg, type CommandHandler } from '../context';
import { refuseView } from '../views';
import { replaceChecked } from './writes';

const findAndModify: CommandHandler = (cmd, ctx) => {
  const name = collectionArg(cmd, ctx);
  const query = docArg(cmd, 'query');
  const remove = boolArg(cmd, 'remove');
  const upsert = boolArg(cmd, 'upsert');
  const returnNew = boolArg(cmd, 'new');
  const fields = docArg(cmd, 'fields');
  const u = cmd.update as UpdateSpec | undefined;
  const arrayFilters = arrayArg(cmd, 'arrayFilters');
  if (remove && u !== undefined) throw CommandError.of('FailedToParse', 'Cannot specify both an update and remove=true');
  if (!remove && (u === undefined || u === null || typeof u !== 'object')) {
    throw CommandError.of('FailedToParse', 'Either an update or remove=true must be specified');
  }
  if (remove && upsert) throw CommandError.of('FailedToParse', 'Cannot specify both upsert=true and remove=true');
  if (remove && returnNew) throw CommandError.of('FailedToParse', 'Cannot specify both new=true and remove=true; \'remove\' always returns the deleted document');

  refuseView(ctx, name);
  const collation = parseCollation(cmd.collation);
  const variables = evaluateLet(cmd.let, 'findAndModify.let');
  const bypass = boolArg(cmd, 'bypassDocumentValidation');
  const [found] = readDocuments(ctx.store.get(ctx.db, name), { filter: query, sort: docArg(cmd, 'sort'), limit: 1, hint: cmd.hint, collation, variables });
  const shown = (doc: Document | undefined): Document | null => (doc ? project([doc], fields, { collation, variables })[0] ?? null : null);

  if (remove) {
    if (found) ctx.store.get(ctx.db, name)!.remove(found);
    return { lastErrorObject: { n: found ? 1 : 0 }, value: shown(found), ok: 1 };
  }
  const coll = ctx.store.getOrCreate(ctx.db, name);
  if (found) {
    const next = updatedDocument(found, u!, { arrayFilters, filter: query, variables });
    if (next.changed) replaceChecked(coll, found, next.doc, bypass);
    return { lastErrorObject: { n: 1, updatedExisting: true }, value: shown(returnNew ? next.doc : found), ok: 1 };
  }
  if (upsert) {
    const doc = prepareInsert(upsertDocument(query, u!, { arrayFilters, variables }));
    validateWrite(coll.validator, coll.ns, doc, undefined, bypass);
    coll.insert(doc);
    return { lastErrorObject: { n: 1, updatedExisting: false, upserted: doc._id }, value: returnNew ? shown(doc) : null, ok: 1 };
  }
  return { lastErrorObject: { n: 0, updatedExisting: false }, value: null, ok: 1 };
};

export const findAndModifyCommands: Record<string, CommandHandler> = { findAndModify, findandmodify: findAndModify };
