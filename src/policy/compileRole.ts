import { basename } from 'node:path';
import { createMongoAbility } from './casl';
import { formatKeyPath, PolicyLoadError } from './errors';
import { expandCustomerFields, FieldListProblem } from './fieldCatalogue';
import { interpolate, placeholderIn, stringValues } from './placeholders';
import type { RoleFile, RuleInput } from './schemas';
import { mergeConditions, scopeConditions } from './scope';
import type { AppRawRule, CompiledRule, FieldDef, PurposeDef, RoleDef, RuleDef, Scope } from './types';

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
