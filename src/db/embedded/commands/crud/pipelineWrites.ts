/**
 * The aggregation stages that write: `$out` (replace a collection's documents, keeping its indexes
 * and options, all or nothing) and `$merge` (match each result to a target document by the `on`
 * fields and replace, merge, keep, fail or run a pipeline; insert, discard or fail when nothing
 * matches). Both honour the target's validator unless `bypassDocumentValidation`.
 */
import type { Document } from 'bson';
import { CommandError } from '../../errors';
import { readDocuments } from '../../query/execute';
import { isPlainObject } from '../../query/predicates';
import { checkUpdatePipeline } from '../../query/updates';
import { evaluateLet } from '../../query/variables';
import { runPipeline } from '../../query/mingoEngine';
import { sameValue } from '../../storage/bsonOrder';
import { Collection } from '../../storage/collection';
import { checkCollectionName, checkDbName } from '../../storage/store';
import { prepareInsert } from '../../validation/storedDocument';
import { validateWrite } from '../../validation/validator';
import type { CommandContext } from '../context';
import { refuseView } from '../views';
import { replaceChecked } from './writes';

function namespace(ctx: CommandContext, spec: unknown, stage: string): { db: string; coll: string } {
  if (typeof spec === 'string') return { db: ctx.db, coll: checkCollectionName(ctx.db, spec) };
  if (isPlainObject(spec)) {
    const db = spec.db === undefined ? ctx.db : checkDbName(spec.db);
    return { db, coll: checkCollectionName(db, spec.coll) };
  }
  throw CommandError.of('TypeMismatch', `${stage} must be a collection name or a { db, coll } document`);
}

/** `$out`: the target's documents become `docs`, or nothing changes when one of them is refused. */
export function writeOut(ctx: CommandContext, spec: unknown, docs: Document[], bypass: boolean): void {
  const { db, coll } = namespace(ctx, spec, '$out');
  refuseView(ctx, coll, db);
  const existing = ctx.store.get(db, coll);
  const next = new Collection(db, coll, existing ? { ...existing.options } : {});
  for (const spec of existing?.indexSpecs() ?? []) if (spec.name !== '_id_') next.addIndex(spec);
  for (const d of docs) {
    const doc = prepareInsert(d);
    validateWrite(next.validator, next.ns, doc, undefined, bypass);
    next.insert(doc);
  }
  ctx.store.put(next);
}

const WHEN_MATCHED = ['replace', 'keepExisting', 'merge', 'fail'];
const WHEN_NOT_MATCHED = ['insert', 'discard', 'fail'];

function onFields(spec: unknown): string[] {
  if (spec === undefined) return ['_id'];
  const fields = typeof spec === 'string' ? [spec] : spec;
  if (!Array.isArray(fields) || fields.length === 0 || !fields.every((f) => typeof f === 'string')) {
    throw new CommandError(51186, "$merge 'on' field must be either a string or an array of strings");
  }
  return fields as string[];
}

/** `$merge`: each result document merged into the target (see the file comment). */
export function writeMerge(ctx: CommandContext, spec: unknown, docs: Document[], bypass: boolean): void {
  const stage = typeof spec === 'string' ? { into: spec } : spec;
  if (!isPlainObject(stage)) throw CommandError.of('FailedToParse', '$merge requires a string or an object argument');
  for (const k of Object.keys(stage)) {
    if (!['into', 'on', 'let', 'whenMatched', 'whenNotMatched'].includes(k)) throw new CommandError(40415, `BSON field '$merge.${k}' is an unknown field.`);
  }
  const { db, coll: name } = namespace(ctx, stage.into, '$merge into');
  refuseView(ctx, name, db);
  const on = onFields(stage.on);
  const whenMatched = stage.whenMatched ?? 'merge';
  const whenNotMatched = stage.whenNotMatched ?? 'insert';
  if (Array.isArray(whenMatched)) checkUpdatePipeline(whenMatched);
  else if (!WHEN_MATCHED.includes(whenMatched)) throw CommandError.of('BadValue', `Enumeration value '${String(whenMatched)}' for field 'whenMatched' is not a valid value.`);
  if (!WHEN_NOT_MATCHED.includes(whenNotMatched)) throw CommandError.of('BadValue', `Enumeration value '${String(whenNotMatched)}' for field 'whenNotMatched' is not a valid value.`);
  if (stage.let !== undefined && !Array.isArray(whenMatched)) {
    throw new CommandError(51199, "Cannot use 'let' variables with 'whenMatched: " + String(whenMatched) + "' mode");
  }
  const byId = on.length === 1 && on[0] === '_id';
  const existing = ctx.store.get(db, name);
  const uniqueOn = existing?.secondaryIndexes().find((i) => i.unique && i.fields.length === on.length && on.every((f) => i.fields.includes(f)));
  if (!byId && !uniqueOn) throw new CommandError(51183, 'Cannot find index to verify that join fields will be unique');
  const target = existing ?? ctx.store.getOrCreate(db, name);
  const onIndex = byId ? target.idIndex : uniqueOn!;

  for (const source of docs) {
    const key: Document = {};
    for (const f of on) {
      const v = f.split('.').reduce<unknown>((node, part) => (isPlainObject(node) ? node[part] : undefined), source);
      if (v === undefined || v === null || Array.isArray(v)) {
        throw new CommandError(51132, `$merge write error: 'on' field '${f}' cannot be missing, null, undefined or an array`);
      }
      key[f] = v;
    }
    const [match] = readDocuments(target, { filter: key, limit: 1 });
    if (!match) {
      if (whenNotMatched === 'discard') continue;
      if (whenNotMatched === 'fail') throw new CommandError(13113, '$merge could not find a matching document in the target collection for at least one document in the source collection');
      const doc = prepareInsert(source);
      validateWrite(target.validator, target.ns, doc, undefined, bypass);
      target.insert(doc);
      continue;
    }
    if (whenMatched === 'keepExisting') continue;
    if (whenMatched === 'fail') throw onIndex.duplicateKeyError(target.ns, on.length === 1 ? key[on[0]] : on.map((f) => key[f]));
    let next: Document;
    if (Array.isArray(whenMatched)) {
      // `let` values are evaluated against the source document; without `let`, $$new is the source.
      const variables = stage.let === undefined ? { new: source } : evaluateLet(stage.let, '$merge.let', source);
      const [updated] = runPipeline([match], whenMatched, { variables });
      next = updated?._id === undefined ? { _id: match._id, ...updated } : updated;
    } else if (whenMatched === 'replace') {
      next = { ...source, _id: match._id };
    } else {
      next = { ...match, ...source, _id: match._id };
    }
    // mongod refuses a merge that would change the matched document's _id.
    if (!Array.isArray(whenMatched) && source._id !== undefined && !sameValue(source._id, match._id)) {
      throw CommandError.of(
        'ImmutableField',
        "$merge failed to update the matching document, did you attempt to modify the _id or the shard key? :: caused by :: Performing an update on the path '_id' would modify the immutable field '_id'",
      );
    }
    replaceChecked(target, match, next, bypass);
  }
}
