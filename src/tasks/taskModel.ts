import { randomBytes } from 'node:crypto';
import { Schema, type Connection, type Model } from 'mongoose';

export type TaskStatus = 'OPEN' | 'CLOSED';

/** A CRM task: the reason a purpose that needs one may touch these customers, for these assignees, until it closes or expires. */
export interface TaskDoc {
  _id: string;
  purpose: string;
  customerIds: string[];
  /** Staff ids, or `partner:<id>` for a subcontractor. */
  assigneeIds: string[];
  status: TaskStatus;
  openedBy: string;
  openedAt: Date;
  expiresAt?: Date | null;
  closedAt?: Date | null;
  note?: string | null;
}

export function newTaskId(): string {
  return 'tsk_' + randomBytes(9).toString('base64url');
}

const taskSchema = new Schema<TaskDoc>(
  {
    _id: { type: String, default: newTaskId },
    purpose: { type: String, required: true },
    customerIds: { type: [String], default: [] },
    assigneeIds: { type: [String], default: [] },
    status: { type: String, enum: ['OPEN', 'CLOSED'], default: 'OPEN' },
    openedBy: { type: String, required: true },
    openedAt: { type: Date, default: () => new Date() },
    expiresAt: Date,
    closedAt: Date,
    note: String,
  },
  { collection: 'tasks', versionKey: false },
);
taskSchema.index({ assigneeIds: 1, status: 1 });
taskSchema.index({ customerIds: 1 });

export type TaskModel = Model<TaskDoc>;

export function taskModel(conn: Connection): TaskModel {
  return (conn.models.Task as TaskModel | undefined) ?? conn.model<TaskDoc>('Task', taskSchema);
}

/** The assignee id a principal acts as: its staff id, or `partner:<partner id>`. */
export function assigneeIdOf(principal: { kind: string; id: string; partner?: string }): string {
  return principal.kind === 'partner' ? `partner:${principal.partner}` : principal.id;
}
