/** Erasure: one resumable procedure over every store the capabilities declared, with a receipt that holds no personal data. */
import type { Capability } from '../core/capability';
import { logger } from '../logger';
import { erasureModel } from './model';
import { erasureServicesOf, resumeErasures } from './procedure';
import { ErasureStaffResolver } from './resolvers';

export const erasureCapability: Capability = {
  name: 'erasure',
  resolvers: { staff: [ErasureStaffResolver] },
  operations: { 'Mutation.eraseCustomer': { purposes: ['privacy-request'] } },
  // At start: complete every erasure a crash left PENDING.
  start: async (services) => {
    await erasureModel(services.conn).init();
    const resumed = await resumeErasures(erasureServicesOf(services));
    if (resumed > 0) logger.info('pending erasures completed at start', { count: resumed });
  },
};

export { erasureModel, erasureRef, erasureRefKey, type ErasureDoc } from './model';
export { eraseCustomer, ErasureInterrupted, erasureServicesOf, erasureStepNames, MARK_DONE, resumeErasures, runErasure, type ErasureServices } from './procedure';
export { checkReason, erasureOf, MAX_REASON_LENGTH, requestErasure } from './request';
export { ErasureReceipt, erasureReceipt } from './resolvers';
