/**
 * Compiling a role file: its rules checked against the catalogues (purposes, attributes, the
 * wildcard rule for restricted categories, scopes, operators, placeholders) and turned into CASL
 * raw rules with their scope and consent conditions.
 */
import { basename } from 'node:path';
import { createMongoAbility } from '@casl/ability';
import type { Principal } from '../core/context';
import type { Action, AppRawRule, CompiledRule, FieldDef, NamedSubjectType, PolicySet, PurposeDef, RoleDef, RuleDef, Scope, TaskScope } from '../core/policyModel';
import { RESTRICTED_CATEGORIES } from '../core/policyModel';
import { formatKeyPath, PolicyLoadError } from './errors';
import type { RoleFile, RuleInput } from './schemas';

export interface RoleContext {
  purposes: Map<string, PurposeDef>;
  fields: Map<string, FieldDef>;
}

/** Validate one role file against the catalogues and precompile its CASL rules. */
export function compileRole(
  file: string,
  data: RoleFile,
  ctx: RoleContext,
): { role: RoleDef; compiled: Map<string, CompiledRule[]> } {
  const fail = (path: (string | number)[], rule: string): never => {
    throw new PolicyLoadError(file, formatKeyPath(path), rule);
  };
  const expected = basename(file).replace(/\.ya?ml$/, '');
  if (data.role !== expected) fail(['role'], `must equal the file name "${expected}"`);
  if (data.kind === 'partner' && !data.partner) fail(['partner'], 'is required for kind partner');
  if (data.kind !== 'partner' && data.partner) fail(['partner'], 'is only allowed for kind partner');

  const purposes = new Map<string, RuleDef[]>();
  const compiled = new Map<string, CompiledRule[]>();
  for (const [purposeId, { rules }] of Object.entries(data.purposes)) {
    const purpose = ctx.purposes.get(purposeId);
    if (!purpose) fail(['purposes', purposeId], `unknown purpose "${purposeId}" (not in policies/purposes.yaml)`);
    const defs: RuleDef[] = [];
    const raws: CompiledRule[] = [];
    rules.forEach((input, i) => {
      const at = ['purposes', purposeId, 'rules', i];
      const def = checkRule(input, purpose!, data.kind, ctx, (key, rule) => fail([...at, ...key], rule));
      defs.push(def);
      raws.push(toCaslRule(def, purpose!, (key, rule) => fail([...at, ...key], rule)));
    });
    purposes.set(purposeId, defs);
    compiled.set(purposeId, raws);
  }
  const role: RoleDef = {
    id: data.role,
    description: data.description,
    kind: data.kind,
    partner: data.partner,
    purposes,
    file,
  };
  return { role, compiled };
}

/** Query operators the CASL Mongo matcher evaluates (others would silently be compared as values). */
export const MONGO_OPERATORS = [
  '$eq', '$ne', '$lt', '$lte', '$gt', '$gte', '$in', '$nin', '$all', '$size',
  '$regex', '$options', '$elemMatch', '$exists', '$and', '$or', '$nor', '$not',
] as const;

function unsupportedOperator(value: unknown, path: (string | number)[] = []): { op: string; path: (string | number)[] } | null {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = unsupportedOperator(value[i], [...path, i]);
      if (hit) return hit;
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k.startsWith('$') && !(MONGO_OPERATORS as readonly string[]).includes(k)) return { op: k, path: [...path, k] };
      const hit = unsupportedOperator(v, [...path, k]);
      if (hit) return hit;
    }
  }
  return null;
}

type Fail = (key: (string | number)[], rule: string) => never;

function defaultScope(purpose: PurposeDef, kind: RoleFile['kind']): Scope {
  if (purpose.requiresTask) return 'task';
  return kind === 'customer' ? 'self' : 'all';
}

