import type { GraphQLFormattedError } from 'graphql';
import { ErrorCode, isSafeError } from '../../errors';
import { stripValues } from './stripValues';

export { stripValues };

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
    if (isSafeError(original) || isSafeError(error)) {
      const { extensions, message, path, locations } = formatted;
      const { stacktrace: _s, ...ext } = extensions ?? {};
      return { message, path, locations, extensions: ext };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && FRAMEWORK_CODES.has(code)) {
      return { message: stripValues(formatted.message), locations: formatted.locations, path: formatted.path, extensions: { code } };
    }
    return {
      message: production ? 'Internal server error' : `Internal server error: ${(original as Error)?.name ?? 'Error'}`,
      path: formatted.path,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}
