import type { Principal } from '../auth/principal';
import { ErrorCode, SafeError } from '../server/errors';
import { assigneeIdOf, type TaskModel, type TaskDoc } from './taskModel';

const TASK_ID = /^[A-Za-z0-9_-]{1,64}$/;

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
    new SafeError(ErrorCode.TASK_INVALID, `Task ${TASK_ID.test(taskId) ? taskId : '(malformed id)'} cannot be used: ${why}`);
  if (!TASK_ID.test(taskId)) throw invalid('the task id is malformed');
  const task = await tasks.findById(taskId).lean<TaskDoc>().exec();
  const me = assigneeIdOf(principal);
  // "unknown" and "not yours" read the same, so task ids cannot be probed.
  if (!task || !task.assigneeIds.includes(me)) throw invalid('it is unknown or not assigned to you');
  if (task.status !== 'OPEN') throw invalid('it is closed');
  if (task.expiresAt && task.expiresAt.getTime() <= now.getTime()) throw invalid('it has expired');
  if (task.purpose !== purposeId) throw invalid(`it serves purpose ${task.purpose}, not ${purposeId}`);
  return task;
}
