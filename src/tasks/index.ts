/** Tasks: the reason a purpose that needs one may touch these customers, for these assignees, until it closes or expires. */
import type { Capability } from '../core/capability';
import { TaskResolver } from './resolvers';

export const tasksCapability: Capability = {
  name: 'tasks',
  resolvers: { staff: [TaskResolver] },
  operations: { 'Query.myTasks': 'auth-only', 'Query.task': 'auth-only', 'Mutation.openTask': { purposes: ['task-management'] }, 'Mutation.closeTask': { purposes: ['task-management'] } },
  // An erased customer leaves the tasks that named them.
  stores: [{ collection: 'tasks', customerKey: 'customerIds', erase: { pull: 'customerIds' } }],
};

export { assigneeIdOf, checkTask, taskModel, type TaskDoc, type TaskModel } from './model';
export { Task } from './resolvers';
