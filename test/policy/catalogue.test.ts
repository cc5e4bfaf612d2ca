/** Field catalogue helpers, policyMatrix and purposeAllowedFor (incl. a partner role file). */
import { afterEach, describe, expect, it } from 'vitest';
import {
  buildAbility,
  childrenOf,
  customerFields,
  loadPolicies,
  policyMatrix,
  purposeAllowedFor,
  restrictedFields,
  subject,
  UnknownPolicyRefError,
} from '../../src/policy';
import { copyPolicies, POLICY_DIR, type PolicyCopy } from './policyCopy';

const policies = loadPolicies(POLICY_DIR);
let copy: PolicyCopy | undefined;
afterEach(() => copy?.remove());

describe('field catalogue', () => {
  it('lists every Customer leaf of the architecture notes', () => {
    expect(customerFields(policies).sort()).toEqual(
      [
        'fullName', 'email', 'phone', 'birthDate', 'birthYear', 'address.street', 'address.city', 'address.postalCode',
        'address.country', 'segment', 'loyaltyTier', 'preferences', 'paymentCard.brand', 'paymentCard.last4',
        'paymentCard.expiryMonth', 'paymentCard.expiryYear', 'paymentCard.number', 'health.conditions', 'health.notes',
        'consents', 'verification', 'createdAt', 'updatedAt',
      ].sort(),
    );
  });

  it('expands parents', () => {
    expect(childrenOf(policies, 'address')).toEqual(['address.street', 'address.city', 'address.postalCode', 'address.country']);
    expect(childrenOf(policies, 'health')).toEqual(['health.conditions', 'health.notes']);
    expect(childrenOf(policies, 'email')).toEqual([]);
  });

  it('marks financial and health as restricted, the card number as never readable', () => {
    expect(restrictedFields(policies)).toEqual([
      'paymentCard.brand', 'paymentCard.last4', 'paymentCard.expiryMonth', 'paymentCard.expiryYear', 'paymentCard.number',
      'health.conditions', 'health.notes',
    ]);
    expect(policies.neverReadable).toEqual(['paymentCard.number']);
    const sensitive = [...policies.fields.values()].filter((f) => f.sensitivity === 'restricted').map((f) => f.path);
    expect(sensitive).toEqual(['paymentCard.number', 'health.conditions', 'health.notes']);
  });
});

describe('policyMatrix', () => {
  const row = (role: string, purpose: string, field: string, action: string) =>
    policyMatrix(policies, role, purpose).find((r) => r.field === field && r.action === action)!;

  it('has one row per Customer leaf and action', () => {
    expect(policyMatrix(policies, 'support-agent', 'customer-support')).toHaveLength(customerFields(policies).length * 3);
  });

  it('shows grants with their reason, ignoring row conditions', () => {
    expect(row('support-agent', 'customer-support', 'email', 'read')).toEqual({
      field: 'email',
      action: 'read',
      allowed: true,
      reason: "A support ticket needs the customer's contact details and preferences.",
    });
    expect(row('marketing-specialist', 'marketing', 'email', 'read').allowed).toBe(true);
    expect(row('billing-agent', 'billing', 'paymentCard.number', 'update').allowed).toBe(true);
    expect(row('support-agent', 'onboarding', 'consents', 'create').allowed).toBe(true);
  });

  it('shows denials with their reason', () => {
    expect(row('billing-agent', 'billing', 'paymentCard.number', 'read')).toMatchObject({ allowed: false, reason: expect.stringMatching(/write-only/) });
    expect(row('data-analyst', 'analytics', 'address.street', 'read')).toMatchObject({
      allowed: false,
      reason: 'no rule grants read on Customer.address.street for purpose analytics',
    });
    expect(row('support-agent', 'billing', 'email', 'read')).toMatchObject({
      allowed: false,
      reason: 'role support-agent does not act for purpose billing',
    });
  });

  it('throws for an unknown role or purpose', () => {
    expect(() => policyMatrix(policies, 'ceo', 'billing')).toThrow(UnknownPolicyRefError);
    expect(() => policyMatrix(policies, 'billing-agent', 'lunch')).toThrow('unknown purpose "lunch"');
  });
});

describe('purposeAllowedFor', () => {
  it('follows the staff roles', () => {
    expect(purposeAllowedFor(policies, { kind: 'staff', id: 'a', roles: ['support-agent'] }, 'customer-support')).toBe(true);
    expect(purposeAllowedFor(policies, { kind: 'staff', id: 'a', roles: ['support-agent'] }, 'billing')).toBe(false);
    expect(purposeAllowedFor(policies, { kind: 'staff', id: 'a', roles: ['marketing-specialist', 'billing-agent'] }, 'billing')).toBe(true);
    expect(purposeAllowedFor(policies, { kind: 'staff', id: 'a', roles: ['ceo'] }, 'audit')).toBe(false);
    expect(purposeAllowedFor(policies, { kind: 'staff', id: 'a', roles: ['privacy-officer'] }, 'no-such-purpose')).toBe(false);
  });

  it('gives customers self-service only, and staff never the customer role', () => {
    const me = { kind: 'customer' as const, id: 'cus_1', roles: [] };
    expect(purposeAllowedFor(policies, me, 'self-service')).toBe(true);
    expect(purposeAllowedFor(policies, me, 'marketing')).toBe(false);
    expect(purposeAllowedFor(policies, { kind: 'staff', id: 'x', roles: ['customer'] }, 'self-service')).toBe(false);
    expect(purposeAllowedFor(policies, { kind: 'customer', id: 'cus_1', roles: ['privacy-officer'] }, 'audit')).toBe(false);
  });

  it('gives partners nothing until a partner role file grants it', () => {
    const shipfast = { kind: 'partner' as const, id: 'u1', roles: [], partner: 'shipfast' };
    expect(purposeAllowedFor(policies, shipfast, 'order-fulfilment')).toBe(false);
    copy = copyPolicies();
    copy.write(
      'roles/partner-shipfast.yaml',
      [
        'role: partner-shipfast',
        'kind: partner',
        'partner: shipfast',
        'description: Parcel delivery subcontractor.',
        'purposes:',
        '  order-fulfilment:',
        '    rules:',
        '      - action: read',
        '        subject: Customer',
        '        fields: [fullName, phone, address]',
        '        reason: A parcel needs a name, a phone and an address.',
        '',
      ].join('\n'),
    );
    const withPartner = loadPolicies(copy.dir);
    expect(purposeAllowedFor(withPartner, shipfast, 'order-fulfilment')).toBe(true);
    expect(purposeAllowedFor(withPartner, { ...shipfast, partner: 'other' }, 'order-fulfilment')).toBe(false);
    expect(purposeAllowedFor(withPartner, { kind: 'staff', id: 's', roles: ['partner-shipfast'] }, 'order-fulfilment')).toBe(false);
    const a = buildAbility(withPartner, { principal: shipfast, purpose: 'order-fulfilment', task: { id: 't', customerIds: ['cus_1'] } });
    expect(a.can('read', subject('Customer', { _id: 'cus_1' }), 'address.city')).toBe(true);
    expect(a.can('read', subject('Customer', { _id: 'cus_2' }), 'address.city')).toBe(false);
    expect(a.can('read', subject('Customer', { _id: 'cus_1' }), 'email')).toBe(false);
  });
});
