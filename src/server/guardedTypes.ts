/**
 * The one read path, by construction: every field that returns a guarded subject (a Customer,
 * wherever it appears) resolves through the field guard's view, and every field of a guarded type
 * resolves from that view. Schema construction fails when a guarded type has a field the guard
 * spec does not map (it would resolve unguarded and unlogged), or maps a field the type lacks.
 */
import { getNamedType, isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import type { RequestContext, SubjectDoc } from '../core/context';
import { selectionOf } from '../core/selection';
import type { CompiledSpec } from '../policy';

export class SchemaGuardError extends Error {
  constructor(message: string) {
    super(`Schema construction refused: ${message}`);
    this.name = 'SchemaGuardError';
  }
}

/** Fields of guarded types read the view the guard built, nothing else. */
const fromView: GraphQLFieldResolver<Record<string, unknown>, unknown> = (view, _args, _ctx, info) => view[info.fieldName];

function isThenable(v: unknown): v is Promise<unknown> {
  return !!v && typeof (v as { then?: unknown }).then === 'function';
}

/** Checks the guard specs against the schema and routes every guarded read through the guard. */
export function guardTypes(schema: GraphQLSchema, specs: ReadonlyMap<string, CompiledSpec>): GraphQLSchema {
  const guardedTypes = new Map<string, string>(); // GraphQL type → its root type
  for (const [root, { spec }] of specs) {
    for (const [typeName, fields] of Object.entries(spec.types)) {
      const type = schema.getType(typeName);
      if (!type) continue; // this audience's schema does not have the type
      if (!isObjectType(type)) throw new SchemaGuardError(`${typeName} is guarded but is not an object type`);
      guardedTypes.set(typeName, root);
      const actual = type.getFields();
      for (const name of Object.keys(actual)) {
        if (!fields[name]) throw new SchemaGuardError(`${typeName}.${name} has no guard mapping: map it in a capability's guards, or it would resolve unguarded and unlogged`);
        actual[name]!.resolve = fromView as GraphQLFieldResolver<unknown, unknown>;
      }
      for (const name of Object.keys(fields)) if (!actual[name]) throw new SchemaGuardError(`the guard maps ${typeName}.${name}, which the type does not have`);
    }
  }
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const target = getNamedType(field.type).name;
      const root = guardedTypes.get(target);
      if (!root) continue;
      if (target !== root) {
        // A nested guarded type (Address, Health...) only ever appears inside its root's view.
        if (guardedTypes.get(type.name) !== root) throw new SchemaGuardError(`${type.name}.${field.name} returns ${target} outside a ${root}: it would bypass the guard`);
        continue;
      }
      const original = field.resolve ?? ((source: Record<string, unknown>, _a: unknown, _c: unknown, info: { fieldName: string }) => source[info.fieldName]);
      field.resolve = (source, args, ctx: RequestContext, info) => {
        // graphql-shield returns (not throws) errors; graphql-js raises a returned Error itself.
        const toView = (doc: unknown): unknown => (doc == null || doc instanceof Error ? doc : ctx.guard.view(root, doc as SubjectDoc, selectionOf(info)));
        const each = (value: unknown): unknown => {
          if (!Array.isArray(value)) return toView(value);
          const views = value.map(toView);
          return views.some(isThenable) ? Promise.all(views) : views;
        };
        const out = (original as GraphQLFieldResolver<unknown, RequestContext>)(source, args, ctx, info);
        return isThenable(out) ? out.then(each) : each(out);
      };
    }
  }
  return schema;
}
