/** Builds "read everything this audience's schema offers" selections from live introspection. */
import { buildClientSchema, getIntrospectionQuery, getNamedType, isObjectType, type GraphQLSchema, type IntrospectionQuery } from 'graphql';
import { gql } from '../support/graphql';

export async function remoteSchema(url: string, endpoint: string, token: string): Promise<GraphQLSchema> {
  const r = await gql<IntrospectionQuery>(url, getIntrospectionQuery(), { token, endpoint });
  if (!r.data) throw new Error(`introspection of ${endpoint} failed`);
  return buildClientSchema(r.data);
}

/** Every field of `typeName` without arguments, objects expanded (cycles and depth cut). */
export function fullSelection(schema: GraphQLSchema, typeName: string, depth = 3, seen: Set<string> = new Set()): string {
  const type = schema.getType(typeName);
  if (!isObjectType(type) || depth === 0 || seen.has(typeName)) return '__typename';
  const next = new Set(seen).add(typeName);
  const parts: string[] = [];
  for (const field of Object.values(type.getFields())) {
    if (field.args.some((a) => a.type.toString().endsWith('!'))) continue;
    const named = getNamedType(field.type);
    if (isObjectType(named)) {
      const inner = fullSelection(schema, named.name, depth - 1, next);
      if (inner !== '__typename') parts.push(`${field.name} { ${inner} }`);
    } else {
      parts.push(field.name);
    }
  }
  return parts.join(' ') || '__typename';
}
