/**
 * Composing the schemas from the capability manifests: one per audience (staff, self; partners are
 * cut from staff per agreement). graphql-shield guards the root operations only (logged in, purpose
 * declared and allowed, and served by the operation); the field guard does the rest (guardedTypes.ts).
 */
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { and, rule, shield } from 'graphql-shield';
import { buildSchemaSync, type NonEmptyArray } from 'type-graphql';
import type { Capability, OperationRule } from '../core/capability';
import type { Audience, RequestContext } from '../core/context';
import { ErrorCode, SafeError } from '../core/errors';
import type { PolicySet } from '../core/policyModel';
import { compileSpecs, type CompiledSpec } from '../policy';
import { guardTypes } from './guardedTypes';

/** Logged in, with a token for this audience. */
const authenticated = rule({ cache: 'contextual' })((_p, _a, ctx: RequestContext) => ctx.gate.auth ?? true);

/** A declared, known purpose the caller's roles may act for, with a valid task when the purpose needs one. */
const purposeGranted = rule({ cache: 'contextual' })((_p, _a, ctx: RequestContext) => {
  const refused = ctx.gate.purpose;
  if (!refused) return true;
  ctx.log.operationDenied(refused.code, refused.message);
  return refused;
});

/** The operation serves the declared purpose. */
function servesPurpose(operation: string, purposes: readonly string[]) {
  return rule({ cache: 'no_cache' })((_p, _a, ctx: RequestContext) => {
    if (ctx.purpose && purposes.includes(ctx.purpose.id)) return true;
    const reason = `${operation} does not serve purpose ${ctx.purpose?.id ?? '(none)'} (it serves ${purposes.join(', ')})`;
    ctx.log.operationDenied(ErrorCode.FORBIDDEN, reason);
    return new SafeError(ErrorCode.FORBIDDEN, `Not allowed: ${reason}`);
  });
}

/** graphql-shield on the root operations only. Unlisted root fields need a declared purpose (fail closed). */
function guardRootOperations(schema: GraphQLSchema, rules: ReadonlyMap<string, OperationRule>): GraphQLSchema {
  const tree: Record<string, Record<string, ReturnType<typeof and>>> = {};
  for (const root of [schema.getQueryType(), schema.getMutationType()]) {
    if (!root) continue;
    tree[root.name] = {};
    for (const name of Object.keys(root.getFields())) {
      const op = `${root.name}.${name}`;
      const r = rules.get(op) ?? { purposes: 'any' };
      tree[root.name]![name] = r === 'auth-only'
        ? and(authenticated)
        : r.purposes === 'any' ? and(authenticated, purposeGranted) : and(authenticated, purposeGranted, servesPurpose(op, r.purposes));
    }
  }
  const middleware = shield(tree, { allowExternalErrors: true }).generate(schema) as Record<string, unknown>;
  const rootOnly = Object.fromEntries(Object.keys(tree).map((type) => [type, middleware[type]]));
  return applyMiddleware(schema, rootOnly as never);
}

/** The guard specs of the capabilities, compiled against the attribute catalogue. */
export function guardSpecsOf(capabilities: readonly Capability[], policies: Pick<PolicySet, 'fields'>): Map<string, CompiledSpec> {
  return compileSpecs(capabilities.flatMap((c) => c.guards ?? []), [...policies.fields.keys()]);
}

/** The schema of one audience, from every capability's resolvers for it, guarded at the root and field by field. */
export function buildAudienceSchema(capabilities: readonly Capability[], audience: Audience, specs: ReadonlyMap<string, CompiledSpec>): GraphQLSchema {
  const resolvers = [...new Set(capabilities.flatMap((c) => c.resolvers?.[audience] ?? []))];
  if (resolvers.length === 0) throw new Error(`no capability contributes resolvers to the ${audience} audience`);
  const rules = new Map<string, OperationRule>();
  for (const c of capabilities) for (const [op, r] of Object.entries(c.operations ?? {})) rules.set(op, r);
  const base = buildSchemaSync({ resolvers: resolvers as NonEmptyArray<Function>, validate: false });
  return guardTypes(guardRootOperations(base, rules), specs);
}

/** Stable SDL: types, fields and arguments in lexicographic order. */
export function printSorted(schema: GraphQLSchema): string {
  return printSchema(lexicographicSortSchema(schema)) + '\n';
}
