import { abilityInfo } from './abilityFactory';
import { subject as tagSubject } from './casl';
import type { Action, AppAbility, SubjectType } from './types';

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
  subjectType: Exclude<SubjectType, 'all'>,
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
