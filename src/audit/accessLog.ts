/**
 * The access log (collection `accessLog`): one document per request (or per write intent), holding
 * the subjects it touched grouped by what was done to them. Names only, never values. Readers see
 * one entry per subject (`flatten`, `readEntries`), numbered `<document id>.<k>`: that is also the
 * entry's place in the transparency log.
 */
import { Types, Schema, type Connection, type Model, type PipelineStage } from 'mongoose';

export type Decision = 'allowed' | 'partial' | 'denied';
/** For writes: the intent recorded before the change, then whether it committed. */
export type WritePhase = 'intent' | 'committed' | 'failed';

export interface Actor {
  kind: string;
  id: string;
  roles: string[];
  partner?: string;
}

/** Subjects of one type that had exactly the same things done to them in one request. */
export interface AccessEntry {
  subjectType: string;
  /** null for an operation-level record with no subject. */
  subjectIds: Array<string | null>;
  fieldsRead: string[];
  fieldsDenied: string[];
  fieldsWritten: string[];
  decision: Decision;
  /** For operation-level denials: the error code (e.g. PURPOSE_NOT_ALLOWED). */
  code?: string;
  /** The policy reason of a denial, when there is one. */
  reason?: string;
  write?: WritePhase;
  /** Ordinal of this entry's first subject within the document (k of `<doc id>.<k>`). */
  k0: number;
}

/** One stored document: who and why (once), then the entries. */
export interface AccessEvent {
  _id?: Types.ObjectId;
  at: Date;
  requestId: string;
  actor: Actor;
  purpose: string | null;
  taskId: string | null;
  operationName: string | null;
  audience: string | null;
  /** `intent` for a write-ahead record, `request` for the record of a whole request. */
  phase: 'intent' | 'request';
  entries: AccessEntry[];
  /** Subjects in all (the sum of the entries' subjectIds). */
  subjects: number;
}

/** One entry per subject, as the API, the customer's history and the tests see the log. */
export interface AccessLogRecord {
  /** `<document id>.<k>`. */
  id: string;
  at: Date;
  requestId: string;
  actor: Actor;
  purpose: string | null;
  taskId: string | null;
  operationName: string | null;
  subjectType: string;
  subjectId: string | null;
  fieldsRead: string[];
  fieldsDenied: string[];
  fieldsWritten: string[];
  decision: Decision;
  code?: string;
  reason?: string;
  write?: WritePhase;
}

export class AppendOnlyError extends Error {
  constructor(operation: string) {
    super(`The access log is append-only: ${operation} is refused`);
    this.name = 'AppendOnlyError';
  }
}

const actorSchema = new Schema(
  { kind: { type: String, required: true }, id: { type: String, required: true }, roles: { type: [String], default: [] }, partner: String },
  { _id: false },
);
const entrySchema = new Schema(
  {
    subjectType: String, subjectIds: [String], fieldsRead: [String], fieldsDenied: [String], fieldsWritten: [String],
    decision: String, code: String, reason: String, write: String, k0: Number,
  },
  { _id: false },
);
const accessLogSchema = new Schema<AccessEvent>(
  {
    at: { type: Date, required: true },
    requestId: { type: String, required: true },
    actor: { type: actorSchema, required: true },
    purpose: { type: String, default: null },
    taskId: { type: String, default: null },
    operationName: { type: String, default: null },
    audience: { type: String, default: null },
    phase: { type: String, required: true },
    entries: { type: [entrySchema], default: [] },
    subjects: { type: Number, required: true },
  },
  { collection: 'accessLog', versionKey: false },
);
accessLogSchema.index({ 'entries.subjectIds': 1, _id: -1 });
accessLogSchema.index({ 'actor.id': 1, _id: -1 });
accessLogSchema.index({ purpose: 1, _id: -1 });
accessLogSchema.index({ at: 1 });

// Append-only through the model: every path that could change or remove a record is refused.
// (The transparency log catches what goes around the model; see src/audit/tlog.)
for (const op of ['updateOne', 'updateMany', 'findOneAndUpdate', 'replaceOne', 'findOneAndReplace', 'deleteOne', 'deleteMany', 'findOneAndDelete'] as const) {
  accessLogSchema.pre(op, { query: true, document: false }, function () {
    throw new AppendOnlyError(op);
  });
}
accessLogSchema.pre('save', function () {
  if (!this.isNew) throw new AppendOnlyError('save of an existing record');
});
accessLogSchema.pre('bulkWrite', function (ops) {
  if ((ops as object[]).some((op) => !('insertOne' in op))) throw new AppendOnlyError('bulkWrite with updates or deletes');
});
accessLogSchema.pre('deleteOne', { document: true, query: false }, function () {
  throw new AppendOnlyError('deleteOne');
});

export type AccessLogModel = Model<AccessEvent>;

/** The access-log model on a connection (created once per connection). */
export function accessLogModel(conn: Connection): AccessLogModel {
  return (conn.models.AccessLog as AccessLogModel | undefined) ?? conn.model<AccessEvent>('AccessLog', accessLogSchema);
}

