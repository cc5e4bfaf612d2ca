/**
 * The field guard's view of a row decides every attribute exactly as `ability.can` would, for every
 * staff role, purpose, row and attribute, while evaluating rule conditions once per class of rows;
 * and it records what it read (id included) and denied.
 */
import { describe, expect, it } from 'vitest';
import { AccessRecorder, type LogWriter } from '../../src/audit';
import type { Principal, RequestContext, SubjectDoc } from '../../src/core/context';
import { FieldCipher } from '../../src/crypto';
import { buildAbility, compileSpecs, customerFields, FieldGuard, loadPolicies, subject } from '../../src/policy';
import { CAPABILITIES } from '../../src/server/capabilities';

const policies = loadPolicies('policies');
const specs = compileSpecs(CAPABILITIES.flatMap((c) => c.guards ?? []), customerFields(policies));
const everything = specs.get('Customer')!.everything;
const attributes = {
  fullName: 'A B', email: 'a@example.com', phone: '+33612345678', birthDate: '1990-01-02', segment: 'consumer', loyaltyTier: 'gold', preferences: [],
  address: { street: 's', city: 'c', postalCode: '75001', country: 'FR' }, paymentCard: { brand: 'visa', last4: '1111', expiryMonth: 1, expiryYear: 2099 },
  consents: [], verification: null, createdAt: new Date(0), updatedAt: new Date(0),
};
const docs: SubjectDoc[] = [
  { _id: 'cus_1', ...attributes, enrolledBy: 'alice', consentState: { storage: true, marketing: true, analytics: false, 'health-data': true } },
  { _id: 'cus_2', ...attributes, enrolledBy: 'bruno', consentState: { storage: true, marketing: false, analytics: true, 'health-data': false } },
  { _id: 'cus_3', ...attributes, consentState: { storage: true } },
];
/** Never used: these tests do not flush. */
const writer = {} as LogWriter;

function guardFor(principal: Principal, purpose: string, task: { id: string; customerIds: string[] } | null) {
  const ability = buildAbility(policies, { principal, purpose, task });
  const log = new AccessRecorder({ requestId: 'r', principal, purpose, taskId: task?.id ?? null, operationName: null, audience: 'staff' }, writer);
  const ctx = { services: { policies, config: { pseudonymKey: 'k'.repeat(32) } }, audience: 'staff', purpose: policies.purposes.get(purpose) } as unknown as RequestContext;
  const guard = new FieldGuard({ ability, log, cipher: new FieldCipher({ get: () => Promise.reject(new Error('no keys here')) }), specs, context: () => ctx });
  return { ability, log, guard };
}

/** What the row's entry says was read and denied. */
function entryOf(log: AccessRecorder, id: string) {
  const e = log.document()!.entries.find((x) => x.subjectIds.includes(id))!;
  return { read: [...e.fieldsRead].sort(), denied: [...e.fieldsDenied].sort() };
}

describe('FieldGuard', () => {
  it('decides exactly as ability.can for every staff role, purpose, row and attribute', () => {
    let checks = 0;
    const groups = ['address', 'paymentCard', 'health'];
    for (const role of [...policies.roles.values()].filter((r) => r.kind === 'staff')) {
      for (const purpose of role.purposes.keys()) {
        const principal: Principal = { kind: 'staff', id: 'alice', roles: [role.id] };
        const { ability, log, guard } = guardFor(principal, purpose, { id: 't', customerIds: ['cus_1', 'cus_3'] });
        for (const base of docs) {
          guard.view('Customer', structuredClone(base), everything);
          const can = (f: string) => ability.can('read', subject('Customer', structuredClone(base)), f);
          const expected = { read: ['id'], denied: [] as string[] };
          for (const field of customerFields(policies)) {
            if (field === 'paymentCard.number' || field.startsWith('health.')) continue; // never readable; no health values in these rows
            const group = groups.find((g) => field.startsWith(`${g}.`));
            if (group && !customerFields(policies).some((l) => l.startsWith(`${group}.`) && can(l))) continue; // the group is denied as a whole
            (can(field) ? expected.read : expected.denied).push(field);
            checks += 1;
          }
          for (const g of groups) if (!customerFields(policies).some((l) => l.startsWith(`${g}.`) && can(l))) expected.denied.push(g);
          expect({ role: role.id, purpose, id: base._id, ...entryOf(log, base._id) }).toEqual({ role: role.id, purpose, id: base._id, read: expected.read.sort(), denied: expected.denied.sort() });
        }
      }
    }
    expect(checks).toBeGreaterThan(400);
  });

  it('puts allowed values in the view, null where denied, and counts denials per coordinate', () => {
    const principal: Principal = { kind: 'staff', id: 'mia', roles: ['marketing-specialist'] };
    const { log, guard } = guardFor(principal, 'marketing', null);
    const selection = new Map([['id', null], ['email', null], ['phone', null], ['address', new Map([['street', null]])]]);
    const a = guard.view('Customer', structuredClone(docs[0]!), selection);
    const b = guard.view('Customer', structuredClone(docs[1]!), selection); // no marketing consent
    expect(a).toEqual({ id: 'cus_1', email: 'a@example.com', phone: null, address: null });
    expect(b).toEqual({ id: 'cus_2', email: null, phone: null, address: null });
    expect(entryOf(log, 'cus_1')).toEqual({ read: ['email', 'id'], denied: ['address', 'phone'] });
    expect(entryOf(log, 'cus_2')).toEqual({ read: ['id'], denied: ['address', 'email', 'phone'] });
    const errors = guard.errors().map((e) => e.extensions);
    expect(errors.find((e) => e.field === 'Customer.email')).toMatchObject({ count: 1, reason: expect.stringMatching(/consent "marketing"/) });
    expect(errors.find((e) => e.field === 'Customer.phone')).toMatchObject({ count: 2, purpose: 'marketing' });
  });

  it('records a row as touched when only its id is selected', () => {
    const { log, guard } = guardFor({ kind: 'staff', id: 'mia', roles: ['marketing-specialist'] }, 'marketing', null);
    guard.view('Customer', structuredClone(docs[0]!), new Map([['id', null]]));
    expect(entryOf(log, 'cus_1')).toEqual({ read: ['id'], denied: [] });
  });
});
