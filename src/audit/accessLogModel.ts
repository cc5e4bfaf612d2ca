import { Schema, type Connection, type Model } from 'mongoose';

export type Decision = 'allowed' | 'partial' | 'denied';

/** One access-log record: who touched which attributes of one subject, why, and with what outcome. Names only, never values. */
export interface AccessLogRecord {
  at: Date;
  requestId: string;
  actor: { kind: string; id: string; roles: string[]; partner?: string };
  purpose: string | null;
  taskId: string | null;
  operationName: string | null;
  subjectType: string;
  subjectId: string | null;
  fieldsRead: string[];
  fieldsDenied: string[];
  fieldsWritten: string[];
  decision: Decision;
  /** For operation-level denials: the error code (e.g. PURPOSE_NOT_ALLOWED). */
  code?: string;
  /** The policy reason for a denial, when there is one. */
  reason?: string;
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

const accessLogSchema = new Schema<AccessLogRecord>(
  {
    at: { type: Date, required: true },
    requestId: { type: String, required: true },
    actor: { type: actorSchema, required: true },
    purpose: { type: String, default: null },
    taskId: { type: String, default: null },
    operationName: { type: String, default: null },
    subjectType: { type: String, required: true },
    subjectId: { type: String, default: null },
    fieldsRead: { type: [String], default: [] },
    fieldsDenied: { type: [String], default: [] },
    fieldsWritten: { type: [String], default: [] },
    decision: { type: String, enum: ['allowed', 'partial', 'denied'], required: true },
    code: String,
    reason: String,
  },
  { collection: 'accessLog', versionKey: false },
);
accessLogSchema.index({ subjectId: 1, _id: -1 });
accessLogSchema.index({ 'actor.id': 1, _id: -1 });
accessLogSchema.index({ purpose: 1, _id: -1 });

// Append-only: every path that could change or remove a record is refused before it reaches the database.
const refused = [
  'updateOne', 'updateMany', 'findOneAndUpdate', 'replaceOne', 'findOneAndReplace',
  'deleteOne', 'deleteMany', 'findOneAndDelete',
] as const;
for (const op of refused) {
  accessLogSchema.pre(op, function () {
    throw new AppendOnlyError(op);
  });
}
accessLogSchema.pre('save', function () {
  if (!this.isNew) throw new AppendOnlyError('save of an existing record');
});
accessLogSchema.pre('bulkWrite', function (ops) {
  if (ops.some((op) => !('insertOne' in op))) throw new AppendOnlyError('bulkWrite with updates or deletes');
});
accessLogSchema.pre('deleteOne', { document: true, query: false }, function () {
  throw new AppendOnlyError('deleteOne');
});

export type AccessLogModel = Model<AccessLogRecord>;

/** The access-log model on a connection (created once per connection). */
export function accessLogModel(conn: Connection): AccessLogModel {
  return (conn.models.AccessLog as AccessLogModel | undefined) ?? conn.model<AccessLogRecord>('AccessLog', accessLogSchema);
}
