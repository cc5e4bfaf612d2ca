/**
 * The kinds of data `policies/retention.yaml` may name: where each lives, the events its retention
 * may count from (each with the filter of the records due at a cutoff), the actions that may
 * dispose of it, and, for the records kept as proof, the shortest retention allowed.
 */
export type RetentionAction = 'erase' | 'delete' | 'prune';
export const RETENTION_ACTIONS: readonly RetentionAction[] = ['erase', 'delete', 'prune'];

/** How the collection is declared in the capability manifests (checked at start). */
export type Declared = 'store' | 'record' | 'lifecycle';

export interface DataKind {
  id: string;
  description: string;
  collection: string;
  declared: Declared;
  /** event name → the records due when the event happened at or before `cutoff`. */
  events: Record<string, (cutoff: Date) => Record<string, unknown>>;
  actions: readonly RetentionAction[];
  /** The shortest `keepFor` allowed (records kept as proof), ISO 8601. */
  minimum?: string;
}

const lte = (cutoff: Date) => ({ $lte: cutoff });

export const DATA_KINDS: readonly DataKind[] = [
  {
    id: 'customers', collection: 'customers', declared: 'store', actions: ['erase'],
    description: 'a customer record with everything held about them, erased through the erasure procedure',
    // Last activity: the last change to the customer's record (enrolment, contact, consent, correction, verification).
    events: { lastActivity: (c) => ({ updatedAt: lte(c), erasing: { $ne: true } }) },
  },
  {
    id: 'tasks', collection: 'tasks', declared: 'store', actions: ['delete'],
    description: 'a CRM task (which customers, who, why)',
    events: { closed: (c) => ({ status: 'CLOSED', closedAt: lte(c) }) },
  },
  {
    id: 'outboxMessages', collection: 'outbox', declared: 'store', actions: ['delete'],
    description: 'a message queued for the mail / SMS worker',
    events: {
      delivered: (c) => ({ status: { $in: ['sent', 'failed'] }, $or: [{ sentAt: lte(c) }, { sentAt: { $exists: false }, createdAt: lte(c) }] }),
      expired: (c) => ({ expiresAt: lte(c) }),
    },
  },
  {
    id: 'verificationCodes', collection: 'verificationCodes', declared: 'store', actions: ['delete'],
    description: 'the keyed hash of a one-time code',
    events: { expired: (c) => ({ expiresAt: lte(c) }) },
  },
  {
    id: 'correctionRequests', collection: 'correctionRequests', declared: 'store', actions: ['delete'],
    description: 'a correction request and its decision',
    events: { decided: (c) => ({ status: { $in: ['APPROVED', 'REJECTED'] }, decidedAt: lte(c) }) },
  },
  {
    id: 'erasureWorkingState', collection: 'erasures', declared: 'lifecycle', actions: ['delete'],
    description: 'the step-by-step progress an erasure keeps to resume after a crash (the receipt stays)',
    events: { completed: (c) => ({ status: 'DONE', completedAt: lte(c), steps: { $exists: true, $ne: [] } }) },
  },
  {
    id: 'accessLog', collection: 'accessLog', declared: 'record', actions: ['prune'], minimum: 'P3Y',
    description: 'an access-log record (who read or wrote what, of whom, why); pruned to its leaf hashes',
    events: { created: (c) => ({ at: lte(c) }) },
  },
  {
    id: 'consentLedger', collection: 'consentEvents', declared: 'record', actions: ['prune'], minimum: 'P3Y',
    description: 'a consent grant or withdrawal; pruned to its leaf hash',
    events: { created: (c) => ({ at: lte(c) }) },
  },
  {
    id: 'disposalRuns', collection: 'disposalRunRecords', declared: 'record', actions: ['prune'], minimum: 'P1Y',
    description: 'the record of a disposal run (counts per rule, no personal data); pruned to its leaf hash',
    events: { finished: (c) => ({ at: lte(c) }) },
  },
];

export function dataKind(id: string): DataKind | undefined {
  return DATA_KINDS.find((k) => k.id === id);
}