function checkRule(input: RuleInput, purpose: PurposeDef, kind: RoleFile['kind'], ctx: RoleContext, fail: Fail): RuleDef {
  const actions = Array.isArray(input.action) ? input.action : [input.action];
  const listed = input.fields === undefined ? undefined : Array.isArray(input.fields) ? input.fields : [input.fields];

  let fields: string[] | undefined;
  if (actions.includes('erase') && listed) fail(['fields'], 'erase applies to the whole record; remove fields');
  if (input.subject === 'Customer' && !(actions.length === 1 && actions[0] === 'erase')) {
    try {
      fields = expandCustomerFields(ctx.fields, listed, actions, input.inverted);
    } catch (err) {
      if (err instanceof FieldListProblem) fail(['fields'], err.message);
      throw err;
    }
  } else if (listed && !listed.includes('*')) {
    fields = listed;
  }

  const scope = input.scope ?? defaultScope(purpose, kind);
  if (kind === 'customer' && scope !== 'self') fail(['scope'], 'a customer role only sees the customer\'s own rows: scope must be self');
  if (kind !== 'customer' && scope === 'self') fail(['scope'], 'scope self is only for customer roles');
  if (scope === 'task' && !purpose.requiresTask)
    fail(['scope'], `scope task needs a purpose that requires a task; "${purpose.id}" does not`);
  if (purpose.requiresTask && scope !== 'task' && !input.inverted && kind !== 'customer')
    fail(['scope'], `purpose "${purpose.id}" requires a task: its rules are limited to the task (scope task)`);
  if (scope === 'self' && input.subject === 'Task') fail(['scope'], 'scope self is not defined for subject Task');
  if (scope !== 'all' && (input.subject === 'StorageAsset' || input.subject === 'DisposalRecord'))
    fail(['scope'], `subject ${input.subject} holds no customer rows: its rules use scope all`);

  const badOperator = unsupportedOperator(input.conditions ?? {});
  if (badOperator) fail(['conditions', ...badOperator.path], `unsupported operator "${badOperator.op}"; use one of ${MONGO_OPERATORS.join(' ')}`);
  for (const [value, path] of stringValues(input.conditions ?? {})) {
    const name = placeholderIn(value);
    if (name === 'unknown')
      fail(['conditions', ...path], 'unknown placeholder; use {{principal.id}}, {{principal.partner}}, {{task.id}} or {{task.customerIds}}');
    if (name?.startsWith('task.') && !purpose.requiresTask)
      fail(['conditions', ...path], `{{${name}}} needs a purpose that requires a task; "${purpose.id}" does not`);
  }

  return { actions, subject: input.subject, fields, scope, conditions: input.conditions, inverted: input.inverted, reason: input.reason };
}

/** Translate a checked rule into a CASL raw rule: scope + purpose consent + own conditions. */
function toCaslRule(def: RuleDef, purpose: PurposeDef, fail: Fail): CompiledRule {
  const actions = def.actions;
  const consent =
    def.subject === 'Customer' && purpose.consent && !def.inverted ? { [`consentState.${purpose.consent}`]: true } : null;
  const conditions = mergeConditions([scopeConditions(def.scope, def.subject), consent, def.conditions]);
  const raw = {
    action: actions.length === 1 ? actions[0]! : actions,
    subject: def.subject,
    ...(def.fields ? { fields: def.fields } : {}),
    ...(conditions ? { conditions } : {}),
    ...(def.inverted ? { inverted: true } : {}),
    reason: def.reason,
  } as AppRawRule;
  let dynamic = false;
  for (const [value] of stringValues(conditions ?? {})) if (placeholderIn(value)) dynamic = true;
  // Compile the conditions once now, so an unsupported operator fails at load, not per request.
  try {
    const probe = dynamic ? { ...raw, conditions: interpolate(conditions, { principal: null, task: null }) } : raw;
    const ability = createMongoAbility([probe as AppRawRule]);
    for (const rule of ability.rulesFor(actions[0]!, def.subject)) rule.matchesConditions({} as never);
  } catch (err) {
    fail(['conditions'], `not a supported Mongo query: ${(err as Error).message.split('\n')[0]}`);
  }
  return { raw, dynamic };
}

/** A problem with one rule's field list; the loader adds the file and key path. */
export class FieldListProblem extends Error {}

