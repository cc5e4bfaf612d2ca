import type { Scope, SubjectType } from './types';

/**
 * How a rule's `scope` becomes row conditions, per subject type. The key is the document field that
 * links a row to a customer (or, for Task, the task itself):
 *
 * | subject           | scope task                           | scope self                    |
 * | Customer          | `_id` in the task's customers        | `_id` = caller id             |
 * | CorrectionRequest | `customerId` in the task's customers | `customerId` = caller id      |
 * | AccessLog         | `subjectId` in the task's customers  | `subjectId` = caller id       |
 * | Task              | `_id` = the task's id                | (not allowed)                 |
 *
 * Scope `all` adds no condition.
 */
const CUSTOMER_KEY: Record<Exclude<SubjectType, 'all' | 'Task'>, string> = {
  Customer: '_id',
  CorrectionRequest: 'customerId',
  AccessLog: 'subjectId',
};

/** The conditions (with placeholders) a scope adds; null for `all`. Throws on an unsupported pair. */
export function scopeConditions(scope: Scope, subject: Exclude<SubjectType, 'all'>): Record<string, unknown> | null {
  if (scope === 'all') return null;
  if (subject === 'Task') {
    if (scope === 'task') return { _id: '{{task.id}}' };
    throw new Error(`scope self is not defined for subject Task`);
  }
  const key = CUSTOMER_KEY[subject];
  if (scope === 'task') return { [key]: { $in: '{{task.customerIds}}' } };
  if (subject === 'AccessLog') return { subjectType: 'Customer', [key]: '{{principal.id}}' };
  return { [key]: '{{principal.id}}' };
}

/** Combine Mongo conditions: a plain merge when keys are disjoint, else `$and`. */
export function mergeConditions(parts: (Record<string, unknown> | null | undefined)[]): Record<string, unknown> | undefined {
  const present = parts.filter((p): p is Record<string, unknown> => !!p && Object.keys(p).length > 0);
  if (!present.length) return undefined;
  const merged: Record<string, unknown> = {};
  for (const part of present) {
    for (const key of Object.keys(part)) if (key in merged) return { $and: present };
    Object.assign(merged, part);
  }
  return merged;
}
