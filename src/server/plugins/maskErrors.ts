/**
 * Error masking (formatError): only errors built to be safe reach clients as they are; framework
 * errors keep their code with every echoed value removed; anything else becomes a generic message.
 */
import type { GraphQLFormattedError } from 'graphql';
import { ErrorCode, safeErrorOf } from '../../core/errors';
import { formatDatabaseError } from '../databaseErrors';
import { logMaskedError } from '../maskedErrorLog';

/** Apollo and graphql-js errors that are safe once values are stripped from their messages. */
const FRAMEWORK_CODES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'OPERATION_RESOLUTION_FAILURE', 'PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED', 'BAD_REQUEST']);

/**
 * Only errors built to be safe reach clients as they are. Framework errors keep their code with any
 * echoed value removed. Everything else becomes a generic message in production (and loses its
 * details everywhere: stack traces can carry attribute values).
 */
export function maskErrors(production: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = (error as { originalError?: unknown })?.originalError ?? error;
    const unavailable = formatDatabaseError(original, formatted.path); // a driver outage: DATABASE_UNAVAILABLE (503)
    if (unavailable) return unavailable;
    if (safeErrorOf(error)) {
      const { extensions, message, path, locations } = formatted;
      const { stacktrace: _s, ...ext } = extensions ?? {};
      return { message, path, locations, extensions: ext };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && FRAMEWORK_CODES.has(code)) {
      return { message: stripValues(formatted.message), locations: formatted.locations, path: formatted.path, extensions: { code } };
    }
    logMaskedError(original); // its class and where it was thrown, never its message
    return {
      message: production ? 'Internal server error' : `Internal server error: ${(original as Error)?.name ?? 'Error'}`,
      path: formatted.path,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}

/**
 * graphql-js puts the offending input in its messages (`Variable "$input" got invalid value { street:
 * "12; rue…" } at "input.x"; …`). A card number or a health note must never come back, so messages are
 * rebuilt from their structure: the variable, the path and the rule survive; the value does not.
 */
const IDENT = '[_A-Za-z][_0-9A-Za-z]*';
const TYPE = '[_A-Za-z\\[\\]][_0-9A-Za-z!\\[\\]]*';
const PATH = new RegExp(`^ at "(${IDENT}(?:\\.${IDENT}|\\[\\d+\\])*)"; `);
const VARIABLE = new RegExp(`^Variable "(\\$${IDENT})" got invalid value `);

/** Rules graphql-js states about a value, without the value; the first match at the start wins. */
const RULES: Array<[RegExp, (m: RegExpMatchArray) => string]> = [
  [new RegExp(`^Expected type "(${TYPE})"`), (m) => `expected type "${m[1]}"`],
  [new RegExp(`^Field "(${IDENT})" of required type "(${TYPE})" was not provided`), (m) => `field "${m[1]}" of required type "${m[2]}" was not provided`],
  [new RegExp(`^Field "(${IDENT})" is not defined by type "(${TYPE})"`), (m) => `field "${m[1]}" is not defined by type "${m[2]}"`],
  [new RegExp(`^Expected non-nullable type "(${TYPE})" not to be null`), (m) => `expected non-nullable type "${m[1]}" not to be null`],
  [new RegExp(`^(${TYPE}) cannot represent ([a-z -]*value)`), (m) => `${m[1]} cannot represent ${m[2]}`],
  [new RegExp(`^Value .* does not exist in "(${IDENT})" enum`), (m) => `the value is not in enum "${m[1]}"`],
];

function rule(inner: string): string {
  for (const [re, say] of RULES) {
    const m = inner.match(re);
    if (m) return say(m);
  }
  return 'the value does not fit the type';
}

/** Index where an inspect()-printed value ends: the first `; ` or ` at "` outside a quoted string. */
function endOfValue(text: string, from: number): number {
  let quoted = false;
  for (let i = from; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '\\') i += 1;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (text.startsWith('; ', i) || text.startsWith(' at "', i)) return i;
  }
  return -1;
}

function variableError(message: string): string | null {
  const head = message.match(VARIABLE);
  if (!head) return null;
  const end = endOfValue(message, head[0].length);
  if (end < 0) return `Variable "${head[1]}" got an invalid value.`;
  let rest = message.slice(end);
  let at = '';
  const path = rest.match(PATH);
  if (path) {
    at = ` at "${path[1]}"`;
    rest = rest.slice(path[0].length);
  } else if (rest.startsWith('; ')) rest = rest.slice(2);
  else return `Variable "${head[1]}" got an invalid value.`;
  return `Variable "${head[1]}" got an invalid value${at}: ${rule(rest)}.`;
}

/** The message with every echoed input value removed. */
export function stripValues(message: string): string {
  const variable = variableError(message);
  if (variable) return variable;
  const literal = message.match(new RegExp(`^Expected value of type "(${TYPE})", found `));
  if (literal) return `Expected value of type "${literal[1]}", found another value.`;
  return message
    .replace(new RegExp(`^(${TYPE} cannot represent [a-z -]*value)[\\s\\S]*$`), '$1.')
    .replace(new RegExp(`^Value [\\s\\S]* does not exist in "(${IDENT})" enum[\\s\\S]*$`), 'Value does not exist in "$1" enum.')
    .replace(/^(Syntax Error: [^"]*)"[\s\S]*$/, '$1')
    .replace(/\s*Did you mean[\s\S]*$/, '');
}
