/**
 * Secure collection: an operation that sends a card number or health data over plain HTTP is
 * refused in production before anything runs (INSECURE_TRANSPORT, HTTP 403), and recorded.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import {
  getNamedType, isInputObjectType, isListType, isNonNullType, Kind, TypeInfo, visit, visitWithTypeInfo,
  type DocumentNode, type GraphQLInputType, type GraphQLSchema, type OperationDefinitionNode,
} from 'graphql';
import type { RequestContext } from '../../core/context';
import { ErrorCode, SafeError } from '../../core/errors';

export interface SecureTransportOptions {
  /** Refuse restricted inputs over plain HTTP. The gateway turns it on in production (NODE_ENV=production). */
  enforce: boolean;
  /** Input types that carry restricted attributes. Default PaymentCardInput, HealthInput. */
  restrictedInputTypes?: readonly string[];
}

/**
 * Secure collection: before anything runs, an operation that sends a card number or health data over
 * plain HTTP is refused with INSECURE_TRANSPORT (HTTP 403), and recorded in the access log. A request
 * is secure when it came over HTTPS, or through a trusted proxy (TRUST_PROXY) that says
 * `X-Forwarded-Proto: https` (ctx.secure, from express's req.secure).
 */
export function secureTransportPlugin(opts: SecureTransportOptions): ApolloServerPlugin<RequestContext> {
  const types = opts.restrictedInputTypes ?? DEFAULT_RESTRICTED_INPUT_TYPES;
  return {
    async requestDidStart() {
      if (!opts.enforce) return {};
      return {
        async didResolveOperation({ contextValue: ctx, document, operation, request, schema }) {
          if (ctx.secure || !operation) return;
          if (!carriesRestrictedInput(schema, document, operation, request.variables, types)) return;
          const reason = 'restricted data (payment card, health) is accepted only over HTTPS';
          ctx.log.operationDenied(ErrorCode.INSECURE_TRANSPORT, reason);
          throw new SafeError(ErrorCode.INSECURE_TRANSPORT, `Refused: ${reason}; this request came over plain HTTP and nothing was stored. Send it to the https:// address.`, {
            http: { status: 403 },
          });
        },
      };
    },
  };
}

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