/** All Customer leaf attribute paths, in catalogue order. */
export function customerFields(policies: Pick<PolicySet, 'fields'>): string[] {
  return [...policies.fields.keys()];
}

/** The leaves under a parent (`address` → `address.street`, ...); [] for a leaf or unknown name. */
export function childrenOf(policies: Pick<PolicySet, 'fields'>, parent: string): string[] {
  const prefix = `${parent}.`;
  return customerFields(policies).filter((p) => p.startsWith(prefix));
}

/** Leaves in a restricted category (financial, health): never granted by a wildcard. */
export function restrictedFields(policies: Pick<PolicySet, 'restricted'>): string[] {
  return [...policies.restricted];
}

function describeRestricted(fields: Map<string, FieldDef>, covered: string[]): string | null {
  for (const category of RESTRICTED_CATEGORIES) {
    const hit = covered.filter((p) => fields.get(p)?.category === category);
    if (hit.length) return `restricted category ${category} (${hit.join(', ')})`;
  }
  return null;
}

/**
 * Expand a Customer rule's field list into leaf paths.
 * - a leaf stays itself; a parent (`address`) means its leaves: explicit, so it may name restricted leaves;
 * - `*` and `parent.*` are wildcards: they may not cover a restricted category (unless the rule is inverted);
 * - `undefined` (no `fields:`) means every attribute, and counts as a wildcard;
 * - for read, never-readable leaves are dropped from parents and wildcards, and refused when named.
 * Throws FieldListProblem (message says which entry and which rule).
 */
export function expandCustomerFields(
  fields: Map<string, FieldDef>,
  listed: string[] | undefined,
  actions: Action[],
  inverted: boolean,
): string[] {
  const all = [...fields.keys()];
  const grantsRead = !inverted && actions.includes('read');
  const out = new Set<string>();
  const entries = listed ?? ['*'];
  for (const entry of entries) {
    let leaves: string[];
    let wildcard = false;
    if (entry === '*') {
      leaves = all;
      wildcard = true;
    } else if (entry.endsWith('.*')) {
      const parent = entry.slice(0, -2);
      leaves = all.filter((p) => p.startsWith(`${parent}.`));
      if (!leaves.length) throw new FieldListProblem(`wildcard "${entry}": "${parent}" has no attributes in policies/fields.yaml`);
      wildcard = true;
    } else if (fields.has(entry)) {
      leaves = [entry];
      if (grantsRead && fields.get(entry)!.neverReadable)
        throw new FieldListProblem(`"${entry}" is never readable (neverReadable in fields.yaml); remove it from this read rule`);
    } else {
      leaves = all.filter((p) => p.startsWith(`${entry}.`));
      if (!leaves.length) throw new FieldListProblem(`unknown attribute "${entry}" (not in policies/fields.yaml)`);
    }
    if (wildcard && !inverted) {
      const restricted = describeRestricted(fields, leaves);
      if (restricted) {
        const what = listed ? `wildcard "${entry}"` : 'no fields (every attribute)';
        throw new FieldListProblem(`${what} would grant ${restricted}; list restricted fields explicitly`);
      }
    }
    for (const leaf of leaves) {
      if (grantsRead && fields.get(leaf)!.neverReadable) continue; // only reachable from a parent or wildcard
      out.add(leaf);
    }
  }
  return [...out];
}

/**
 * Placeholders allowed as whole string values in rule conditions. They are filled per request:
 * - `{{principal.id}}`: the caller's id (token `sub`);
 * - `{{principal.partner}}`: the caller's partner id (kind partner);
 * - `{{task.id}}`: the request's task id;
 * - `{{task.customerIds}}`: the task's customer ids (an array, e.g. inside `$in`).
 */
