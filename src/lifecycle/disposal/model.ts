/**
 * Disposal runs (collection `disposalRuns`): one document per run, RUNNING while its steps (one per
 * retention rule, in schedule order) complete, each step's count appended as it is done, so a
 * crashed run resumes where it stopped. When the run ends, its result is written once to
 * `disposalRunRecords`, a leaf of the transparency log. Counts only: no personal data.
 */
import { Schema, type Connection, type Model } from 'mongoose';

export type RunStatus = 'RUNNING' | 'DONE' | 'FAILED';
export const RUN_COLLECTION = 'disposalRuns';
export const RUN_RECORD_COLLECTION = 'disposalRunRecords';

/** What one rule did in a run (or, in a dry run, would have done). */
export interface DisposalItem {
  rule: string;
  data: string;
  action: string;
  count: number;
}

export interface DisposalRunDoc {
  _id: string;
  startedAt: Date;
  finishedAt?: Date;
  dryRun: boolean;
  status: RunStatus;
  items: DisposalItem[];
}

/** The finished run as recorded once (collection `disposalRunRecords`); `at` is when it finished. */
export interface DisposalRunRecord {
  _id: string;
  at: Date;
  startedAt: Date;
  finishedAt: Date;
  dryRun: boolean;
  status: Exclude<RunStatus, 'RUNNING'>;
  items: DisposalItem[];
}

const itemSchema = new Schema({ rule: String, data: String, action: String, count: Number }, { _id: false });

const runSchema = new Schema<DisposalRunDoc>(
  {
    _id: { type: String, required: true },
    startedAt: { type: Date, required: true },
    finishedAt: Date,
    dryRun: { type: Boolean, required: true },
    status: { type: String, enum: ['RUNNING', 'DONE', 'FAILED'], required: true },
    items: { type: [itemSchema], default: [] },
  },
  { collection: RUN_COLLECTION, versionKey: false },
);
runSchema.index({ status: 1 });
runSchema.index({ startedAt: -1, _id: -1 });

export function disposalRunModel(conn: Connection): Model<DisposalRunDoc> {
  return (conn.models.DisposalRun as Model<DisposalRunDoc> | undefined) ?? conn.model<DisposalRunDoc>('DisposalRun', runSchema);
}
