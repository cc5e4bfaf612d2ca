/** The agreement loader: the demo agreement loads, and each rule rejects a broken copy naming file, key and rule. */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadAgreement, PartnerRegistry } from '../../src/partners';
import { loadPolicies, PolicyLoadError, type PolicySet } from '../../src/policy';
import { copyPolicies, type PolicyCopy } from '../policy/policyCopy';

let copy: PolicyCopy;
let policies: PolicySet;
beforeEach(() => {
  copy = copyPolicies();
  policies = loadPolicies(copy.dir);
});
afterEach(() => copy.remove());

const FILE = 'partners/shipfast.yaml';
const load = () => loadAgreement(join(copy.dir, FILE), policies);

function rejected(key: string, rule: RegExp): void {
  let error: unknown;
  try {
    load();
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(PolicyLoadError);
  const e = error as PolicyLoadError;
  expect(e.file).toBe(join(copy.dir, FILE));
  expect(e.keyPath).toBe(key);
  expect(e.rule).toMatch(rule);
  expect(e.message).toContain(`shipfast.yaml: ${key}`);
}

describe('the demo agreement', () => {
  it('loads: shipfast, order-fulfilment, name, phone and address, in force', () => {
    const a = load();
    expect(a).toMatchObject({ id: 'shipfast', legalName: 'ShipFast Logistics SAS', version: '2025-01', purposes: ['order-fulfilment'], revoked: null });
    expect(a.grants.Customer.read).toEqual(['fullName', 'phone', 'address.street', 'address.city', 'address.postalCode', 'address.country']);
    expect(a.grants.Customer.update).toEqual([]);
    expect(a.operations).toEqual(['Query.customer', 'Query.customers', 'Query.myTasks', 'Query.task']);
    expect(a.incidentContact.email).toBe('dpo@shipfast.example');
    expect(a.commitments.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is checked against a staff role that acts for the same purpose', () => {
    expect([...policies.roles.values()].filter((r) => r.kind === 'staff' && r.purposes.has('order-fulfilment')).map((r) => r.id)).toEqual(['fulfilment-coordinator']);
  });
});

describe('rejected agreements', () => {
  it('grants more than the internal policy grants for the purpose', () => {
    copy.edit(FILE, 'read: [fullName, phone, address]', 'read: [fullName, phone, address, birthDate]');
    rejected('fields.Customer.read', /birthDate for purpose order-fulfilment, more than the internal policy grants.*fulfilment-coordinator/);
  });

  it('grants a task field the internal policy does not', () => {
    copy.edit(FILE, 'read: [id, purpose, customerIds, status, expiresAt, note]', 'read: [id, purpose, customerIds, openedBy]');
    rejected('fields.Task.read', /openedBy for purpose order-fulfilment, more than the internal policy/);
  });

  it('touches a restricted category without restrictedApprovedBy', () => {
    copy.edit(FILE, 'read: [fullName, phone, address]', 'read: [fullName, phone, address, paymentCard.last4]');
    rejected('fields.Customer.read', /restricted category financial \(paymentCard\.last4\): needs restrictedApprovedBy/);
  });

  it('is still bound by the internal policy when a restricted category is approved', () => {
    copy.edit(FILE, 'read: [fullName, phone, address]', 'read: [fullName, phone, address, health]');
    copy.edit(FILE, 'incidentContact:', 'restrictedApprovedBy: Privacy Office, 2025-01-10\nincidentContact:');
    rejected('fields.Customer.read', /health\.conditions, health\.notes for purpose order-fulfilment, more than the internal policy/);
  });

  it('uses a wildcard', () => {
    copy.edit(FILE, 'read: [fullName, phone, address]', 'read: ["address.*"]');
    rejected('fields.Customer.read[0]', /wildcard "address\.\*": an agreement lists every attribute explicitly/);
  });

  it('names an unknown attribute', () => {
    copy.edit(FILE, 'read: [fullName, phone, address]', 'read: [fullName, shoeSize]');
    rejected('fields.Customer.read', /unknown attribute "shoeSize"/);
  });

  it('names an unknown purpose, or one that does not work through tasks', () => {
    copy.edit(FILE, 'purposes: [order-fulfilment]', 'purposes: [order-fulfilment, parcel-tracking]');
    rejected('purposes[1]', /unknown purpose "parcel-tracking"/);
    copy.edit(FILE, 'purposes: [order-fulfilment, parcel-tracking]', 'purposes: [marketing]');
    rejected('purposes[0]', /does not work through tasks/);
  });

  it('lists an operation partners never get, or one its grants do not cover', () => {
    copy.edit(FILE, 'operations: [Query.customer,', 'operations: [Query.accessLog, Query.customer,');
    rejected('operations[0]', /"Query\.accessLog" is not offered to partners/);
    copy.edit(FILE, 'operations: [Query.accessLog, Query.customer,', 'operations: [Mutation.updateCustomer, Query.customer,');
    rejected('operations[0]', /needs update on Customer fields, and the agreement grants none/);
  });

  it('points at a signed text that changed after signature', () => {
    copy.edit('partners/shipfast.commitments.md', 'within 24 hours', 'within 72 hours');
    rejected('commitments.sha256', /does not match the signed text shipfast\.commitments\.md/);
  });

  it('does not match its file name, or misspells a key', () => {
    copy.edit(FILE, 'partner: shipfast', 'partner: fastship');
    rejected('partner', /must equal the file name "shipfast"/);
    copy.edit(FILE, 'partner: fastship', 'partner: shipfast');
    copy.edit(FILE, 'legalName:', 'legalname:');
    rejected('', /unknown key "legalname"/);
  });

  it('expires before it was signed, or has a malformed date', () => {
    copy.edit(FILE, 'expiresAt: "2027-01-15"', 'expiresAt: "2024-12-31"');
    rejected('agreement.expiresAt', /must be after signedAt/);
    copy.edit(FILE, 'expiresAt: "2024-12-31"', 'expiresAt: "next year"');
    rejected('agreement.expiresAt', /ISO date/);
  });

  it('refuses the whole folder at startup when one agreement is bad', () => {
    copy.edit(FILE, 'read: [fullName, phone, address]', 'read: [fullName, email, segment]');
    expect(() => PartnerRegistry.load(join(copy.dir, 'partners'), policies)).toThrow(/shipfast\.yaml: fields\.Customer\.read: grants read on Customer segment/);
  });

  it('accepts a well-formed second agreement with its own signed text', () => {
    const text = 'Commitments of Acme Couriers.\n';
    copy.write('partners/acme.commitments.md', text);
    const sha = createHash('sha256').update(text).digest('hex');
    copy.write(
      'partners/acme.yaml',
      [
        'partner: acme', 'legalName: Acme Couriers Ltd',
        'agreement:', '  version: 1', '  signedBy:', '    - { name: A, title: CEO, party: partner }', '    - { name: B, title: COO, party: company }',
        '  signedAt: "2025-02-01"', '  expiresAt: "2026-02-01T12:00:00Z"',
        'purposes: [order-fulfilment]', 'fields:', '  Customer:', '    read: [fullName, address.city]',
        'operations: [Query.customer]',
        `commitments: { document: acme.commitments.md, sha256: ${sha}, summary: [Deliver only] }`,
        'incidentContact: { name: Acme DPO, email: dpo@acme.example }',
      ].join('\n'),
    );
    const registry = PartnerRegistry.load(join(copy.dir, 'partners'), policies);
    expect(registry.list().map((a) => `${a.id}@${a.version}`)).toEqual(['acme@1', 'shipfast@2025-01']);
    expect(registry.get('acme')!.grants.Customer.read).toEqual(['fullName', 'address.city']);
    expect(registry.status('acme', new Date('2026-02-01T11:59:59Z')).active).toBe(true);
    expect(registry.status('acme', new Date('2026-02-01T12:00:00Z'))).toMatchObject({ active: false, reason: 'expired' });
  });
});
