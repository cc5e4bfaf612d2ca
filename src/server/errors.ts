import { GraphQLError } from 'graphql';

/** Every error code a client can see (`errors[].extensions.code`). One list, here. */
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
  AGREEMENT_INACTIVE = 'AGREEMENT_INACTIVE',
  /** Restricted inputs (card, health) sent over plain HTTP in production; HTTP 403, nothing stored. */
  INSECURE_TRANSPORT = 'INSECURE_TRANSPORT',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
}

/**
 * An error built to be shown to clients. Its message and extensions must never contain a
 * customer attribute value. Anything that is not a SafeError is masked in production.
 */
export class SafeError extends GraphQLError {
  readonly safe = true;
  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extensions, code } });
  }
}

/** A bad input: names the field and the rule, never echoes the value. */
export class InputError extends SafeError {
  constructor(readonly field: string, readonly rule: string) {
    super(ErrorCode.BAD_USER_INPUT, `Invalid value for "${field}": ${rule}`, { field, rule });
  }
}

export function isSafeError(err: unknown): err is SafeError {
  return err instanceof GraphQLError && (err as Partial<SafeError>).safe === true;
}
