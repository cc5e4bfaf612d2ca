/**
 * The customer's self-service view (`/self/graphql`, purpose self-service): me, myConsents,
 * myConsentHistory, myAccessHistory, myRequests; updateMyContact, requestCorrection, grantConsent,
 * withdrawConsent, leaveProgram, exportMyData. The mount's gate (selfGate) admits only customers
 * still in the program.
 */
import { SelfMutationResolver } from './selfMutationResolver';
import { SelfQueryResolver } from './selfQueryResolver';

export { selfGate } from './selfGate';

/** Resolvers of the self-service schema (Customer's computed fields and HealthResolver, from customers, are registered beside them). */
export const SELF_SERVICE_RESOLVERS: Function[] = [SelfQueryResolver, SelfMutationResolver];
