/** Erasure: one resumable procedure over every store the capabilities declared, with a receipt that holds no personal data. */
import type { Capability } from '../core/capability';
import { logger } from '../logger';
import { ensureErasureEventIndexes, ERASURE_RECORDS } from './events';
import { erasureModel } from './model';
import { erasureServicesOf, resumeErasures } from './procedure';
import { ErasureStaffResolver } from './resolvers';

export const erasureCapability: Capability = {
  name: 'erasure',
  resolvers: { staff: [ErasureStaffResolver] },
  operations: { 'Mutation.eraseCustomer': { purposes: ['privacy-request'] } },
  // Requested, each step, done: leaves of the transparency log.
  records: [ERASURE_RECORDS],
  // At start: complete every erasure a crash left PENDING.
  start: async (services) => {
    await erasureModel(services.conn).init();
    await ensureErasureEventIndexes(services.conn);
    const resumed = await resumeErasures(erasureServicesOf(services));
    if (resumed > 0) logger.info('pending erasures completed at start', { count: resumed });
  },
};

export { ERASURE_EVENTS, ERASURE_RECORDS, recordErasureEvent } from './events';
export { erasureModel, erasureRef, erasureRefKey, type ErasureDoc } from './model';
export { eraseCustomer, ErasureInterrupted, erasureServicesOf, erasureStepNames, MARK_DONE, resumeErasures, runErasure, type ErasureServices } from './procedure';
export { checkReason, erasureOf, MAX_REASON_LENGTH, requestErasure } from './request';
export { ErasureReceipt, erasureReceipt } from './resolvers';
