/**
 * Policy test tables (`policies/tests/*_test.yaml`): rows of principal × purpose × (task) × subject ×
 * action × field(s) → allow | deny. This file holds their format, turns a file into checked cases,
 * and runs one case as the gateway would. A malformed row is a PolicyLoadError naming the file and the key.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Principal } from '../core/context';
import { ACTIONS, SUBJECT_TYPES } from '../core/policyModel';
import type { Action, NamedSubjectType, PolicySet, TaskScope } from '../core/policyModel';
import { buildAbility, purposeAllowedFor } from './ability';
import { decide } from './decide';
import { formatKeyPath, PolicyLoadError } from './errors';
import { parseYaml, zodToLoadError } from './load';

/**
 * Policy test tables (`policies/tests/*_test.yaml`): rows of principal × purpose × (task) × subject ×
 * action × field(s) → allow | deny. This file holds their format and turns a file into checked cases;
 * `evaluateCase` runs one. A malformed row is a PolicyLoadError naming the file and the key.
 */

const name = z.string().min(1);
const principalSchema = z.strictObject({
  kind: z.enum(['staff', 'partner', 'customer']),
  id: name,
  roles: z.array(name).default([]),
  partner: name.optional(),
});
const taskSchema = z.strictObject({ id: name, customerIds: z.array(name) });
const docSchema = z.record(z.string(), z.unknown());
const subjectSchema = z.strictObject({ type: z.enum(SUBJECT_TYPES), doc: docSchema.optional() });

const caseSchema = z.strictObject({
  /** What the row checks, in words: part of the test name. */
  it: z.string().trim().min(1),
  /** A name from `principals:`, or an inline principal. */
  as: z.union([name, principalSchema]),
  purpose: name,
  /** A name from `tasks:`, an inline task, or absent (no task). */
  task: z.union([name, taskSchema]).optional(),
  /** A name from `subjects:` or `customers:`, a bare type (`Task`: type-level check), or inline. */
  subject: z.union([name, subjectSchema]),
  action: z.enum(ACTIONS),
  /** One attribute or several (each must match); absent: the whole subject. */
  field: name.optional(),
  fields: z.array(name).min(1).optional(),
  expect: z.enum(['allow', 'deny']),
  /** Optional: a piece of text the decision's reason must contain. */
  reason: z.string().min(1).optional(),
});

export const testTableSchema = z.strictObject({
  description: z.string().optional(),
  principals: z.record(name, principalSchema).default({}),
  tasks: z.record(name, taskSchema).default({}),
  /** Customer documents by name (only what conditions look at: `_id`, `consentState`). */
  customers: z.record(name, docSchema).default({}),
  subjects: z.record(name, subjectSchema).default({}),
  cases: z.array(caseSchema).min(1),
});

/** One row, with every name resolved. */
export interface PolicyTestCase {
  file: string;
  index: number;
  it: string;
  principal: Principal;
  purpose: string;
  task: TaskScope | null;
  subjectType: NamedSubjectType;
  doc: Record<string, unknown> | null;
  action: Action;
  /** [undefined] when the row checks the whole subject. */
  fields: (string | undefined)[];
  expect: 'allow' | 'deny';
  reason: string | undefined;
}

/** Read and check one test table against the loaded policies (names, purposes, attributes). */
export function loadTestTable(file: string, policies: PolicySet): PolicyTestCase[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new PolicyLoadError(file, '', `cannot read file (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  const raw = parseYaml(file, text) ?? {};
  const parsed = testTableSchema.safeParse(raw);
  if (!parsed.success) throw zodToLoadError(file, parsed.error, raw);
  const t = parsed.data;
  return t.cases.map((c, index) => {
    const fail = (key: (string | number)[], rule: string): never => {
      throw new PolicyLoadError(file, formatKeyPath(['cases', index, ...key]), rule);
    };
    const principal = typeof c.as === 'string' ? t.principals[c.as] : c.as;
    if (!principal) fail(['as'], `unknown principal "${c.as}" (not in principals:)`);
    if (!policies.purposes.has(c.purpose)) fail(['purpose'], `unknown purpose "${c.purpose}" (not in purposes.yaml)`);
    const task = c.task === undefined ? null : typeof c.task === 'string' ? t.tasks[c.task] : c.task;
    if (task === undefined) fail(['task'], `unknown task "${String(c.task)}" (not in tasks:)`);
    let subjectType: NamedSubjectType;
    let doc: Record<string, unknown> | null = null;
    if (typeof c.subject === 'string') {
      const named = t.subjects[c.subject];
      const customer = t.customers[c.subject];
      if (named) {
        subjectType = named.type;
        doc = named.doc ?? null;
      } else if (customer) {
        subjectType = 'Customer';
        doc = customer;
      }
      else if ((SUBJECT_TYPES as readonly string[]).includes(c.subject)) subjectType = c.subject as typeof subjectType;
      else fail(['subject'], `unknown subject "${c.subject}" (not in subjects: or customers:, nor a subject type)`);
    } else {
      subjectType = c.subject.type;
      doc = c.subject.doc ?? null;
    }
    if (c.field && c.fields) fail(['fields'], 'give field or fields, not both');
    const fields = c.fields ?? (c.field ? [c.field] : [undefined]);
    if (subjectType! === 'Customer')
      fields.forEach((f, i) => {
        if (f !== undefined && !policies.fields.has(f))
          fail(c.fields ? ['fields', i] : ['field'], `unknown attribute "${f}" (not a leaf in fields.yaml)`);
      });
    return {
      file,
      index,
      it: c.it,
      principal: { kind: principal!.kind, id: principal!.id, roles: principal!.roles, partner: principal!.partner },
      purpose: c.purpose,
      task: task ?? null,
      subjectType: subjectType!,
      doc,
      action: c.action,
      fields,
      expect: c.expect,
      reason: c.reason,
    };
  });
}

export interface CaseOutcome {
  field: string | undefined;
  allowed: boolean;
  reason: string;
  /** Whether the outcome matches the row's `expect` (and `reason`, if given). */
  ok: boolean;
}

/**
 * Run one test-table row as the gateway would: a purpose the principal may not act for is a denial;
 * otherwise the request's ability decides each field.
 */
export function evaluateCase(policies: PolicySet, c: PolicyTestCase): CaseOutcome[] {
  const want = c.expect === 'allow';
  if (!purposeAllowedFor(policies, c.principal, c.purpose)) {
    const reason = `purpose ${c.purpose} is not allowed for this principal`;
    return c.fields.map((field) => ({ field, allowed: false, reason, ok: !want && (!c.reason || reason.includes(c.reason)) }));
  }
  const ability = buildAbility(policies, { principal: c.principal, purpose: c.purpose, task: c.task });
  return c.fields.map((field) => {
    const d = decide(ability, c.action, c.subjectType, c.doc ? { ...c.doc } : null, field);
    return { field, ...d, ok: d.allowed === want && (!c.reason || d.reason.includes(c.reason)) };
  });
}