export const PLACEHOLDERS = ['principal.id', 'principal.partner', 'task.id', 'task.customerIds'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

const PATTERN = /^\{\{\s*([\w.]+)\s*\}\}$/;

/** The placeholder a string value names, or null; an unknown name gives `unknown`. */
export function placeholderIn(value: string): Placeholder | 'unknown' | null {
  if (!value.includes('{{')) return null;
  const m = PATTERN.exec(value);
  if (!m) return 'unknown';
  return (PLACEHOLDERS as readonly string[]).includes(m[1]!) ? (m[1] as Placeholder) : 'unknown';
}

/** Every string value in a conditions object, with its key path. */
export function* stringValues(value: unknown, path: (string | number)[] = []): Generator<[string, (string | number)[]]> {
  if (typeof value === 'string') yield [value, path];
  else if (Array.isArray(value)) for (let i = 0; i < value.length; i++) yield* stringValues(value[i], [...path, i]);
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) yield* stringValues(v, [...path, k]);
}

export interface PlaceholderValues {
  principal: Principal | null;
  task: TaskScope | null;
}

/**
 * Resolve one placeholder. Missing values fail closed: an absent task gives no customer ids
 * (matches nothing); an absent principal id gives a value no document holds.
 */
function valueOf(name: Placeholder, v: PlaceholderValues): unknown {
  switch (name) {
    case 'principal.id':
      return v.principal?.id ?? '\u0000no-principal';
    case 'principal.partner':
      return v.principal?.partner ?? '\u0000no-partner';
    case 'task.id':
      return v.task?.id ?? '\u0000no-task';
    case 'task.customerIds':
      return v.task ? [...v.task.customerIds] : [];
  }
}

/** A copy of `value` with every placeholder string replaced. */
export function interpolate(value: unknown, v: PlaceholderValues): unknown {
  if (typeof value === 'string') {
    const name = placeholderIn(value);
    return name && name !== 'unknown' ? valueOf(name, v) : value;
  }
  if (Array.isArray(value)) return value.map((x) => interpolate(x, v));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(value)) out[k] = interpolate(x, v);
    return out;
  }
  return value;
}

/**
 * How a rule's `scope` becomes row conditions, per subject type. The key is the document field that
 * links a row to a customer (or, for Task, the task itself):
 *
 * | subject           | scope task                           | scope self                    |
 * | Customer          | `_id` in the task's customers        | `_id` = caller id             |
 * | CorrectionRequest | `customerId` in the task's customers | `customerId` = caller id      |
 * | AccessLog         | `subjectId` in the task's customers  | `subjectId` = caller id       |
 * | Task              | `_id` = the task's id                | (not allowed)                 |
 *
 * Scope `all` adds no condition.
 */
const CUSTOMER_KEY: Partial<Record<NamedSubjectType, string>> = {
  Customer: '_id',
  CorrectionRequest: 'customerId',
  AccessLog: 'subjectId',
};

/** The conditions (with placeholders) a scope adds; null for `all`. Throws on an unsupported pair. */
export function scopeConditions(scope: Scope, subject: NamedSubjectType): Record<string, unknown> | null {
  if (scope === 'all') return null;
  if (subject === 'Task') {
    if (scope === 'task') return { _id: '{{task.id}}' };
    throw new Error(`scope self is not defined for subject Task`);
  }
  const key = CUSTOMER_KEY[subject];
  if (!key) throw new Error(`scope ${scope} is not defined for subject ${subject}: it holds no customer rows`);
  if (scope === 'task') return { [key]: { $in: '{{task.customerIds}}' } };
  if (subject === 'AccessLog') return { subjectType: 'Customer', [key]: '{{principal.id}}' };
  return { [key]: '{{principal.id}}' };
}

/** Combine Mongo conditions: a plain merge when keys are disjoint, else `$and`. */
export function mergeConditions(parts: (Record<string, unknown> | null | undefined)[]): Record<string, unknown> | undefined {
  const present = parts.filter((p): p is Record<string, unknown> => !!p && Object.keys(p).length > 0);
  if (!present.length) return undefined;
  const merged: Record<string, unknown> = {};
  for (const part of present) {
    for (const key of Object.keys(part)) if (key in merged) return { $and: present };
    Object.assign(merged, part);
  }
  return merged;
}
