import type { PolicySet } from '../policy';
import type { AgreementAction, AgreementSubject } from './agreement';

/**
 * What the company grants its own staff for a purpose: the union of every staff role's allowing
 * rules for it. `all: true` when some rule covers the whole subject (no `fields:`).
 */
export interface InternalGrant {
  all: boolean;
  fields: Set<string>;
}

export function internalGrant(policies: PolicySet, purpose: string, subject: AgreementSubject, action: AgreementAction): InternalGrant {
  const out: InternalGrant = { all: false, fields: new Set() };
  for (const role of policies.roles.values()) {
    if (role.kind !== 'staff') continue;
    for (const rule of role.purposes.get(purpose) ?? []) {
      if (rule.inverted || rule.subject !== subject) continue;
      if (!rule.actions.includes(action) && !rule.actions.includes('manage')) continue;
      if (rule.fields === undefined) out.all = true;
      else for (const f of rule.fields) out.fields.add(f);
    }
  }
  return out;
}

/** The staff roles acting for a purpose (for error messages). */
export function staffRolesFor(policies: PolicySet, purpose: string): string[] {
  return [...policies.roles.values()].filter((r) => r.kind === 'staff' && r.purposes.has(purpose)).map((r) => r.id);
}
