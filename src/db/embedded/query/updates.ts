/**
 * Turning an update specification (operators, replacement document or pipeline) into the next
 * version of a document, and building the document an upsert inserts. The operators themselves
 * are mingo's; `$setOnInsert` (which mingo lacks) is applied here as a `$set` on insert only.
 */
import { ObjectId, type Document } from 'bson';
import { cloneDeep, isEqual } from 'mingo/util';
import { CommandError } from '../errors';
import { sameValue } from '../storage/bsonOrder';
import { idFirst } from '../validation/storedDocument';
import { applyOperators, runPipeline } from './mingoEngine';

export type UpdateSpec = Document | Document[];

export function isPipeline(u: UpdateSpec): u is Document[] {
  return Array.isArray(u);
}

/** True for `{ $set: … }`-style updates, false for replacement documents. Rejects mixtures. */
export function isOperatorUpdate(u: UpdateSpec): boolean {
  if (isPipeline(u)) return false;
  const keys = Object.keys(u);
  const ops = keys.filter((k) => k.startsWith('$'));
  if (ops.length === 0) return false;
  const plain = keys.find((k) => !k.startsWith('$'));
  if (plain !== undefined) {
    throw CommandError.of('FailedToParse', `Unknown modifier: ${plain}. Expected a valid update modifier or pipeline-style update specified as an array`);
  }
  return true;
}

function checkId(before: unknown, after: unknown): void {
  if (!sameValue(before, after) || typeOf(before) !== typeOf(after)) {
    throw CommandError.of('ImmutableField', "Performing an update on the path '_id' would modify the immutable field '_id'");
  }
}

function operatorsFor(u: Document, inserting: boolean): Document {
  const { $setOnInsert, ...rest } = u;
  if (!inserting || !$setOnInsert || typeof $setOnInsert !== 'object') return rest;
  const set = { ...(rest.$set as Document | undefined) };
  for (const [k, v] of Object.entries($setOnInsert as Document)) {
    if (k in set) throw CommandError.of('ConflictingUpdateOperators', `Updating the path '${k}' would create a conflict at '${k}'`);
    set[k] = v;
  }
  return { ...rest, $set: set };
}

function typeOf(v: unknown): string {
  return v === null ? 'null' : typeof v === 'object' ? ((v as { _bsontype?: string })._bsontype ?? (v instanceof Date ? 'date' : 'object')) : typeof v;
}

/** The stages mongod runs in a pipeline-style update. */
const UPDATE_STAGES = new Set(['$addFields', '$set', '$project', '$unset', '$replaceRoot', '$replaceWith']);

/** Throws InvalidOptions (72) for a stage mongod does not allow in an update pipeline. */
export function checkUpdatePipeline(pipeline: Document[]): void {
  for (const stage of pipeline) {
    const keys = stage && typeof stage === 'object' && !Array.isArray(stage) ? Object.keys(stage) : [];
    if (keys.length !== 1) throw CommandError.of('FailedToParse', 'A pipeline stage specification object must contain exactly one field.');
    if (!UPDATE_STAGES.has(keys[0])) {
      if (!keys[0].startsWith('$')) throw new CommandError(40324, `Unrecognized pipeline stage name: '${keys[0]}'`);
      throw CommandError.of('InvalidOptions', `${keys[0]} is not allowed to be used within an update`);
    }
  }
}

/** Runs an update pipeline on one document; a result without `_id` keeps the original one (as mongod). */
function runUpdatePipeline(doc: Document, pipeline: Document[], variables?: Document): Document | undefined {
  checkUpdatePipeline(pipeline);
  const [next] = runPipeline([doc], pipeline, { variables });
  if (!next) return undefined;
  if (next._id === undefined && doc._id !== undefined) return { _id: doc._id, ...next };
  return next;
}

/** Whether an operator update uses the positional `$` (which needs the query that matched). */
function usesPositional(ops: Document): boolean {
  return Object.values(ops).some(
    (fields) => fields && typeof fields === 'object' && Object.keys(fields as Document).some((p) => /(^|\.)\$(\.|$)/.test(p)),
  );
}

