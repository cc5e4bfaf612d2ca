/**
 * Driver failures that mean "the database is not there right now" (no server selectable, a
 * network error or timeout, the client closed at shutdown, an operation past its deadline, a
 * server shutting down or stepping down): they become DATABASE_UNAVAILABLE (HTTP 503), never a
 * 500, and never carry the driver's message (it can quote a query). Anything else is left alone.
 */
import { GraphQLError } from 'graphql';
import type { NextFunction, Request, Response } from 'express';
import { ErrorCode, HTTP_STATUS, SafeError } from '../../core/errors';

/** Driver and mongoose error classes that mean the database could not be reached in time. */
const UNAVAILABLE_NAMES = new Set([
  'MongoServerSelectionError', 'MongooseServerSelectionError', 'MongoNetworkError', 'MongoNetworkTimeoutError',
  'MongoOperationTimeoutError', 'MongoTimeoutError', 'MongoClientClosedError', 'MongoTopologyClosedError',
  'MongoNotConnectedError', 'MongoPoolClosedError', 'MongoPoolClearedError', 'MongoWaitQueueTimeoutError',
]);

/** Server error codes of the same meaning (mongod's names; failCommand can inject them). */
const UNAVAILABLE_CODES = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  50, // MaxTimeMSExpired
  89, // NetworkTimeout
  91, // ShutdownInProgress
  189, // PrimarySteppedDown
  262, // ExceededTimeLimit
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

/** Socket errors: the gateway makes no other connection while it serves a request, so they are the database's. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);

const MESSAGE = 'The database is unavailable. Try again shortly.';

/** True when `err` (or its cause, or graphql-js's originalError) is a database outage. */
export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 4) return false;
  const e = err as { name?: unknown; code?: unknown; message?: unknown; cause?: unknown; originalError?: unknown; reason?: unknown };
  if (typeof e.name === 'string' && UNAVAILABLE_NAMES.has(e.name)) return true;
  if (typeof e.code === 'string' && SOCKET_CODES.has(e.code)) return true;
  if (typeof e.name === 'string' && e.name.startsWith('Mongo') && typeof e.code === 'number' && UNAVAILABLE_CODES.has(e.code)) return true;
  // mongoose's "Operation `x.find()` buffering timed out after N ms": no connection to send it on.
  if (e.name === 'MongooseError' && typeof e.message === 'string' && /buffering timed out/.test(e.message)) return true;
  return isDatabaseUnavailable(e.originalError, depth + 1) || isDatabaseUnavailable(e.cause, depth + 1);
}

/** The client-facing error of a database outage, or null when `err` is something else. */
export function databaseErrorOf(err: unknown): SafeError | null {
  return isDatabaseUnavailable(err) ? new SafeError(ErrorCode.DATABASE_UNAVAILABLE, MESSAGE) : null;
}

/** For formatError: the formatted DATABASE_UNAVAILABLE error, or null. */
export function formatDatabaseError(error: unknown, path?: readonly (string | number)[]): { message: string; path?: readonly (string | number)[]; extensions: Record<string, unknown> } | null {
  const safe = databaseErrorOf(error);
  return safe ? { message: safe.message, path, extensions: { code: safe.code } } : null;
}

/**
 * For the GraphQL context function: a database outage while the context is built (e.g. the task
 * lookup) is rethrown as DATABASE_UNAVAILABLE with HTTP 503 (Apollo would answer 500 otherwise).
 */
export function rethrowContextError(err: unknown): never {
  if (isDatabaseUnavailable(err)) {
    const safe = new SafeError(ErrorCode.DATABASE_UNAVAILABLE, MESSAGE);
    throw new GraphQLError(MESSAGE, {
      originalError: safe,
      extensions: { code: safe.code, http: { status: HTTP_STATUS[ErrorCode.DATABASE_UNAVAILABLE] ?? 503 } },
    });
  }
  throw err;
}

/** Express error handler: an outage is a 503 DATABASE_UNAVAILABLE; anything else goes on to the last handler. */
export function databaseErrorHandler(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) return next(err);
  if (isDatabaseUnavailable(err)) {
    res.status(503).json({ errors: [{ message: MESSAGE, extensions: { code: ErrorCode.DATABASE_UNAVAILABLE } }] });
    return;
  }
  next(err); // the last handler answers everything else (body errors, the unexpected)
}
