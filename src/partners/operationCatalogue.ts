import type { AgreementAction, AgreementSubject } from './agreement';

/**
 * The staff operations a partner schema may include, and the grant each one needs in the agreement.
 * Anything else (access log, policy matrix, enrolment, tasks management) is never offered to partners.
 */
export const PARTNER_OPERATIONS: Record<string, { subject: AgreementSubject; action: AgreementAction }> = {
  'Query.customer': { subject: 'Customer', action: 'read' },
  'Query.customers': { subject: 'Customer', action: 'read' },
  'Query.task': { subject: 'Task', action: 'read' },
  'Query.myTasks': { subject: 'Task', action: 'read' },
  'Mutation.updateCustomer': { subject: 'Customer', action: 'update' },
};

/** Fields of the GraphQL Task type (and of the task document) an agreement may name. `id` is always shown. */
export const TASK_FIELDS = ['id', 'purpose', 'customerIds', 'assigneeIds', 'status', 'openedBy', 'openedAt', 'expiresAt', 'closedAt', 'note'] as const;
