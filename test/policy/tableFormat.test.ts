/** The test-table format: a malformed row is a clear error naming the file and key; a wrong row fails. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPolicies, PolicyLoadError } from '../../src/policy';
import { evaluateCase } from '../../src/policy';
import { loadTestTable } from '../../src/policy';
import { POLICY_DIR } from './policyCopy';

const policies = loadPolicies(POLICY_DIR);
const dir = mkdtempSync(join(tmpdir(), 'policy-tables-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const header = `principals:
  alice: { kind: staff, id: alice, roles: [support-agent] }
tasks:
  t: { id: tsk_1, customerIds: [cus_1] }
customers:
  c1: { _id: cus_1 }
cases:
`;
const goodRow = `  - it: reads email
    as: alice
    purpose: customer-support
    task: t
    subject: c1
    action: read
    field: email
    expect: allow
`;

function table(name: string, rows: string): string {
  const file = join(dir, `${name}_test.yaml`);
  writeFileSync(file, header + rows);
  return file;
}
function tableError(name: string, rows: string): PolicyLoadError {
  const file = table(name, rows);
  try {
    loadTestTable(file, policies);
  } catch (err) {
    if (err instanceof PolicyLoadError) return err;
    throw err;
  }
  throw new Error('expected a PolicyLoadError');
}

describe('policy test table format', () => {
  it('loads a good row', () => {
    const [c] = loadTestTable(table('good', goodRow), policies);
    expect(c).toMatchObject({ it: 'reads email', purpose: 'customer-support', subjectType: 'Customer', fields: ['email'], expect: 'allow' });
    expect(evaluateCase(policies, c!)).toEqual([{ field: 'email', allowed: true, reason: expect.any(String), ok: true }]);
  });

  it('reports a row whose expectation is wrong as not ok', () => {
    const [c] = loadTestTable(table('wrong', goodRow.replace('expect: allow', 'expect: deny')), policies);
    expect(evaluateCase(policies, c!)[0]!.ok).toBe(false);
    const [r] = loadTestTable(table('wrongReason', `${goodRow}    reason: something else\n`), policies);
    expect(evaluateCase(policies, r!)[0]!.ok).toBe(false);
  });

  it('rejects a row without expect', () => {
    const err = tableError('noExpect', goodRow.replace('    expect: allow\n', ''));
    expect(err.message).toBe(`${join(dir, 'noExpect_test.yaml')}: cases[0].expect: is required`);
  });

  it('rejects an expectation other than allow or deny', () => {
    expect(tableError('maybe', goodRow.replace('expect: allow', 'expect: maybe')).message).toMatch(/cases\[0\]\.expect: Invalid option/);
  });

  it('rejects unknown principal, task and subject names', () => {
    expect(tableError('who', goodRow.replace('as: alice', 'as: alicia')).message).toMatch(/cases\[0\]\.as: unknown principal "alicia"/);
    expect(tableError('task', goodRow.replace('task: t', 'task: t2')).message).toMatch(/cases\[0\]\.task: unknown task "t2"/);
    expect(tableError('subj', goodRow.replace('subject: c1', 'subject: c9')).message).toMatch(/cases\[0\]\.subject: unknown subject "c9"/);
  });

  it('rejects an unknown purpose or attribute', () => {
    expect(tableError('purpose', goodRow.replace('purpose: customer-support', 'purpose: support')).message).toMatch(
      /cases\[0\]\.purpose: unknown purpose "support"/,
    );
    expect(tableError('field', goodRow.replace('field: email', 'fields: [email, mail]')).message).toMatch(
      /cases\[0\]\.fields\[1\]: unknown attribute "mail"/,
    );
  });

  it('rejects field and fields together, and misspelt keys', () => {
    expect(tableError('both', goodRow.replace('field: email', 'field: email\n    fields: [phone]')).message).toMatch(
      /cases\[0\]\.fields: give field or fields, not both/,
    );
    expect(tableError('typo', goodRow.replace('field: email', 'feild: email')).message).toMatch(/cases\[0\]: unknown key "feild"/);
  });

  it('names the row in later positions', () => {
    expect(tableError('second', goodRow + goodRow.replace('action: read', 'action: view')).message).toMatch(/cases\[1\]\.action/);
  });
});
