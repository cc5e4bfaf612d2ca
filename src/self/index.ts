/**
 * The customer's self-service view (`/self/graphql`, purpose self-service): me, myConsents,
 * myConsentHistory, myAccessHistory, myRequests; updateMyContact, requestCorrection, grantConsent,
 * withdrawConsent, leaveProgram, exportMyData. Only customers still in the program are admitted.
 */
import type { Capability } from '../core/capability';
import { ErrorCode, SafeError } from '../core/errors';
import { inProgram } from '../customers';
import { SelfMutationResolver, SelfQueryResolver } from './resolvers';

export const selfCapability: Capability = {
  name: 'self',
  resolvers: { self: [SelfQueryResolver, SelfMutationResolver] },
  audiences: [
    {
      audience: 'self',
      // An unknown, erased or erasing customer gets UNAUTHENTICATED (the same answer for each).
      admit: async (principal, services) => {
        if (!(await inProgram(services, principal.id))) {
          throw new SafeError(ErrorCode.UNAUTHENTICATED, 'Not authenticated: this customer is not in the program (unknown, or erased)');
        }
      },
    },
  ],
};

export { accessHistoryEntry } from './accessHistory';
export { EXPORT_FORMAT } from './export';
