/** buildAbility, decide and rowFilter on the shipped policies, with CASL field checks and real Mongo matching (mingo). */
import { Query } from 'mingo';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../src/core/context';
import { buildAbility, decide, loadPolicies, rowFilter, subject, type TaskScope } from '../../src/policy';
import { POLICY_DIR } from './policyCopy';

const policies = loadPolicies(POLICY_DIR);
const staff = (id: string, ...roles: string[]): Principal => ({ kind: 'staff', id, roles });
const customer = (_id: string, consentState: Record<string, boolean> = { storage: true }) => ({ _id, consentState });

const people = [
  customer('cus_1', { storage: true, marketing: true, analytics: false }),
  customer('cus_2', { storage: true, marketing: false, analytics: true }),
  customer('cus_3', { storage: true, marketing: true, analytics: true, 'health-data': true }),
  customer('cus_4'),
];
const visible = (filter: Record<string, unknown>) => people.filter((d) => new Query(filter).test(d)).map((d) => d._id);

describe('buildAbility', () => {
  const task: TaskScope = { id: 'tsk_1', customerIds: ['cus_1', 'cus_3'] };

  it('checks nested attribute paths field by field on plain objects', () => {
    const a = buildAbility(policies, { principal: staff('dana', 'data-analyst'), purpose: 'analytics', task: null });
    const row = customer('cus_2', { storage: true, analytics: true });
    expect(a.can('read', subject('Customer', row), 'address.country')).toBe(true);
    expect(a.can('read', subject('Customer', { ...row }), 'address.street')).toBe(false);
    expect(a.can('read', subject('Customer', { ...row }), 'address')).toBe(false);
  });

  it('evaluates consentState conditions against the document', () => {
    const a = buildAbility(policies, { principal: staff('m', 'marketing-specialist'), purpose: 'marketing', task: null });
    expect(a.can('read', subject('Customer', { ...people[0]! }), 'email')).toBe(true);
    expect(a.can('read', subject('Customer', { ...people[1]! }), 'email')).toBe(false);
    expect(a.can('read', subject('Customer', { _id: 'cus_9' }), 'email')).toBe(false);
  });

  it('limits task purposes to the task customers with _id $in', () => {
    const a = buildAbility(policies, { principal: staff('b', 'billing-agent'), purpose: 'billing', task });
    expect(a.can('read', subject('Customer', customer('cus_3')), 'paymentCard.last4')).toBe(true);
    expect(a.can('read', subject('Customer', customer('cus_2')), 'paymentCard.last4')).toBe(false);
    const other = buildAbility(policies, { principal: staff('b', 'billing-agent'), purpose: 'billing', task: { id: 'tsk_2', customerIds: ['cus_2'] } });
    expect(other.can('read', subject('Customer', customer('cus_2')), 'paymentCard.last4')).toBe(true);
    expect(other.can('read', subject('Customer', customer('cus_3')), 'paymentCard.last4')).toBe(false);
  });

  it('combines task scope and consent for care', () => {
    const a = buildAbility(policies, { principal: staff('c', 'care-advisor'), purpose: 'care', task });
    expect(a.can('read', subject('Customer', { ...people[2]! }), 'health.notes')).toBe(true); // in task, consent
    expect(a.can('read', subject('Customer', { ...people[0]! }), 'health.notes')).toBe(false); // in task, no consent
  });

  it('puts the YAML reason on every rule', () => {
    for (const role of policies.roles.values())
      for (const purpose of role.purposes.keys()) {
        const principal: Principal = role.kind === 'customer' ? { kind: 'customer', id: 'cus_1', roles: [] } : staff('x', role.id);
        const a = buildAbility(policies, { principal, purpose, task });
        expect(a.rules.length).toBeGreaterThan(1);
        for (const rule of a.rules) expect(rule.reason, `${role.id}/${purpose}`).toMatch(/\w+/);
      }
  });

  it('grants nothing but the never-readable denial for a purpose the roles do not have', () => {
    const a = buildAbility(policies, { principal: staff('m', 'marketing-specialist'), purpose: 'billing', task });
    expect(a.rules).toHaveLength(1);
    expect(a.rules[0]).toMatchObject({ inverted: true, fields: ['paymentCard.number'] });
  });

  it('builds a new ability per call (never shared across users), reusing the static rule list', () => {
    const m = (id: string) => buildAbility(policies, { principal: staff(id, 'marketing-specialist'), purpose: 'marketing', task: null });
    const [a, b] = [m('a'), m('b')];
    expect(a).not.toBe(b);
    expect(a.rules).toEqual(b.rules);
    const t = () => buildAbility(policies, { principal: staff('b', 'billing-agent'), purpose: 'billing', task });
    expect(t()).not.toBe(t());
  });

  it('fails closed when a task purpose has no task', () => {
    const a = buildAbility(policies, { principal: staff('s', 'support-agent'), purpose: 'customer-support', task: null });
    expect(a.can('read', subject('Customer', customer('cus_1')), 'email')).toBe(false);
    expect(visible(rowFilter(a, 'read', 'Customer'))).toEqual([]);
  });

  it('scopes customers to themselves', () => {
    const a = buildAbility(policies, { principal: { kind: 'customer', id: 'cus_2', roles: [] }, purpose: 'self-service', task: null });
    expect(visible(rowFilter(a, 'read', 'Customer'))).toEqual(['cus_2']);
    expect(a.can('update', subject('Customer', customer('cus_2')), 'email')).toBe(true);
    expect(a.can('update', subject('Customer', customer('cus_1')), 'email')).toBe(false);
  });
});

