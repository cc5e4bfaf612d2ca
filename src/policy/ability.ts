/**
 * The request's CASL ability, and the rows it may touch. The one place that imports CASL's
 * runtime for requests: abilities are built per request from precompiled rules, never shared.
 */
import { createMongoAbility, subject } from '@casl/ability';
import { accessibleBy } from '@casl/mongoose';
import type { Principal } from '../core/context';
import type { Action, AppAbility, AppRawRule, NamedSubjectType, PolicySet, PurposeDef, RoleDef, TaskScope } from '../core/policyModel';
import { interpolate } from './compile';

export { subject };

/** What `decide` needs to explain a denial; kept beside each ability. */
export interface AbilityInfo {
  purpose: PurposeDef | null;
  purposeId: string;
}

const info = new WeakMap<AppAbility, AbilityInfo>();

/** The purpose an ability was built for (undefined for abilities not made here). */
export function abilityInfo(ability: AppAbility): AbilityInfo | undefined {
  return info.get(ability);
}

/** The never-readable attributes, denied last so that no rule (not even `manage`) can grant them. */
function neverReadableRules(policies: PolicySet): AppRawRule[] {
  if (!policies.neverReadable.length) return [];
  return [
    {
      action: 'read',
      subject: 'Customer',
      fields: policies.neverReadable,
      inverted: true,
      reason: `${policies.neverReadable.join(', ')}: write-only, nobody may ever read it`,
    },
  ];
}

/** Create an ability from rules plus the global never-readable denial, remembering its purpose. */
export function makeAbility(policies: PolicySet, rules: AppRawRule[], purposeId: string): AppAbility {
  const ability = createMongoAbility<AppAbility>([...rules, ...neverReadableRules(policies)]);
  info.set(ability, { purpose: policies.purposes.get(purposeId) ?? null, purposeId });
  return ability;
}

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

/** Matches no document; used when no rule grants the action (fail closed). */
export const MATCH_NOTHING: Readonly<Record<string, unknown>> = Object.freeze({ _id: { $in: [] } });

/**
 * The Mongo query of the rows the ability may `action` (from @casl/mongoose `accessibleBy`).
 * Combine it with the caller's filter under `$and`, never by spreading. When no rule grants the
 * action it returns a query that matches nothing, instead of throwing. `{}` means every row.
 */
export function rowFilter(ability: AppAbility, action: Action, subjectType: NamedSubjectType): Record<string, unknown> {
  const grants = ability.rulesFor(action, subjectType).some((r) => !r.inverted);
  if (!grants) return { _id: { $in: [] } };
  const query = accessibleBy(ability, action).ofType(subjectType);
  const expr = (query as { $expr?: { $eq?: unknown[] } }).$expr;
  if (expr && Array.isArray(expr.$eq) && expr.$eq[0] === 0 && expr.$eq[1] === 1 && Object.keys(query).length === 1)
    return { _id: { $in: [] } };
  return query;
}

/**
 * The one visibility rule: the rows of `subjectType` this request may `action` — the policy's row
 * filter and, for customers, none under erasure. Every read and every write of a request goes
 * through it; combine it with the caller's filter under `$and`.
 */
export function visible(ability: AppAbility, action: Action, subjectType: NamedSubjectType): Record<string, unknown> {
  const rows = rowFilter(ability, action, subjectType);
  return subjectType === 'Customer' ? { $and: [rows, NOT_ERASING] } : rows;
}

/** Customers under erasure carry this mark (set before the first step; the document is deleted at the end). */
export const ERASING_FIELD = 'erasing';
const NOT_ERASING = Object.freeze({ [ERASING_FIELD]: { $ne: true } });

/**
 * How a requester is named in records that must hold no personal data: `customer` for a customer,
 * `partner:<id>` for a partner, else the staff roles that act for the purpose (e.g. `privacy-officer`).
 */
export function actingRoles(policies: PolicySet, principal: Principal | null, purposeId: string | null): string[] {
  if (!principal) return ['anonymous'];
  if (principal.kind === 'customer') return ['customer'];
  if (principal.kind === 'partner') return [`partner:${principal.partner}`];
  const acting = rolesOf(policies, principal).filter((r) => !purposeId || r.purposes.has(purposeId)).map((r) => r.id);
  return acting.length ? acting : principal.roles;
}
