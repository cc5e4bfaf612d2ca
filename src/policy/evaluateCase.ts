import { buildAbility } from './buildAbility';
import { decide } from './decide';
import { purposeAllowedFor } from './principalRoles';
import type { PolicySet } from './types';
import type { PolicyTestCase } from './testTable';

export interface CaseOutcome {
  field: string | undefined;
  allowed: boolean;
  reason: string;
  /** Whether the outcome matches the row's `expect` (and `reason`, if given). */
  ok: boolean;
}

/**
 * Run one test-table row as the gateway would: a purpose the principal may not act for is a denial;
 * otherwise the request's ability decides each field.
 */
export function evaluateCase(policies: PolicySet, c: PolicyTestCase): CaseOutcome[] {
  const want = c.expect === 'allow';
  if (!purposeAllowedFor(policies, c.principal, c.purpose)) {
    const reason = `purpose ${c.purpose} is not allowed for this principal`;
    return c.fields.map((field) => ({ field, allowed: false, reason, ok: !want && (!c.reason || reason.includes(c.reason)) }));
  }
  const ability = buildAbility(policies, { principal: c.principal, purpose: c.purpose, task: c.task });
  return c.fields.map((field) => {
    const d = decide(ability, c.action, c.subjectType, c.doc ? { ...c.doc } : null, field);
    return { field, ...d, ok: d.allowed === want && (!c.reason || d.reason.includes(c.reason)) };
  });
}