describe('rowFilter', () => {
  it('is the accessibleBy query of the rows a role may read', () => {
    const m = buildAbility(policies, { principal: staff('m', 'marketing-specialist'), purpose: 'marketing', task: null });
    expect(rowFilter(m, 'read', 'Customer')).toEqual({ $or: [{ 'consentState.marketing': true }] });
    expect(visible(rowFilter(m, 'read', 'Customer'))).toEqual(['cus_1', 'cus_3']);
    const d = buildAbility(policies, { principal: staff('d', 'data-analyst'), purpose: 'analytics', task: null });
    expect(visible(rowFilter(d, 'read', 'Customer'))).toEqual(['cus_2', 'cus_3']);
  });

  it('combines with a caller filter under $and', () => {
    const b = buildAbility(policies, { principal: staff('b', 'billing-agent'), purpose: 'billing', task: { id: 't', customerIds: ['cus_1', 'cus_2'] } });
    expect(visible({ $and: [rowFilter(b, 'read', 'Customer'), { _id: { $in: ['cus_2', 'cus_3'] } }] })).toEqual(['cus_2']);
    // A caller filter cannot widen the scope: spreading would let `_id` override the rule's `_id`.
    expect(visible({ $and: [rowFilter(b, 'read', 'Customer'), { _id: 'cus_4' }] })).toEqual([]);
  });

  it('matches nothing, instead of throwing, when no rule grants the action', () => {
    const m = buildAbility(policies, { principal: staff('m', 'marketing-specialist'), purpose: 'marketing', task: null });
    expect(rowFilter(m, 'update', 'Customer')).toEqual({ _id: { $in: [] } });
    expect(rowFilter(m, 'read', 'AccessLog')).toEqual({ _id: { $in: [] } });
    expect(visible(rowFilter(m, 'erase', 'Customer'))).toEqual([]);
  });

  it('is every row for a rule without conditions', () => {
    const s = buildAbility(policies, { principal: staff('s', 'supervisor'), purpose: 'task-management', task: null });
    expect(rowFilter(s, 'read', 'Customer')).toEqual({});
    expect(visible(rowFilter(s, 'read', 'Customer'))).toHaveLength(people.length);
  });

  it('ignores the field-level card-number denial when choosing rows', () => {
    const p = buildAbility(policies, { principal: staff('p', 'privacy-officer'), purpose: 'privacy-request', task: { id: 't', customerIds: ['cus_4'] } });
    expect(visible(rowFilter(p, 'read', 'Customer'))).toEqual(['cus_4']);
    expect(visible(rowFilter(p, 'erase', 'Customer'))).toEqual(['cus_4']);
  });

  it('scopes correction requests of a privacy request to the task customers', () => {
    const p = buildAbility(policies, { principal: staff('p', 'privacy-officer'), purpose: 'privacy-request', task: { id: 't', customerIds: ['cus_4'] } });
    expect(rowFilter(p, 'read', 'CorrectionRequest')).toEqual({ $or: [{ customerId: { $in: ['cus_4'] } }] });
  });
});

describe('decide', () => {
  const billing = () => buildAbility(policies, { principal: staff('b', 'billing-agent'), purpose: 'billing', task: { id: 't', customerIds: ['cus_1'] } });

  it('gives the granting rule reason', () => {
    expect(decide(billing(), 'read', 'Customer', customer('cus_1'), 'paymentCard.brand')).toEqual({
      allowed: true,
      reason: "A billing case needs the customer's name, billing address and card on file.",
    });
  });

  it('gives the denying rule reason for the card number', () => {
    const d = decide(billing(), 'read', 'Customer', customer('cus_1'), 'paymentCard.number');
    expect(d).toEqual({ allowed: false, reason: 'paymentCard.number: write-only, nobody may ever read it' });
  });

  it('gives a default reason naming action, coordinate and purpose when no rule applies', () => {
    expect(decide(billing(), 'read', 'Customer', customer('cus_1'), 'health.notes')).toEqual({
      allowed: false,
      reason: 'no rule grants read on Customer.health.notes for purpose billing',
    });
  });

  it('explains a row outside the task, and a missing consent', () => {
    expect(decide(billing(), 'read', 'Customer', customer('cus_2'), 'email').reason).toBe(
      "read on Customer.email denied: this Customer is outside the task's customers",
    );
    const m = buildAbility(policies, { principal: staff('m', 'marketing-specialist'), purpose: 'marketing', task: null });
    expect(decide(m, 'read', 'Customer', customer('cus_9', { storage: true, marketing: false }), 'email').reason).toBe(
      'the customer has not granted consent "marketing", required by purpose marketing',
    );
  });

  it('checks the type only when given no document', () => {
    expect(decide(billing(), 'read', 'Customer', null, 'paymentCard.last4').allowed).toBe(true);
    expect(decide(billing(), 'update', 'Customer', null, 'email').allowed).toBe(false);
  });

  it('decides whole-subject actions without a field', () => {
    const p = buildAbility(policies, { principal: staff('p', 'privacy-officer'), purpose: 'privacy-request', task: { id: 't', customerIds: ['cus_1'] } });
    expect(decide(p, 'erase', 'Customer', customer('cus_1')).allowed).toBe(true);
    expect(decide(p, 'erase', 'Customer', customer('cus_2')).allowed).toBe(false);
  });
});
