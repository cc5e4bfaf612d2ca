import { createHash } from 'node:crypto';
import type { PolicySet } from '../policy';
import { compileRole } from '../policy/compileRole';
import type { RoleFile } from '../policy/schemas';
import type { Agreement } from './agreement';
import { AGREEMENT_ACTIONS, AGREEMENT_SUBJECTS } from './agreementSchema';

/** The role id a partner's agreement becomes in the policy set (`:` never appears in role file names). */
export const partnerRoleId = (partnerId: string): string => `partner:${partnerId}`;

/**
 * The agreement as a partner role: for each purpose, read (and update) rules on exactly the granted
 * attributes, limited to the task's rows (every agreement purpose requires a task).
 */
export function agreementRoleFile(a: Agreement): RoleFile {
  const reason = `Agreement ${a.id} v${a.version} (${a.legalName}) grants it for tasks assigned to partner:${a.id}.`;
  const rules: RoleFile['purposes'][string]['rules'] = [];
  for (const subject of AGREEMENT_SUBJECTS) {
    for (const action of AGREEMENT_ACTIONS) {
      const fields = a.grants[subject][action];
      if (fields.length) rules.push({ action, subject, fields, scope: 'task', inverted: false, reason });
    }
  }
  return {
    role: a.id,
    description: `Subcontractor ${a.legalName}, agreement v${a.version}`,
    kind: 'partner',
    partner: a.id,
    purposes: Object.fromEntries(a.purposes.map((p) => [p, { rules }])),
  };
}

/**
 * A new PolicySet: the internal policy plus one partner role per agreement (id `partner:<id>`).
 * Partner roles apply only to partner principals whose `partner` claim matches (see rolesOf).
 */
export function withPartnerRoles(base: PolicySet, agreements: Iterable<Agreement>): PolicySet {
  const roles = new Map(base.roles);
  const compiled = new Map(base.compiled);
  const hash = createHash('sha256').update(base.version);
  for (const a of agreements) {
    const { role, compiled: rules } = compileRole(a.file, agreementRoleFile(a), { purposes: base.purposes, fields: base.fields });
    const id = partnerRoleId(a.id);
    roles.set(id, { ...role, id });
    compiled.set(id, rules);
    hash.update('\0').update(`${a.id}@${a.version}#${a.termsHash}`);
  }
  return { ...base, roles, compiled, version: hash.digest('hex').slice(0, 16) };
}
