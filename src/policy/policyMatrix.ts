import { makeAbility } from './abilityFactory';
import { decide } from './decide';
import { UnknownPolicyRefError } from './errors';
import { customerFields } from './fieldCatalogue';
import type { AppAbility, AppRawRule, PolicySet } from './types';

export interface FieldPermission {
  field: string;
  action: string;
  allowed: boolean;
  reason: string;
}

/** Actions shown in the matrix. */
export const MATRIX_ACTIONS = ['read', 'update', 'create'] as const;

/**
 * What a role may do with each Customer attribute under a purpose, ignoring row conditions
 * (task scope, consent): Customer leaves × read/update/create, with the deciding reason.
 * Throws UnknownPolicyRefError for an unknown role or purpose. A role that does not act for the
 * purpose gets every row denied.
 */
export function policyMatrix(policies: PolicySet, role: string, purposeId: string): FieldPermission[] {
  const roleDef = policies.roles.get(role);
  if (!roleDef) throw new UnknownPolicyRefError('role', role);
  if (!policies.purposes.has(purposeId)) throw new UnknownPolicyRefError('purpose', purposeId);
  const rules: AppRawRule[] = (policies.compiled.get(role)?.get(purposeId) ?? []).map(({ raw }) => {
    const { conditions: _ignored, ...rest } = raw as AppRawRule & { conditions?: unknown };
    return rest as AppRawRule;
  });
  const ability: AppAbility = makeAbility(policies, rules, purposeId);
  const out: FieldPermission[] = [];
  for (const field of customerFields(policies))
    for (const action of MATRIX_ACTIONS) {
      const d = decide(ability, action, 'Customer', null, field);
      const reason =
        !d.allowed && !roleDef.purposes.has(purposeId) ? `role ${role} does not act for purpose ${purposeId}` : d.reason;
      out.push({ field, action, allowed: d.allowed, reason });
    }
  return out;
}
