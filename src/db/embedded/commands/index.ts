/**
 * Command dispatch: picks the handler by the command's first field, refuses transactions as a
 * standalone mongod does, and turns every failure into an `{ ok: 0 }` reply.
 */
import type { Document } from 'bson';
import { logger } from '../../../logger';
import { CommandError, errorReply } from '../errors';
import { checkDbName } from '../storage/store';
import { aggregateCommands } from './aggregate';
import { collectionCommands } from './collections';
import type { CommandContext } from './context';
import { findAndModifyCommands } from './findAndModify';
import { indexCommands } from './indexes';
import { readCommands } from './reads';
import { serverCommands } from './server';
import { writeCommands } from './writes';

export type { CommandContext } from './context';

const handlers = new Map(
  Object.entries({
    ...serverCommands,
    ...collectionCommands,
    ...writeCommands,
    ...readCommands,
    ...findAndModifyCommands,
    ...aggregateCommands,
    ...indexCommands,
  }),
);

/** Runs one command and returns its reply document (never throws). */
export function runCommand(cmd: Document, ctx: Omit<CommandContext, 'db'> & { db: unknown }): Document {
  const name = Object.keys(cmd)[0];
  try {
    if (name === undefined) throw CommandError.of('FailedToParse', 'empty command object');
    const db = checkDbName(ctx.db);
    if ('txnNumber' in cmd || 'startTransaction' in cmd || 'autocommit' in cmd) {
      throw CommandError.of('IllegalOperation', 'Transaction numbers are only allowed on a replica set member or mongos');
    }
    const handler = handlers.get(name);
    if (!handler) logger.debug('embedded store: unknown command', { command: name });
    if (!handler) throw CommandError.of('CommandNotFound', `no such command: '${name}'`);
    return handler(cmd, { ...ctx, db });
  } catch (err) {
    if (err instanceof CommandError) return errorReply(err);
    logger.warn('embedded store: command failed unexpectedly', { command: name, error: (err as Error)?.message });
    return errorReply(CommandError.of('InternalError', `internal error in command '${name}': ${(err as Error)?.message}`));
  }
}
