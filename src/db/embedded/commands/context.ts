/** What a command handler gets: the store, the cursor registry, the target database, the caller. */
import type { Document } from 'bson';
import type { CursorRegistry } from '../cursors';
import type { FailPoints } from '../faults';
import type { SessionRegistry } from '../sessions';
import { CommandError } from '../errors';
import { checkCollectionName, type Store } from '../storage/store';

export interface CommandContext {
  store: Store;
  cursors: CursorRegistry;
  sessions: SessionRegistry;
  failPoints: FailPoints;
  /** The command's `$db` (or the OP_QUERY namespace's database). */
  db: string;
  connectionId: number;
  /** `host:port` of the client, for whatsmyuri. */
  remote: string;
  /** Number of open client connections, for serverStatus. */
  connections: () => number;
  startedAt: Date;
}

export type CommandHandler = (cmd: Document, ctx: CommandContext) => Document;

/** The command's first field (its name) as a collection name, validated. */
export function collectionArg(cmd: Document, ctx: CommandContext): string {
  return checkCollectionName(ctx.db, cmd[Object.keys(cmd)[0]]);
}

/** An optional non-negative integer option; TypeMismatch/BadValue otherwise. */
export function countArg(cmd: Document, field: string): number | undefined {
  const v = cmd[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw CommandError.of('TypeMismatch', `Field '${field}' should be a number`);
  }
  if (v < 0) throw CommandError.of('BadValue', `${field} value must be non-negative, but received: ${v}`);
  return Math.trunc(v);
}

/** An optional document option; TypeMismatch when it is not an object. */
export function docArg(cmd: Document, field: string): Document | undefined {
  const v = cmd[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v) || v instanceof Date) {
    throw CommandError.of('TypeMismatch', `Field '${field}' must be of type object`);
  }
  return v as Document;
}

/** An optional array option; TypeMismatch otherwise. */
export function arrayArg(cmd: Document, field: string): Document[] | undefined {
  const v = cmd[field];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw CommandError.of('TypeMismatch', `Field '${field}' must be of type array`);
  return v as Document[];
}

export function boolArg(cmd: Document, field: string, fallback = false): boolean {
  const v = cmd[field];
  return v === undefined || v === null ? fallback : Boolean(v);
}
