/** The loader rejects each kind of broken policy file with a message naming the file, the key and the rule. */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadPolicies, PolicyLoadError } from '../../src/policy';
import { copyPolicies, POLICY_DIR, type PolicyCopy } from './policyCopy';

let copy: PolicyCopy;
afterEach(() => copy?.remove());

function loadError(c: PolicyCopy): PolicyLoadError {
  try {
    loadPolicies(c.dir);
  } catch (err) {
    if (err instanceof PolicyLoadError) return err;
    throw err;
  }
  throw new Error('expected loadPolicies to throw a PolicyLoadError');
}

const billingRead = 'fields: [fullName, email, address, paymentCard]';

describe('loadPolicies', () => {
  it('loads the shipped policies', () => {
    const p = loadPolicies(POLICY_DIR);
    expect([...p.roles.keys()].sort()).toEqual([
      'billing-agent', 'care-advisor', 'customer', 'data-analyst', 'fulfilment-coordinator', 'marketing-specialist',
      'privacy-officer', 'records-manager', 'supervisor', 'support-agent', 'verification-officer',
    ]);
    expect(p.purposes.get('marketing')).toMatchObject({ requiresTask: false, consent: 'marketing', legalBasis: 'consent' });
    expect(p.purposes.get('care')).toMatchObject({ requiresTask: true, consent: 'health-data' });
    expect([...p.consentKeys.keys()]).toEqual(['storage', 'marketing', 'analytics', 'health-data']);
    expect(p.allowedPreferences).toContain('paperless-billing');
    expect(p.version).toMatch(/^[0-9a-f]{16}$/);
  });

  it('rejects a rule without a reason', () => {
    copy = copyPolicies();
    copy.edit('roles/billing-agent.yaml', "        reason: A billing case needs the customer's name, billing address and card on file.\n", '');
    const err = loadError(copy);
    expect(err.file).toBe(join(copy.dir, 'roles/billing-agent.yaml'));
    expect(err.message).toBe(`${join(copy.dir, 'roles/billing-agent.yaml')}: purposes.billing.rules[0].reason: is required`);
  });

  it('rejects an empty reason', () => {
    copy = copyPolicies();
    copy.edit('roles/data-analyst.yaml', /reason: .*/, 'reason: "  "');
    expect(loadError(copy).message).toMatch(/roles\/data-analyst\.yaml: purposes\.analytics\.rules\[0\]\.reason: must not be empty$/);
  });

  it('rejects an unknown attribute', () => {
    copy = copyPolicies();
    copy.edit('roles/billing-agent.yaml', billingRead, 'fields: [fullName, emial, address, paymentCard]');
    expect(loadError(copy).message).toMatch(
      /roles\/billing-agent\.yaml: purposes\.billing\.rules\[0\]\.fields: unknown attribute "emial" \(not in policies\/fields\.yaml\)$/,
    );
  });

  it('rejects an unknown purpose', () => {
    copy = copyPolicies();
    copy.edit('roles/marketing-specialist.yaml', '  marketing:\n', '  marketting:\n');
    const err = loadError(copy);
    expect(err.message).toMatch(/roles\/marketing-specialist\.yaml: purposes\.marketting: unknown purpose "marketting" \(not in policies\/purposes\.yaml\)$/);
    expect(err.keyPath).toBe('purposes.marketting');
  });

  it('rejects a wildcard that would grant a restricted category', () => {
    copy = copyPolicies();
    copy.edit('roles/billing-agent.yaml', billingRead, 'fields: "*"');
    const err = loadError(copy);
    expect(err.message).toBe(
      `${join(copy.dir, 'roles/billing-agent.yaml')}: purposes.billing.rules[0].fields: wildcard "*" would grant restricted category financial ` +
        '(paymentCard.brand, paymentCard.last4, paymentCard.expiryMonth, paymentCard.expiryYear, paymentCard.number); list restricted fields explicitly',
    );
  });

  it('rejects a parent wildcard over a restricted category, and a rule with no fields', () => {
    copy = copyPolicies();
    copy.edit('roles/care-advisor.yaml', 'fields: [health]', 'fields: ["health.*"]');
    expect(loadError(copy).message).toMatch(/purposes\.care\.rules\[1\]\.fields: wildcard "health\.\*" would grant restricted category health \(health\.conditions, health\.notes\)/);
    copy.remove();
    copy = copyPolicies();
    copy.edit('roles/marketing-specialist.yaml', '        fields: [fullName, email, segment, loyaltyTier, preferences]\n', '');
    expect(loadError(copy).message).toMatch(/purposes\.marketing\.rules\[0\]\.fields: no fields \(every attribute\) would grant restricted category financial/);
  });

  it('accepts a wildcard over unrestricted attributes, and a parent naming restricted leaves explicitly', () => {
    copy = copyPolicies();
    copy.edit('roles/data-analyst.yaml', 'address.country', '"address.*"');
    const p = loadPolicies(copy.dir);
    const fields = p.roles.get('data-analyst')!.purposes.get('analytics')![0]!.fields;
    expect(fields).toEqual(expect.arrayContaining(['address.street', 'address.city', 'address.postalCode', 'address.country']));
    expect(p.roles.get('care-advisor')!.purposes.get('care')![0]!.fields).toEqual(['fullName', 'phone', 'health.conditions', 'health.notes']);
  });

  it('accepts a wildcard in an inverted rule (a denial grants nothing)', () => {
    copy = copyPolicies();
    copy.edit(
      'roles/data-analyst.yaml',
      '        reason: Statistics use',
      '        reason: x\n      - action: update\n        subject: Customer\n        fields: "*"\n        inverted: true\n        reason: Analysts never write.\n        # Statistics use',
    );
    expect(loadPolicies(copy.dir).roles.get('data-analyst')!.purposes.get('analytics')).toHaveLength(2);
  });

  it('rejects YAML that does not parse, naming the line', () => {
    copy = copyPolicies();
    copy.edit('roles/supervisor.yaml', 'purposes:\n', 'purposes:\n  task-management: [\n');
    expect(loadError(copy).message).toMatch(/roles\/supervisor\.yaml: line \d+, column \d+: invalid YAML: /);
  });

  it('rejects duplicate keys in YAML', () => {
    copy = copyPolicies();
    copy.edit('purposes.yaml', '  audit:\n', '  audit:\n    description: twice\n  audit:\n');
    expect(loadError(copy).message).toMatch(/purposes\.yaml: line \d+, column \d+: invalid YAML: .*unique/i);
  });

  it('rejects a misspelt key instead of ignoring it', () => {
    copy = copyPolicies();
    copy.edit('roles/supervisor.yaml', '        reason: A supervisor names', '        reasons: A supervisor names');
    expect(loadError(copy).message).toMatch(/roles\/supervisor\.yaml: purposes\.task-management\.rules\[0\]: unknown key "reasons"/);
  });

  it('rejects an unknown action or subject', () => {
    copy = copyPolicies();
    copy.edit('roles/supervisor.yaml', 'action: [create, update, read]', 'action: [create, delete]');
    expect(loadError(copy).message).toMatch(/purposes\.task-management\.rules\[1\]\.action/);
    copy.remove();
    copy = copyPolicies();
    copy.edit('roles/supervisor.yaml', 'subject: Task', 'subject: Ticket');
    expect(loadError(copy).message).toMatch(/roles\/supervisor\.yaml: purposes\.task-management\.rules\[1\]\.subject: Invalid option/);
  });

  it('rejects a purpose whose consent key is not in the catalogue', () => {
    copy = copyPolicies();
    copy.edit('purposes.yaml', 'consent: marketing', 'consent: newsletter');
    expect(loadError(copy).message).toMatch(/purposes\.yaml: purposes\.marketing\.consent: unknown consent key "newsletter"/);
  });

  it('requires the storage consent key', () => {
    copy = copyPolicies();
    copy.edit('fields.yaml', /  storage:\n.*\n.*\n/, '');
    expect(loadError(copy).message).toMatch(/fields\.yaml: consentKeys: must define "storage"/);
  });

  it('rejects an attribute with an unknown category', () => {
    copy = copyPolicies();
    copy.edit('fields.yaml', 'segment:            { category: commercial', 'segment:            { category: marketing');
    expect(loadError(copy).message).toMatch(/fields\.yaml: attributes\.segment\.category: Invalid option/);
  });

  it('refuses a read rule that names a never-readable attribute', () => {
    copy = copyPolicies();
    copy.edit('roles/billing-agent.yaml', billingRead, 'fields: [fullName, paymentCard.number]');
    expect(loadError(copy).message).toMatch(/purposes\.billing\.rules\[0\]\.fields: "paymentCard\.number" is never readable/);
  });

  it('drops never-readable leaves from a parent in a read rule, keeps them for update', () => {
    const p = loadPolicies(POLICY_DIR);
    const [read, update] = p.roles.get('billing-agent')!.purposes.get('billing')!;
    expect(read!.fields).not.toContain('paymentCard.number');
    expect(update!.fields).toContain('paymentCard.number');
  });

  it('rejects a rule of a task purpose that is not limited to the task', () => {
    copy = copyPolicies();
    copy.edit('roles/billing-agent.yaml', `        ${billingRead}\n`, `        ${billingRead}\n        scope: all\n`);
    expect(loadError(copy).message).toMatch(/purposes\.billing\.rules\[0\]\.scope: purpose "billing" requires a task/);
  });

  it('rejects scope task on a purpose without task, and scope self for staff', () => {
    copy = copyPolicies();
    copy.edit('roles/data-analyst.yaml', 'subject: Customer', 'subject: Customer\n        scope: task');
    expect(loadError(copy).message).toMatch(/purposes\.analytics\.rules\[0\]\.scope: scope task needs a purpose that requires a task/);
    copy.remove();
    copy = copyPolicies();
    copy.edit('roles/data-analyst.yaml', 'subject: Customer', 'subject: Customer\n        scope: self');
    expect(loadError(copy).message).toMatch(/rules\[0\]\.scope: scope self is only for customer roles/);
  });

  it('requires scope self in customer roles', () => {
    copy = copyPolicies();
    copy.edit('roles/customer.yaml', '      - action: erase\n        subject: Customer\n', '      - action: erase\n        subject: Customer\n        scope: all\n');
    expect(loadError(copy).message).toMatch(/roles\/customer\.yaml: purposes\.self-service\.rules\[3\]\.scope: a customer role only sees/);
  });

  it('rejects unknown placeholders and task placeholders outside task purposes', () => {
    copy = copyPolicies();
    copy.edit('roles/billing-agent.yaml', `        ${billingRead}\n`, `        ${billingRead}\n        conditions: { ownerId: "{{user.id}}" }\n`);
    expect(loadError(copy).message).toMatch(/purposes\.billing\.rules\[0\]\.conditions\.ownerId: unknown placeholder/);
    copy.remove();
    copy = copyPolicies();
    copy.edit('roles/data-analyst.yaml', 'subject: Customer', 'subject: Customer\n        conditions: { _id: { $in: "{{task.customerIds}}" } }');
    expect(loadError(copy).message).toMatch(/purposes\.analytics\.rules\[0\]\.conditions\._id\.\$in: \{\{task\.customerIds\}\} needs a purpose that requires a task/);
  });

  it('rejects conditions that are not a supported Mongo query', () => {
    copy = copyPolicies();
    copy.edit('roles/data-analyst.yaml', 'subject: Customer', 'subject: Customer\n        conditions: { segment: { $regexx: "^g" } }');
    expect(loadError(copy).message).toMatch(/purposes\.analytics\.rules\[0\]\.conditions\.segment\.\$regexx: unsupported operator "\$regexx"/);
  });

  it('rejects erase rules that list fields', () => {
    copy = copyPolicies();
    copy.edit('roles/privacy-officer.yaml', '      - action: erase\n        subject: Customer\n', '      - action: erase\n        subject: Customer\n        fields: [email]\n');
    expect(loadError(copy).message).toMatch(/purposes\.privacy-request\.rules\[2\]\.fields: erase applies to the whole record/);
  });

  it('requires the role name to match the file name', () => {
    copy = copyPolicies();
    copy.edit('roles/supervisor.yaml', 'role: supervisor', 'role: team-lead');
    expect(loadError(copy).message).toBe(`${join(copy.dir, 'roles/supervisor.yaml')}: role: must equal the file name "supervisor"`);
  });

  it('names a missing file', () => {
    copy = copyPolicies();
    copy.remove();
    expect(() => loadPolicies(copy.dir)).toThrow(/purposes\.yaml: cannot read file \(ENOENT\)/);
  });

  it('derives the version from the files: stable for a copy, different after an edit', () => {
    copy = copyPolicies();
    const before = loadPolicies(copy.dir).version;
    expect(loadPolicies(POLICY_DIR).version).toBe(before);
    copy.edit('roles/supervisor.yaml', 'Team supervisors.', 'Team supervisors (edited).');
    expect(loadPolicies(copy.dir).version).not.toBe(before);
  });
});
