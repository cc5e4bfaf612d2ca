import type { Principal } from '../auth/principal';
import { makeAbility } from './abilityFactory';
import { interpolate } from './placeholders';
import { rolesOf } from './principalRoles';
import type { AppAbility, AppRawRule, PolicySet, TaskScope } from './types';

/** Rule lists without placeholders depend only on (roles, purpose): computed once, reused. */
const staticCache = new WeakMap<PolicySet, Map<string, AppRawRule[]>>();

export interface BuildAbilityInput {
  principal: Principal;
  /** Purpose id (e.g. from `X-Purpose`). Unknown or not allowed: the ability grants nothing. */
  purpose: string;
  /** The task the request serves; null when none. Task-scoped rules then match no row. */
  task: TaskScope | null;
}

/**
 * Build the CASL ability for one request: the union of the rules of every role of the principal
 * that acts for the purpose, with placeholders filled from the principal and task, plus the
 * never-readable denial. Each rule carries its YAML `reason`. Rules are precompiled at load and
 * rule lists without placeholders are cached per (roles, purpose), but the ability itself is new
 * for every call: abilities are never shared across requests or users.
 */
export function buildAbility(policies: PolicySet, { principal, purpose, task }: BuildAbilityInput): AppAbility {
  const roles = rolesOf(policies, principal).filter((r) => r.purposes.has(purpose));
  const compiled = roles.flatMap((r) => policies.compiled.get(r.id)?.get(purpose) ?? []);
  const dynamic = compiled.some((c) => c.dynamic);
  const key = `${roles.map((r) => r.id).sort().join(',')}|${purpose}`;
  let cache = staticCache.get(policies);
  const cached = dynamic ? undefined : cache?.get(key);
  if (cached) return makeAbility(policies, cached, purpose);
  const values = { principal, task };
  const rules: AppRawRule[] = compiled.map((c) =>
    c.dynamic ? ({ ...c.raw, conditions: interpolate(c.raw.conditions, values) } as AppRawRule) : c.raw,
  );
  if (!dynamic) {
    if (!cache) staticCache.set(policies, (cache = new Map()));
    cache.set(key, rules);
  }
  return makeAbility(policies, rules, purpose);
}
