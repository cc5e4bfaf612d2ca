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
  DollarPrefixedFieldName: 52,
  MaxTimeMSExpired: 50,
  CommandNotSupported: 115,
  DocumentValidationFailure: 121,
  ViewDepthLimitExceeded: 165,
  CommandNotSupportedOnView: 166,
  OptionNotSupportedOnView: 167,
  InvalidPipelineOperator: 168,
  CannotIndexParallelArrays: 171,
  InvalidIndexSpecificationOption: 197,
  NotImplemented: 238,
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
  Unauthorized: 13,
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

/**
 * What the embedded store refuses because it does not implement it (where mongod would accept):
 * CommandNotSupported (115), with a message that says so and names the option.
 */
export function unsupported(what: string): CommandError {
  return CommandError.of('CommandNotSupported', `the embedded store does not support ${what} (it is a development store; use a real MongoDB through MONGODB_URI)`);
}

/** mongod's answer to a field its command parser does not know: `BSON field 'find.foo' is an unknown field.` (40415). */
export function unknownField(path: string): CommandError {
  return new CommandError(40415, `BSON field '${path}' is an unknown field.`);
}
