/**
 * Writes to customer data happen inside a scope, by construction: a request's write runs inside
 * the recorder's write-ahead `commit` (its intent record is durable first), and system work
 * (erasure, disposal, demo seeding, migrations) runs inside `systemWrite`. The models of every
 * collection holding customer data install `requireWriteScope`, which refuses any write outside
 * both: a path that forgot the access log fails loudly instead of writing unrecorded.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Schema } from 'mongoose';

export type WriteScope = { kind: 'request'; requestId: string } | { kind: 'system'; reason: string };

const scope = new AsyncLocalStorage<WriteScope>();

/** The write scope in force, or undefined. */
export function currentWriteScope(): WriteScope | undefined {
  return scope.getStore();
}

/** Runs `fn` as a recorded request write (used by the recorder's commit only). */
export function inRequestWrite<T>(requestId: string, fn: () => Promise<T>): Promise<T> {
  return scope.run({ kind: 'request', requestId }, fn);
}

/** Runs `fn` as system work that is not a request (erasure steps, disposal, seeding, migrations). */
export function systemWrite<T>(reason: string, fn: () => Promise<T>): Promise<T> {
  return scope.run({ kind: 'system', reason }, fn);
}

export class UnscopedWriteError extends Error {
  constructor(collection: string, operation: string) {
    super(`Refused: ${operation} on ${collection} outside a recorded write (use the request's log.commit, or systemWrite for system work)`);
    this.name = 'UnscopedWriteError';
  }
}

const QUERY_WRITES = [
  'updateOne', 'updateMany', 'findOneAndUpdate', 'replaceOne', 'findOneAndReplace',
  'deleteOne', 'deleteMany', 'findOneAndDelete',
] as const;

/** Mongoose plugin: every write through the model must run inside a write scope. */
export function requireWriteScope(schema: Schema, collection: string): void {
  const check = (operation: string) => {
    if (!scope.getStore()) throw new UnscopedWriteError(collection, operation);
  };
  for (const op of QUERY_WRITES) schema.pre(op, { query: true, document: false }, () => check(op));
  schema.pre('save', () => check('save'));
  schema.pre('insertMany', () => check('insertMany'));
  schema.pre('bulkWrite', () => check('bulkWrite'));
}
