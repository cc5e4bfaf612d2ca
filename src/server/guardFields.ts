import { defaultFieldResolver, isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import type { FieldGuard } from '../policy/fieldGuard';

/** Marks a nested attribute object with the subject document it belongs to. */
export const OWNER = Symbol('owner');

/** How one GraphQL field maps to a guarded attribute. */
export type GuardedField =
  | { path: string }
  /** An object attribute (e.g. address): resolves if any of its leaves may be read. */
  | { group: string; leaves: readonly string[] };

export interface GuardSpec {
  /** The CASL subject type checked (e.g. Customer). */
  subjectType: string;
  /** GraphQL type name → field name → attribute. */
  types: Record<string, Record<string, GuardedField>>;
}

type Parent = Record<string | symbol, unknown>;

function ownerOf(parent: Parent): { _id: string } & Record<string, unknown> {
  return (parent[OWNER] ?? parent) as { _id: string } & Record<string, unknown>;
}

/**
 * Wraps the resolvers of the guarded fields (and only those) with the request's field guard.
 * Unguarded schemas (the benchmark baseline) simply skip this call.
 */
export function guardFields(schema: GraphQLSchema, spec: GuardSpec): GraphQLSchema {
  for (const [typeName, fields] of Object.entries(spec.types)) {
    const type = schema.getType(typeName);
    if (!isObjectType(type)) throw new Error(`guardFields: ${typeName} is not an object type of the schema`);
    const fieldMap = type.getFields();
    for (const [fieldName, guarded] of Object.entries(fields)) {
      const field = fieldMap[fieldName];
      if (!field) throw new Error(`guardFields: ${typeName}.${fieldName} does not exist`);
      const resolve: GraphQLFieldResolver<Parent, { guard: FieldGuard }> = field.resolve ?? defaultFieldResolver;
      if ('path' in guarded) {
        const { path } = guarded;
        field.resolve = (parent, args, ctx, info) =>
          ctx.guard.read(spec.subjectType, ownerOf(parent), path) ? resolve(parent, args, ctx, info) : null;
      } else {
        const { group, leaves } = guarded;
        const own = (owner: Parent, value: Parent | null | undefined) => (value ? { ...value, [OWNER]: owner } : value);
        field.resolve = (parent, args, ctx, info) => {
          const owner = ownerOf(parent);
          if (!ctx.guard.readAny(spec.subjectType, owner, group, leaves)) return null;
          const value = resolve(parent, args, ctx, info) as Parent | null | undefined | Promise<Parent | null | undefined>;
          // Stay synchronous when the resolver is: a promise per row makes graphql-js wrap the whole object.
          return value instanceof Promise ? value.then((v) => own(owner, v)) : own(owner, value);
        };
      }
    }
  }
  return schema;
}