export interface UpdateOptions {
  arrayFilters?: Document[];
  /** The query that selected the document, for the positional `$` operator. */
  filter?: Document;
  /** `let` variables and statement constants, for pipeline-style updates. */
  variables?: Document;
}

/** The next version of `doc` (a new object; `doc` is untouched) and whether anything changed. */
export function updatedDocument(doc: Document, u: UpdateSpec, opts: UpdateOptions = {}): { doc: Document; changed: boolean } {
  if (isPipeline(u)) {
    const next = runUpdatePipeline(doc, u, opts.variables);
    if (!next) throw CommandError.of('BadValue', 'the update pipeline removed the document');
    checkId(doc._id, next._id);
    const out = idFirst(next);
    return { doc: out, changed: !isEqual(doc, out) };
  }
  if (isOperatorUpdate(u)) {
    const next = cloneDeep(doc) as Document;
    const ops = operatorsFor(u, false);
    const positional = usesPositional(ops);
    const paths = Object.keys(ops).length ? applyOperators(next, ops, opts.arrayFilters, positional ? opts.filter : undefined) : [];
    checkId(doc._id, next._id);
    return { doc: paths.length ? idFirst(next) : doc, changed: paths.length > 0 };
  }
  if (u._id !== undefined) checkId(doc._id, u._id);
  const next = idFirst({ ...u, _id: doc._id });
  return { doc: next, changed: !isEqual(doc, next) };
}

function setPath(target: Document, path: string, value: unknown): void {
  const parts = path.split('.');
  if (parts.includes('__proto__')) throw CommandError.of('BadValue', `invalid field path '${path}'`);
  let node = target;
  for (let i = 0; i < parts.length - 1; i++) {
    const existing = Object.prototype.hasOwnProperty.call(node, parts[i]) ? node[parts[i]] : undefined;
    if (!existing || typeof existing !== 'object') node[parts[i]] = {};
    node = node[parts[i]] as Document;
  }
  node[parts[parts.length - 1]] = value;
}

function isEqualityValue(v: unknown): boolean {
  if (v instanceof RegExp) return false;
  if (v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) && !(v as { _bsontype?: string })._bsontype) {
    return Object.keys(v).every((k) => !k.startsWith('$'));
  }
  return true;
}

/** The fields an upsert copies from its query: equality conditions, including those inside `$and`. */
export function seedFromFilter(filter: Document | undefined): Document {
  const out: Document = {};
  const visit = (f: Document): void => {
    for (const [k, v] of Object.entries(f)) {
      if (k === '$and' && Array.isArray(v)) v.forEach((c) => c && typeof c === 'object' && visit(c as Document));
      else if (k.startsWith('$')) continue;
      else if (isEqualityValue(v)) setPath(out, k, cloneDeep(v));
      else if (v && typeof v === 'object' && '$eq' in (v as Document) && isEqualityValue((v as Document).$eq)) setPath(out, k, cloneDeep((v as Document).$eq));
    }
  };
  if (filter) visit(filter);
  return out;
}

/** The document an upsert inserts when nothing matched. */
export function upsertDocument(filter: Document | undefined, u: UpdateSpec, opts: UpdateOptions = {}): Document {
  const seed = seedFromFilter(filter);
  let doc: Document;
  if (isPipeline(u)) {
    doc = runUpdatePipeline(seed, u, opts.variables) ?? seed;
  } else if (isOperatorUpdate(u)) {
    const queriedId = seed._id;
    doc = seed;
    const ops = operatorsFor(u, true);
    if (Object.keys(ops).length) applyOperators(doc, ops, opts.arrayFilters);
    if (queriedId !== undefined) checkId(queriedId, doc._id);
  } else {
    if (u._id !== undefined && seed._id !== undefined) checkId(seed._id, u._id);
    doc = { ...u };
    if (doc._id === undefined && seed._id !== undefined) doc._id = seed._id;
  }
  if (doc._id === undefined) doc._id = new ObjectId();
  return idFirst(doc);
}
