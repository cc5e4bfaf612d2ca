/** The task document (collection `tasks`), and the check of the task a request declares. */
import { Schema, type Connection, type Model } from 'mongoose';
import type { Principal } from '../core/context';
import { ErrorCode, SafeError } from '../core/errors';
import { ID, newId } from '../core/ids';
import { requireWriteScope } from '../core/writeScope';

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
  return newId('tsk_');
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
taskSchema.plugin(requireWriteScope, 'tasks');

export type TaskModel = Model<TaskDoc>;

export function taskModel(conn: Connection): TaskModel {
  return (conn.models.Task as TaskModel | undefined) ?? conn.model<TaskDoc>('Task', taskSchema);
}

/** The assignee id a principal acts as: its staff id, or `partner:<partner id>`. */
export function assigneeIdOf(principal: { kind: string; id: string; partner?: string }): string {
  return principal.kind === 'partner' ? `partner:${principal.partner}` : principal.id;
}

/**
 * The task a request declares (X-Task-Id), checked against the purpose and the caller.
 * Unknown, closed, expired, not assigned to the caller, or for another purpose: TASK_INVALID,
 * with one message for all of them, so the answer does not reveal which.
 */
export async function checkTask(
  tasks: TaskModel,
  principal: Principal,
  purposeId: string,
  taskId: string,
  now = new Date(),
): Promise<TaskDoc> {
  const invalid = (why: string) =>
    new SafeError(ErrorCode.TASK_INVALID, `Task ${ID.test(taskId) ? taskId : '(malformed id)'} cannot be used: ${why}`);
  if (!ID.test(taskId)) throw invalid('the task id is malformed');
  // Read on every request that names a task: through the driver (the id is checked above, nothing to cast).
  const task = (await tasks.collection.findOne({ _id: taskId as never })) as TaskDoc | null;
  const me = assigneeIdOf(principal);
  // "unknown" and "not yours" read the same, so task ids cannot be probed.
  if (!task || !task.assigneeIds.includes(me)) throw invalid('it is unknown or not assigned to you');
  if (task.status !== 'OPEN') throw invalid('it is closed');
  if (task.expiresAt && task.expiresAt.getTime() <= now.getTime()) throw invalid('it has expired');
  if (task.purpose !== purposeId) throw invalid(`it serves purpose ${task.purpose}, not ${purposeId}`);
  return task;
}
