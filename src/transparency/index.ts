/**
 * The transparency log: the access log for the privacy officer (purpose audit), the sequencer that
 * makes every declared record a leaf of one signed Merkle tree, its routes and proofs.
 */
import { ACCESS_LOG_RECORDS, CONSENT_RECORDS } from '../audit';
import type { Capability } from '../core/capability';
import { MyProofResolver, ProofResolver } from './proofResolvers';
import { AccessLogResolver } from './resolvers';
import { transparencyRoutes } from './routes';
import { startTlog, stopTlog, tlogReadiness } from './runtime';

export const transparencyCapability: Capability = {
  name: 'transparency',
  resolvers: { staff: [AccessLogResolver, ProofResolver], self: [MyProofResolver] },
  operations: {
    'Query.recordProof': { purposes: ['audit'] },
    'Query.consistencyProof': { purposes: ['audit'] },
  },
  records: [ACCESS_LOG_RECORDS, CONSENT_RECORDS],
  routes: transparencyRoutes,
  start: startTlog,
  stop: stopTlog,
  ready: async (services) => ({ tlog: await tlogReadiness(services) }),
};

export { logSigner, tlogOf, type Tlog } from './runtime';
export { recordSourcesOf } from './sources';
export { verifyStoredLog, type StoredLogReport } from './verifyStore';
