/**
 * Error masking (formatError): only errors built to be safe reach clients as they are; framework
 * errors keep their code with their message rebuilt from its structure (type, path, rule), never
 * from the value graphql-js quoted; anything else becomes a generic message.
 */
import {
  GraphQLError, Kind, typeFromAST, parseType, valueFromASTUntyped,
  type ASTNode, type GraphQLFormattedError, type GraphQLInputType, type GraphQLSchema, type ValueNode,
} from 'graphql';
import { ErrorCode, safeErrorOf } from '../../core/errors';
import { scrub } from '../../logger';
import { coercionProblem, scalarRule } from './inputCoercion';
import { tokenLimitError } from './operationLimits';
import { formatDatabaseError } from '../edge/databaseErrors';
import { logMaskedError } from '../edge/maskedErrorLog';

/** Apollo and graphql-js errors that are safe once their messages are rebuilt. */
const FRAMEWORK_CODES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'OPERATION_RESOLUTION_FAILURE', 'PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED', 'BAD_REQUEST']);

/** A GraphQL type reference as graphql-js prints it in messages (schema names, list and non-null marks). */
const TYPE = '[_A-Za-z\\[][_0-9A-Za-z!\\[\\]]*';
const IDENT = '[_A-Za-z][_0-9A-Za-z]*';
const VARIABLE = new RegExp(`^Variable "\\$(${IDENT})" got invalid value`);
const LITERAL = new RegExp(`^Expected value of type "(${TYPE})", found`);
const ARGUMENT = new RegExp(`^Argument "(${IDENT})" has invalid value`);

function isValueNode(node: ASTNode | undefined): node is ValueNode {
  return !!node && [Kind.INT, Kind.FLOAT, Kind.STRING, Kind.BOOLEAN, Kind.NULL, Kind.ENUM, Kind.LIST, Kind.OBJECT, Kind.VARIABLE].includes(node.kind as Kind);
}

/** The rule a literal breaks, from its expected type and its AST (the value itself is never printed). */
function literalRule(typeRef: string, node: ASTNode | undefined, schema: GraphQLSchema | undefined): string {
  if (!schema || !isValueNode(node) || node.kind === Kind.VARIABLE) return 'the value does not fit the type';
  let type: GraphQLInputType | undefined;
  try {
    type = typeFromAST(schema, parseType(typeRef)) as GraphQLInputType | undefined;
  } catch {
    type = undefined;
  }
  if (!type) return 'the value does not fit the type';
  const problem = coercionProblem(type, valueFromASTUntyped(node));
  if (!problem) return 'the value does not fit the type';
  return problem.path ? `at "${problem.path.replace(/^\./, '')}" ${problem.rule}` : problem.rule;
}

/**
 * The message of a framework error, rebuilt: variable and argument names, type names and rules
 * survive; no input value does. Other messages lose their "Did you mean" hints, and any card
 * number left in them is scrubbed (defence in depth).
 */
export function safeMessage(message: string, nodes: readonly ASTNode[] | undefined, schema?: GraphQLSchema): string {
  const variable = VARIABLE.exec(message);
  if (variable) return `Variable "$${variable[1]}" got an invalid value.`;
  const literal = LITERAL.exec(message);
  if (literal) return `Expected value of type "${literal[1]}": ${literalRule(literal[1]!, nodes?.[0], schema)}.`;
  const argument = ARGUMENT.exec(message);
  if (argument) return `Argument "${argument[1]}" has an invalid value.`;
  // A scalar's or enum's own refusal of a literal (graphql-js reports it as is): the rule from the type.
  const enumValue = new RegExp(`^Value [\\s\\S]* does not exist in "(${IDENT})" enum`).exec(message);
  const scalar = new RegExp(`^(?:Enum "(${IDENT})"|(${IDENT})) cannot represent`).exec(message);
  const named = enumValue?.[1] ?? scalar?.[1] ?? scalar?.[2];
  if (named) {
    const type = schema?.getType(named);
    return `Expected value of type "${named}": ${type ? scalarRule(type) : 'the value does not fit the type'}.`;
  }
  if (message.startsWith('Syntax Error:')) return message.replace(/^(Syntax Error: [^"]*?)\s*"[\s\S]*$/, '$1.').replace(/\.\.$/, '.');
  return scrub(message.replace(/\s*Did you mean[\s\S]*$/, ''));
}

export function maskErrors(production: boolean, schema?: GraphQLSchema) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = (error as { originalError?: unknown })?.originalError ?? error;
    const unavailable = formatDatabaseError(original, formatted.path); // a driver outage: DATABASE_UNAVAILABLE (503)
    if (unavailable) return unavailable;
    const safe = safeErrorOf(error);
    if (safe) {
      const { stacktrace: _s, ...extensions } = { ...formatted.extensions, ...safe.extensions };
      return { message: safe.message, path: formatted.path, locations: formatted.locations, extensions };
    }
    const code = formatted.extensions?.code;
    if (code === 'GRAPHQL_PARSE_FAILED') {
      const refusal = tokenLimitError(formatted.message);
      if (refusal) return { ...refusal.toJSON(), locations: formatted.locations };
    }
    if (typeof code === 'string' && FRAMEWORK_CODES.has(code)) {
      const nodes = error instanceof GraphQLError ? error.nodes : undefined;
      return { message: safeMessage(formatted.message, nodes, schema), locations: formatted.locations, path: formatted.path, extensions: { code } };
    }
    logMaskedError(original); // its class and where it was thrown, never its message
    return {
      message: production ? 'Internal server error' : `Internal server error: ${(original as Error)?.name ?? 'Error'}`,
      path: formatted.path,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}
