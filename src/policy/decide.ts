/** Explaining decisions: why an action on an attribute is allowed or denied, and the policy matrix of a role. */
import type { Action, AppAbility, AppRawRule, NamedSubjectType, PolicySet } from '../core/policyModel';
import { abilityInfo, makeAbility, subject as tagSubject } from './ability';
import { customerFields } from './compile';
import { UnknownPolicyRefError } from './errors';

export interface Decision {
  allowed: boolean;
  /** The YAML `reason` of the deciding rule, or an explanation of why nothing granted it. */
  reason: string;
}

/**
 * Decide one (action, subject, field) and say why.
 * - `doc` null: a type-level check (row conditions are not evaluated: "could some row be allowed?").
 * - `field` null/undefined: the whole subject (e.g. erase).
 * The reason is the relevant rule's `reason`; for a denial with no rule, a default naming the action,
 * the coordinate and the purpose; for a row outside the conditions, which condition failed.
 * Never contains attribute values. (`doc` is tagged with its subject type via CASL `subject()`.)
 */
export function decide(
  ability: AppAbility,
  action: Action,
  subjectType: NamedSubjectType,
  doc: Record<string, unknown> | null,
  field?: string | null,
): Decision {
  const f = field ?? undefined;
  const target = doc ? tagSubject(subjectType, doc) : subjectType;
  const rule = ability.relevantRuleFor(action, target, f);
  const purposeId = abilityInfo(ability)?.purposeId ?? 'unknown';
  const coordinate = f ? `${subjectType}.${f}` : subjectType;
  if (rule) return { allowed: !rule.inverted, reason: rule.reason ?? `${rule.inverted ? 'denied' : 'granted'} by policy` };

  const candidates = ability.rulesFor(action, subjectType, f).filter((r) => !r.inverted);
  if (!candidates.length) return { allowed: false, reason: `no rule grants ${action} on ${coordinate} for purpose ${purposeId}` };

  // A rule grants the field, but this row does not meet its conditions: say which.
  const consent = abilityInfo(ability)?.purpose?.consent;
  if (subjectType === 'Customer' && consent) {
    const state = (doc?.consentState ?? {}) as Record<string, unknown>;
    if (state[consent] !== true)
      return { allowed: false, reason: `the customer has not granted consent "${consent}", required by purpose ${purposeId}` };
  }
  const purpose = abilityInfo(ability)?.purpose;
  const scope = purpose?.requiresTask ? "outside the task's customers" : 'outside the rows this purpose may access';
  return { allowed: false, reason: `${action} on ${coordinate} denied: this ${subjectType} is ${scope}` };
}

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
