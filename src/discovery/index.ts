/** Discovery: the purposes a caller may act for (with their open tasks), and a role's policy matrix. */
import type { Capability } from '../core/capability';
import { PolicyMatrixResolver, PurposesResolver } from './resolvers';

export const discoveryCapability: Capability = {
  name: 'discovery',
  // myPurposes is in every audience's schema, partners' included (see partners/schema.ts).
  resolvers: { staff: [PolicyMatrixResolver, PurposesResolver], self: [PurposesResolver] },
  operations: { 'Query.policyMatrix': 'auth-only', 'Query.myPurposes': 'auth-only' },
};
