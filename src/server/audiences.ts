import type { AppServices } from './appServices';
import type { AudienceMount } from './app';
import { buildSelfSchema, buildStaffSchema, SELF_RESOLVERS } from './schemas';
import { partnerMount } from '../partners/partnerEndpoint';
import { selfGate } from '../self/selfGate';

/** The GraphQL endpoints the gateway serves, one per audience. */
export function audienceMounts(services: AppServices, guarded: boolean): AudienceMount[] {
  const staffSchema = buildStaffSchema({ fieldGuard: guarded });
  const mounts: AudienceMount[] = [
    { audience: 'staff', path: '/graphql', schema: staffSchema, graphiqlPurpose: 'customer-support' },
    // Partners: the staff schema cut down per agreement (after guarding, so the guards still run inside).
    partnerMount(services, staffSchema),
  ];
  // Customers: only those still in the program (selfGate: unknown or erased → UNAUTHENTICATED).
  if (SELF_RESOLVERS.length > 0) mounts.push({ audience: 'self', path: '/self/graphql', schema: buildSelfSchema({ fieldGuard: guarded }), gate: selfGate });
  return mounts;
}
