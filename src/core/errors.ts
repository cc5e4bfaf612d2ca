/**
 * Every error code a client can see (`errors[].extensions.code`), and the errors built to be shown.
 * Domain code throws SafeError / InputError; the GraphQL and HTTP edges map them to responses.
 * Anything that is not a SafeError is masked (see server/plugins/maskErrors.ts).
 */
export enum ErrorCode {
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  PURPOSE_REQUIRED = 'PURPOSE_REQUIRED',
  PURPOSE_UNKNOWN = 'PURPOSE_UNKNOWN',
  PURPOSE_NOT_ALLOWED = 'PURPOSE_NOT_ALLOWED',
  TASK_REQUIRED = 'TASK_REQUIRED',
  TASK_INVALID = 'TASK_INVALID',
  FORBIDDEN = 'FORBIDDEN',
  FORBIDDEN_FIELD = 'FORBIDDEN_FIELD',
  CONSENT_REQUIRED = 'CONSENT_REQUIRED',
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  AUDIT_UNAVAILABLE = 'AUDIT_UNAVAILABLE',
  DATABASE_UNAVAILABLE = 'DATABASE_UNAVAILABLE',
  AGREEMENT_INACTIVE = 'AGREEMENT_INACTIVE',
  BAD_REQUEST = 'BAD_REQUEST',
  QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX',
  RATE_LIMITED = 'RATE_LIMITED',
  /** Restricted inputs (card, health) sent over plain HTTP in production; HTTP 403, nothing stored. */
  INSECURE_TRANSPORT = 'INSECURE_TRANSPORT',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
}

/** The HTTP status a response carrying the code gets; codes not listed keep GraphQL's 200 or 400. */
export const HTTP_STATUS: Readonly<Partial<Record<ErrorCode, number>>> = {
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.RATE_LIMITED]: 429,
  [ErrorCode.AUDIT_UNAVAILABLE]: 503,
  [ErrorCode.DATABASE_UNAVAILABLE]: 503,
  [ErrorCode.BAD_REQUEST]: 400,
  /** GraphQL's 400 for a refused operation, also when the refusal comes after validation (cost, rows). */
  [ErrorCode.QUERY_TOO_COMPLEX]: 400,
  [ErrorCode.INSECURE_TRANSPORT]: 403,
};

/**
 * An error built to be shown to clients. Its message and extensions never contain a customer
 * attribute value. graphql-js copies `extensions` onto the GraphQLError that wraps it.
 */
export class SafeError extends Error {
  readonly safe = true;
  readonly code: ErrorCode;
  readonly extensions: Record<string, unknown>;
  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(message);
    this.name = 'SafeError';
    this.code = code;
    this.extensions = { ...extensions, code };
  }

  /** The error as it appears in a response's `errors` array. */
  toJSON(): { message: string; extensions: Record<string, unknown> } {
    return { message: this.message, extensions: this.extensions };
  }
}

/** A bad input: names the field and the rule, never echoes the value. */
export class InputError extends SafeError {
  constructor(readonly field: string, readonly rule: string) {
    super(ErrorCode.BAD_USER_INPUT, `Invalid value for "${field}": ${rule}`, { field, rule });
    this.name = 'InputError';
  }
}

/** True for errors built to be shown (also when wrapped by graphql-js as `originalError`). */
export function isSafeError(err: unknown): err is SafeError {
  return err instanceof Error && (err as Partial<SafeError>).safe === true;
}

/** The code of a safe error, wherever graphql-js put it. */
export function safeErrorOf(err: unknown): SafeError | null {
  if (isSafeError(err)) return err;
  const original = (err as { originalError?: unknown } | null)?.originalError;
  return isSafeError(original) ? original : null;
}
