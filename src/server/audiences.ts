import type { AppServices } from './appServices';
import type { AudienceMount } from './app';
import { buildSelfSchema, buildStaffSchema, SELF_RESOLVERS } from './schemas';
import { selfGate } from '../self/selfGate';

/** The GraphQL endpoints the gateway serves, one per audience. */
export function audienceMounts(_services: AppServices, guarded: boolean): AudienceMount[] {
  const mounts: AudienceMount[] = [
    { audience: 'staff', path: '/graphql', schema: buildStaffSchema({ fieldGuard: guarded }), graphiqlPurpose: 'customer-support' },
  ];
  // Customers: only those still in the program (selfGate: unknown or erased → UNAUTHENTICATED).
  if (SELF_RESOLVERS.length > 0) mounts.push({ audience: 'self', path: '/self/graphql', schema: buildSelfSchema({ fieldGuard: guarded }), gate: selfGate });
  return mounts;
}
