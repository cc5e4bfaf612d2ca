import type { GraphQLSchema } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { and, rule, shield } from 'graphql-shield';
import type { RequestContext } from './requestContext';

/** Logged in, with a token for this audience. */
const authenticated = rule({ cache: 'contextual' })((_p, _a, ctx: RequestContext) => ctx.gate.auth ?? true);

/** A declared, known purpose the caller's roles may act for, with a valid task when the purpose needs one. */
const purposeGranted = rule({ cache: 'contextual' })((_p, _a, ctx: RequestContext) => {
  const refused = ctx.gate.purpose;
  if (!refused) return true;
  ctx.audit.operationDenied(String(refused.extensions.code), refused.message);
  return refused;
});

export interface RootGuardOptions {
  /** Root fields (e.g. `Query.myTasks`) that need a login but no purpose: they touch no customer attribute. */
  authOnly?: readonly string[];
}

/**
 * graphql-shield on the root operations only: authenticated, purpose declared and allowed.
 * Every root field needs a purpose unless listed in `authOnly` (fail closed for new operations).
 * The per-field decision belongs to the field guard, so nested types get no shield middleware at all.
 */
export function guardRootOperations(schema: GraphQLSchema, opts: RootGuardOptions = {}): GraphQLSchema {
  const authOnly = new Set(opts.authOnly ?? []);
  const tree: Record<string, Record<string, ReturnType<typeof and>>> = {};
  for (const root of [schema.getQueryType(), schema.getMutationType()]) {
    if (!root) continue;
    tree[root.name] = {};
    for (const name of Object.keys(root.getFields())) {
      tree[root.name][name] = authOnly.has(`${root.name}.${name}`) ? and(authenticated) : and(authenticated, purposeGranted);
    }
  }
  const middleware = shield(tree, { allowExternalErrors: true }).generate(schema) as Record<string, unknown>;
  const rootOnly = Object.fromEntries(Object.keys(tree).map((type) => [type, middleware[type]]));
  return applyMiddleware(schema, rootOnly as never);
}