/** One entry per subject of a stored document, in ordinal order. */
export function flatten(doc: AccessEvent): AccessLogRecord[] {
  const out: AccessLogRecord[] = [];
  const id = doc._id ? doc._id.toHexString() : 'unsaved';
  // A record pruned to its leaf hashes (retention) has no entries left to show.
  for (const e of doc.entries ?? []) {
    e.subjectIds.forEach((subjectId, i) => {
      const rec: AccessLogRecord = {
        id: `${id}.${e.k0 + i}`, at: doc.at, requestId: doc.requestId, actor: doc.actor, purpose: doc.purpose, taskId: doc.taskId,
        operationName: doc.operationName, subjectType: e.subjectType, subjectId, fieldsRead: e.fieldsRead, fieldsDenied: e.fieldsDenied,
        fieldsWritten: e.fieldsWritten, decision: e.decision,
      };
      if (e.code) rec.code = e.code;
      if (e.reason) rec.reason = e.reason;
      if (e.write) rec.write = e.write;
      out.push(rec);
    });
  }
  return out;
}

/** Filters of the flat view (each optional); combined under `$and` with the policy's row filter. */
export interface EntryFilter {
  subjectId?: string;
  actorId?: string;
  purpose?: string;
}

/** A position in the flat view, newest first: the document id (hex) and the entry's ordinal. */
export type EntryPosition = readonly [string, number];

/** The stages that turn documents into one flat entry per subject, newest first. */
function flatStages(docMatch: Record<string, unknown>): PipelineStage[] {
  return [
    { $match: docMatch },
    { $sort: { _id: -1 } },
    { $unwind: '$entries' },
    { $unwind: { path: '$entries.subjectIds', includeArrayIndex: 'si' } },
    {
      $project: {
        _id: 0, doc: '$_id', k: { $add: ['$entries.k0', '$si'] }, at: 1, requestId: 1, actor: 1, purpose: 1, taskId: 1, operationName: 1,
        subjectType: '$entries.subjectType', subjectId: '$entries.subjectIds', fieldsRead: '$entries.fieldsRead',
        fieldsDenied: '$entries.fieldsDenied', fieldsWritten: '$entries.fieldsWritten', decision: '$entries.decision',
        code: '$entries.code', reason: '$entries.reason', write: '$entries.write',
      },
    },
  ];
}

function matches(filter: EntryFilter, rowFilter: Record<string, unknown>): { doc: Record<string, unknown>; flat: Record<string, unknown> } {
  const doc: Record<string, unknown> = {};
  const flat: Record<string, unknown>[] = [rowFilter];
  if (filter.subjectId) {
    doc['entries.subjectIds'] = filter.subjectId;
    flat.push({ subjectId: filter.subjectId });
  }
  if (filter.actorId) doc['actor.id'] = filter.actorId;
  if (filter.purpose) doc.purpose = filter.purpose;
  return { doc, flat: { $and: flat } };
}

type FlatRow = Omit<AccessLogRecord, 'id'> & { doc: Types.ObjectId; k: number };

function toRecord(r: FlatRow): AccessLogRecord {
  const { doc, k, code, reason, write, ...rest } = r;
  const rec: AccessLogRecord = { id: `${doc.toHexString()}.${k}`, ...rest };
  if (code) rec.code = code;
  if (reason) rec.reason = reason;
  if (write) rec.write = write;
  return rec;
}

/**
 * Up to `limit` entries after `after`, newest first, that match `filter` and the caller's row
 * filter (the policy's `accessibleBy` query over the flat entry: "not allowed" matches nothing).
 */
export async function readEntries(
  model: AccessLogModel, filter: EntryFilter, rowFilter: Record<string, unknown>, limit: number, after: EntryPosition | null = null,
): Promise<Array<AccessLogRecord & { position: EntryPosition }>> {
  const m = matches(filter, rowFilter);
  const stages = flatStages(after ? { $and: [m.doc, { _id: { $lte: new Types.ObjectId(after[0]) } }] } : m.doc);
  const flat = after
    ? { $and: [m.flat, { $or: [{ doc: { $lt: new Types.ObjectId(after[0]) } }, { doc: new Types.ObjectId(after[0]), k: { $gt: after[1] } }] }] }
    : m.flat;
  const rows = await model.aggregate<FlatRow>([...stages, { $match: flat }, { $limit: limit }]).exec();
  return rows.map((r) => ({ ...toRecord(r), position: [r.doc.toHexString(), r.k] as const }));
}

/** How many entries match (the connection's totalCount). */
export async function countEntries(model: AccessLogModel, filter: EntryFilter, rowFilter: Record<string, unknown>): Promise<number> {
  const m = matches(filter, rowFilter);
  const [row] = await model.aggregate<{ n: number }>([...flatStages(m.doc), { $match: m.flat }, { $count: 'n' }]).exec();
  return row?.n ?? 0;
}

/** Every entry of the documents matching `docFilter` (tests and tools; the API goes through readEntries). */
export async function entriesWhere(model: AccessLogModel, docFilter: Record<string, unknown> = {}): Promise<AccessLogRecord[]> {
  const docs = await model.find(docFilter).sort({ _id: 1 }).lean<AccessEvent[]>().exec();
  return docs.flatMap(flatten);
}
