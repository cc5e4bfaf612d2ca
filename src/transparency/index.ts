/** The records and their proofs: the access log for the privacy officer (purpose audit). */
import { ACCESS_LOG_RECORDS, CONSENT_RECORDS } from '../audit';
import type { Capability } from '../core/capability';
import { AccessLogResolver } from './resolvers';

export const transparencyCapability: Capability = {
  name: 'transparency',
  resolvers: { staff: [AccessLogResolver] },
  records: [ACCESS_LOG_RECORDS, CONSENT_RECORDS],
};
