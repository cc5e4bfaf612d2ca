import type { Principal } from '../auth/principal';
import type { PolicySet, RoleDef } from './types';

/**
 * The role files that apply to a principal:
 * - staff: the token's `roles` that exist as staff role files (unknown names are ignored);
 * - customer: every role file of kind `customer` (roles/customer.yaml);
 * - partner: the role files of kind `partner` whose `partner:` equals the token's partner id.
 */
export function rolesOf(policies: PolicySet, principal: Principal): RoleDef[] {
  switch (principal.kind) {
    case 'staff':
      return principal.roles
        .map((r) => policies.roles.get(r))
        .filter((r): r is RoleDef => !!r && r.kind === 'staff');
    case 'customer':
      return [...policies.roles.values()].filter((r) => r.kind === 'customer');
    case 'partner':
      return [...policies.roles.values()].filter((r) => r.kind === 'partner' && !!principal.partner && r.partner === principal.partner);
  }
}

/** Whether any of the principal's roles acts for the purpose (customers: `self-service`). */
export function purposeAllowedFor(policies: PolicySet, principal: Principal, purposeId: string): boolean {
  return rolesOf(policies, principal).some((r) => r.purposes.has(purposeId));
}
