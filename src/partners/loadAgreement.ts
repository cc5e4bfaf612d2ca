/**
 * Loading an agreement: checked against the internal policy, so that a partner never gets more
 * than the company's own staff for the same purpose, and only the operations partners may have.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { PolicySet } from '../core/policyModel';
import { expandCustomerFields, FieldListProblem, formatKeyPath, PolicyLoadError, readYamlFile } from '../policy';
import { AGREEMENT_ACTIONS, AGREEMENT_SUBJECTS, agreementFileSchema, type Agreement, type AgreementAction, type AgreementFile, type AgreementSubject } from './agreement';

/**
 * The staff operations a partner schema may include, and the grant each one needs in the agreement.
 * Anything else (access log, policy matrix, enrolment, tasks management) is never offered to partners.
 */
export const PARTNER_OPERATIONS: Record<string, { subject: AgreementSubject; action: AgreementAction }> = {
  'Query.customer': { subject: 'Customer', action: 'read' },
  'Query.customers': { subject: 'Customer', action: 'read' },
  'Query.task': { subject: 'Task', action: 'read' },
  'Query.myTasks': { subject: 'Task', action: 'read' },
  'Mutation.updateCustomer': { subject: 'Customer', action: 'update' },
};

/** Fields of the GraphQL Task type (and of the task document) an agreement may name. `id` is always shown. */
export const TASK_FIELDS = ['id', 'purpose', 'customerIds', 'assigneeIds', 'status', 'openedBy', 'openedAt', 'expiresAt', 'closedAt', 'note'] as const;

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

type Fail = (path: (string | number)[], rule: string) => never;

/**
 * Read and validate one agreement file against the internal policy. Throws PolicyLoadError naming
 * the file, the key and the rule when the agreement:
 * - does not match its file name, names an unknown purpose, or a purpose that does not work through tasks;
 * - names an unknown attribute, or uses a wildcard (agreements list attributes explicitly);
 * - grants a restricted category (financial, health) without `restrictedApprovedBy`;
 * - grants more than the company's own staff roles are granted for the same purpose;
 * - lists an operation partners can never have, or one its grants do not cover;
 * - points at a signed text whose sha256 differs from the recorded one;
 * - expires before it was signed.
 */
export function loadAgreement(file: string, policies: PolicySet): Agreement {
  const { data } = readYamlFile(file, agreementFileSchema);
  const fail: Fail = (path, rule) => {
    throw new PolicyLoadError(file, formatKeyPath(path), rule);
  };
  const expected = basename(file).replace(/\.ya?ml$/, '');
  if (data.partner !== expected) fail(['partner'], `must equal the file name "${expected}"`);

  data.purposes.forEach((p, i) => {
    const purpose = policies.purposes.get(p);
    if (!purpose) fail(['purposes', i], `unknown purpose "${p}" (not in policies/purposes.yaml)`);
    if (!purpose!.requiresTask) fail(['purposes', i], `purpose "${p}" does not work through tasks; partners act only within tasks assigned to them`);
  });
  if (new Set(data.purposes).size !== data.purposes.length) fail(['purposes'], 'lists a purpose twice');

  const grants = expandGrants(data, policies, fail);
  checkRestricted(data, grants, policies, fail);
  checkWithinInternalPolicy(data, grants, policies, fail);
  checkOperations(data, grants, fail);
  checkCommitments(file, data, fail);
  if (data.agreement.expiresAt.getTime() <= data.agreement.signedAt.getTime()) fail(['agreement', 'expiresAt'], 'must be after signedAt');

  const operations = [...new Set(data.operations)].sort();
  const purposes = [...data.purposes].sort();
  return {
    id: data.partner,
    legalName: data.legalName,
    version: data.agreement.version,
    signedBy: data.agreement.signedBy,
    signedAt: data.agreement.signedAt,
    expiresAt: data.agreement.expiresAt,
    revoked: data.agreement.revoked ?? null,
    purposes,
    grants,
    operations,
    commitments: data.commitments,
    incidentContact: data.incidentContact,
    restrictedApprovedBy: data.restrictedApprovedBy ?? null,
    termsHash: createHash('sha256').update(JSON.stringify({ purposes, grants, operations })).digest('hex').slice(0, 16),
    file,
  };
}

