import {
  getNamedType,
  isInputObjectType,
  isListType,
  isNonNullType,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';

/** Input types that carry restricted attributes (a card number, health data). */
export const DEFAULT_RESTRICTED_INPUT_TYPES: readonly string[] = ['PaymentCardInput', 'HealthInput'];

/** Does this JSON value, of this input type, hold a non-null value of a restricted input type? */
function valueCarries(type: GraphQLInputType, value: unknown, restricted: ReadonlySet<string>): boolean {
  if (value === null || value === undefined) return false;
  if (isNonNullType(type)) return valueCarries(type.ofType, value, restricted);
  if (isListType(type)) {
    const items = Array.isArray(value) ? value : [value];
    return items.some((v) => valueCarries(type.ofType, v, restricted));
  }
  if (!isInputObjectType(type)) return false;
  if (restricted.has(type.name)) return true;
  if (typeof value !== 'object') return false;
  const fields = type.getFields();
  return Object.entries(value as Record<string, unknown>).some(([k, v]) => fields[k] !== undefined && valueCarries(fields[k].type, v, restricted));
}

/**
 * True if the operation sends a value of a restricted input type: written inline in the document
 * (including variable default values), or in a variable used where such a value goes, however deep
 * (e.g. `$input: UpdateCustomerInput` with `paymentCard` set). A null value carries nothing.
 */
export function carriesRestrictedInput(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
  restrictedTypes: readonly string[] = DEFAULT_RESTRICTED_INPUT_TYPES,
): boolean {
  const restricted = new Set(restrictedTypes);
  const typeInfo = new TypeInfo(schema);
  let found = false;
  const fragments = document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION);
  const scope: DocumentNode = { kind: Kind.DOCUMENT, definitions: [operation, ...fragments] };
  visit(
    scope,
    visitWithTypeInfo(typeInfo, {
      Variable(node) {
        const expected = typeInfo.getInputType();
        if (expected && valueCarries(expected, variables?.[node.name.value], restricted)) found = true;
      },
      ObjectField(node) {
        const type = typeInfo.getInputType();
        if (type && restricted.has(getNamedType(type).name) && node.value.kind !== Kind.NULL && node.value.kind !== Kind.VARIABLE) found = true;
      },
      Argument(node) {
        const type = typeInfo.getInputType();
        if (type && restricted.has(getNamedType(type).name) && node.value.kind !== Kind.NULL && node.value.kind !== Kind.VARIABLE) found = true;
      },
      VariableDefinition(node) {
        if (node.defaultValue && variables?.[node.variable.name.value] === undefined) {
          const type = typeInfo.getInputType();
          if (type && isInputObjectType(getNamedType(type)) && containsRestricted(getNamedType(type) as GraphQLInputType, restricted, new Set()) && node.defaultValue.kind !== Kind.NULL) found = true;
        }
      },
    }),
  );
  return found;
}

/** Can a value of this type hold a restricted input somewhere inside? (default values: be strict) */
function containsRestricted(type: GraphQLInputType, restricted: ReadonlySet<string>, seen: Set<string>): boolean {
  const named = getNamedType(type);
  if (!isInputObjectType(named)) return false;
  if (restricted.has(named.name)) return true;
  if (seen.has(named.name)) return false;
  seen.add(named.name);
  return Object.values(named.getFields()).some((f) => containsRestricted(f.type, restricted, seen));
}
