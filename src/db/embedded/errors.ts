/**
 * Command errors with mongod's numeric codes and code names. A handler throws a `CommandError`;
 * the dispatcher turns it into `{ ok: 0, errmsg, code, codeName }` exactly as mongod replies.
 */
export const ErrorCodes = {
  BadValue: 2,
  FailedToParse: 9,
  TypeMismatch: 14,
  IllegalOperation: 20,
  InvalidIdField: 53,
  InvalidBSON: 22,
  NamespaceNotFound: 26,
  IndexNotFound: 27,
  ConflictingUpdateOperators: 40,
  CursorNotFound: 43,
  NamespaceExists: 48,
  CommandNotFound: 59,
  ImmutableField: 66,
  InvalidOptions: 72,
  InvalidNamespace: 73,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  CannotCreateIndex: 67,
  UnsupportedOpQueryCommand: 352,
  DuplicateKey: 11000,
  BSONObjectTooLarge: 10334,
  InternalError: 1,
} as const;

export type ErrorCodeName = keyof typeof ErrorCodes;

const namesByCode = new Map<number, string>(Object.entries(ErrorCodes).map(([name, code]) => [code, name]));

/** The code name mongod uses for a code (11000 → DuplicateKey, 40324 → Location40324), if any. */
export function codeNameOf(code: number): string | undefined {
  return namesByCode.get(code) ?? (code >= 10_000 ? `Location${code}` : undefined);
}

/** An error answered to the client as a failed command (ok: 0). */
export class CommandError extends Error {
  constructor(
    readonly code: number,
    message: string,
    /** Extra fields copied into the reply (e.g. keyPattern/keyValue for duplicate keys). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }

  static of(name: ErrorCodeName, message: string, extra: Record<string, unknown> = {}): CommandError {
    return new CommandError(ErrorCodes[name], message, extra);
  }
}

/** The reply document for a failed command. */
export function errorReply(err: CommandError): Record<string, unknown> {
  const codeName = codeNameOf(err.code);
  return { ok: 0, errmsg: err.message, code: err.code, ...(codeName ? { codeName } : {}), ...err.extra };
}