function expandGrants(data: AgreementFile, policies: PolicySet, fail: Fail): Agreement['grants'] {
  const out = { Customer: { read: [], update: [] }, Task: { read: [], update: [] } } as Agreement['grants'];
  for (const subject of AGREEMENT_SUBJECTS) {
    for (const action of AGREEMENT_ACTIONS) {
      const listed = data.fields[subject]?.[action];
      if (!listed) continue;
      listed.forEach((f, i) => {
        if (f === '*' || f.endsWith('.*')) fail(['fields', subject, action, i], `wildcard "${f}": an agreement lists every attribute explicitly`);
      });
      if (subject === 'Task') {
        if (action !== 'read') fail(['fields', subject, action], 'partners may only read tasks');
        listed.forEach((f, i) => {
          if (!(TASK_FIELDS as readonly string[]).includes(f)) fail(['fields', subject, action, i], `unknown Task field "${f}" (one of ${TASK_FIELDS.join(', ')})`);
        });
        out.Task.read = [...new Set(listed)];
        continue;
      }
      try {
        out.Customer[action] = expandCustomerFields(policies.fields, listed, [action], false);
      } catch (err) {
        if (err instanceof FieldListProblem) fail(['fields', subject, action], err.message);
        throw err;
      }
    }
  }
  return out;
}

function checkRestricted(data: AgreementFile, grants: Agreement['grants'], policies: PolicySet, fail: Fail): void {
  if (data.restrictedApprovedBy) return;
  for (const action of AGREEMENT_ACTIONS) {
    const hit = grants.Customer[action].filter((f) => policies.restricted.includes(f));
    if (hit.length) {
      const categories = [...new Set(hit.map((f) => policies.fields.get(f)!.category))].join(', ');
      fail(['fields', 'Customer', action], `grants restricted category ${categories} (${hit.join(', ')}): needs restrictedApprovedBy`);
    }
  }
}

/** An agreement never grants a partner more than the company's own staff get for the same purpose. */
function checkWithinInternalPolicy(data: AgreementFile, grants: Agreement['grants'], policies: PolicySet, fail: Fail): void {
  for (const purpose of data.purposes) {
    for (const subject of AGREEMENT_SUBJECTS) {
      for (const action of AGREEMENT_ACTIONS) {
        const wanted = grants[subject][action];
        if (!wanted.length) continue;
        const internal = internalGrant(policies, purpose, subject as AgreementSubject, action as AgreementAction);
        if (internal.all) continue;
        const beyond = wanted.filter((f) => !internal.fields.has(f));
        if (beyond.length) {
          const roles = staffRolesFor(policies, purpose);
          fail(
            ['fields', subject, action],
            `grants ${action} on ${subject} ${beyond.join(', ')} for purpose ${purpose}, more than the internal policy grants its own staff for it (roles: ${roles.join(', ') || 'none'})`,
          );
        }
      }
    }
  }
}

function checkOperations(data: AgreementFile, grants: Agreement['grants'], fail: Fail): void {
  data.operations.forEach((op, i) => {
    const need = PARTNER_OPERATIONS[op];
    if (!need) fail(['operations', i], `"${op}" is not offered to partners (one of ${Object.keys(PARTNER_OPERATIONS).join(', ')})`);
    if (!grants[need!.subject][need!.action].length)
      fail(['operations', i], `"${op}" needs ${need!.action} on ${need!.subject} fields, and the agreement grants none`);
  });
}

function checkCommitments(file: string, data: AgreementFile, fail: Fail): void {
  let text: Buffer;
  try {
    text = readFileSync(join(dirname(file), data.commitments.document));
  } catch (err) {
    fail(['commitments', 'document'], `cannot read the signed text (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  const actual = createHash('sha256').update(text!).digest('hex');
  if (actual !== data.commitments.sha256)
    fail(['commitments', 'sha256'], `does not match the signed text ${data.commitments.document}: it changed after signature (a new text needs a new agreement version)`);
}
