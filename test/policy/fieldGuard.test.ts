import { describe, expect, it } from 'vitest';
import { AuditBuffer } from '../../src/audit/auditBuffer';
import type { Principal } from '../../src/auth/principal';
import { buildAbility, customerFields, loadPolicies, subject } from '../../src/policy';
import { FieldGuard } from '../../src/policy/fieldGuard';

const policies = loadPolicies('policies');
const docs = [
  { _id: 'cus_1', enrolledBy: 'alice', consentState: { storage: true, marketing: true, analytics: false, 'health-data': true } },
  { _id: 'cus_2', enrolledBy: 'bruno', consentState: { storage: true, marketing: false, analytics: true, 'health-data': false } },
  { _id: 'cus_3', consentState: { storage: true } },
];

describe('FieldGuard', () => {
  it('decides exactly as ability.can for every staff role, purpose, row and attribute (conditions evaluated once per row)', () => {
    let checks = 0;
    for (const role of [...policies.roles.values()].filter((r) => r.kind === 'staff')) {
      for (const purpose of role.purposes.keys()) {
        const principal: Principal = { kind: 'staff', id: 'alice', roles: [role.id] };
        const ability = buildAbility(policies, { principal, purpose, task: { id: 't', customerIds: ['cus_1', 'cus_3'] } });
        const audit = new AuditBuffer({ requestId: 'r', principal, purpose, taskId: 't', operationName: null });
        const guard = new FieldGuard(ability, audit, purpose);
        for (const base of docs) {
          const doc = structuredClone(base);
          for (const field of customerFields(policies)) {
            const expected = ability.can('read', subject('Customer', structuredClone(base)), field);
            expect({ role: role.id, purpose, id: doc._id, field, allowed: guard.read('Customer', doc, field) }).toEqual({ role: role.id, purpose, id: doc._id, field, allowed: expected });
            checks += 1;
          }
        }
      }
    }
    expect(checks).toBeGreaterThan(500);
  });

  it('records reads and denials in the audit buffer and counts denials per coordinate', () => {
    const principal: Principal = { kind: 'staff', id: 'mia', roles: ['marketing-specialist'] };
    const ability = buildAbility(policies, { principal, purpose: 'marketing', task: null });
    const audit = new AuditBuffer({ requestId: 'r', principal, purpose: 'marketing', taskId: null, operationName: null });
    const guard = new FieldGuard(ability, audit, 'marketing');
    const [a, b] = [structuredClone(docs[0]), structuredClone(docs[1])];
    expect(guard.read('Customer', a, 'email')).toBe(true);
    expect(guard.read('Customer', a, 'phone')).toBe(false);
    expect(guard.read('Customer', b, 'email')).toBe(false); // no marketing consent
    expect(guard.readAny('Customer', a, 'address', ['address.street', 'address.country'])).toBe(false);
    expect(audit.records().map((r) => [r.subjectId, r.fieldsRead, r.fieldsDenied, r.decision])).toEqual([
      ['cus_1', ['email'], ['address', 'phone'], 'partial'],
      ['cus_2', [], ['email'], 'denied'],
    ]);
    const errors = guard.errors().map((e) => e.extensions);
    expect(errors.find((e) => e.field === 'Customer.email')).toMatchObject({ count: 1, reason: expect.stringMatching(/consent "marketing"/) });
    expect(errors.find((e) => e.field === 'Customer.phone')).toMatchObject({ count: 1, purpose: 'marketing' });
  });
});
