import type { Connection } from 'mongoose';
import { consentEventModel } from '../consent/consentEventModel';
import type { KeyStore } from '../crypto';
import { logger } from '../logger';
import { correctionRequestModel } from './correctionRequestModel';
import { resumeErasures } from './eraseCustomer';
import { erasureModel } from './erasureModel';

/**
 * At gateway start: builds the indexes of the customer-rights collections (consent ledger,
 * correction requests, erasures) and completes every erasure a crash left PENDING.
 * Returns the number of erasures completed.
 */
export async function preparePrivacy(services: { conn: Connection; keyStore: Pick<KeyStore, 'destroy'> }): Promise<number> {
  const { conn } = services;
  await Promise.all([consentEventModel(conn).init(), correctionRequestModel(conn).init(), erasureModel(conn).init()]);
  const resumed = await resumeErasures(services);
  if (resumed > 0) logger.info('pending erasures completed at start', { count: resumed });
  return resumed;
}
