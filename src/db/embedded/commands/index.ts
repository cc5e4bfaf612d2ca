/**
 * Command dispatch: picks the handler by the command's first field, refuses transactions as a
 * standalone mongod does, checks the command's fields (see options.ts), enforces maxTimeMS, and
 * turns every failure into an `{ ok: 0 }` reply. Commands mongod has and the store does not are
 * answered CommandNotSupported (115), commands nobody has CommandNotFound (59).
 */
import type { Document } from 'bson';
import { logger } from '../../../logger';
import { CommandError, errorReply, unsupported } from '../errors';
import { checkDbName } from '../storage/store';
import { aggregateCommands } from './crud/aggregate';
import { collectionCommands } from './collections';
import type { CommandContext } from './context';
import { findAndModifyCommands } from './crud/findAndModify';
import { indexCommands } from './indexes';
import { checkCommandFields, checkGeneric } from './options';
import { readCommands } from './crud/reads';
import { serverCommands } from './server';
import { writeCommands } from './crud/writes';

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

/** Commands a mongod 7.0 has that the embedded store does not implement. */
export const MONGOD_ONLY_COMMANDS = new Set([
  'mapReduce', 'collStats', 'validate', 'compact', 'reIndex', 'convertToCapped', 'cloneCollectionAsCapped', 'currentOp', 'killOp',
  'fsync', 'fsyncUnlock', 'profile', 'top', 'shutdown', 'createUser', 'updateUser', 'dropUser', 'dropAllUsersFromDatabase', 'usersInfo',
  'createRole', 'updateRole', 'dropRole', 'rolesInfo', 'grantRolesToUser', 'revokeRolesFromUser', 'grantPrivilegesToRole',
  'revokePrivilegesFromRole', 'logout', 'authenticate', 'saslStart', 'saslContinue', 'geoSearch', 'planCacheClear',
  'planCacheListFilters', 'planCacheSetFilter', 'planCacheClearFilters', 'setParameter', 'setFeatureCompatibilityVersion',
  'createSearchIndexes', 'dropSearchIndex', 'updateSearchIndex', 'analyze', 'dataSize', 'filemd5', 'lockInfo', 'setProfilingLevel',
  'logRotate', 'startSession', 'cleanupOrphaned', 'setDefaultRWConcern', 'getDefaultRWConcern',
  'validateDBMetadata', 'checkMetadataConsistency', 'cursorInfo', 'listCommands', 'serverStatusDetailed', 'bulkWrite',
]);

/** Alias → the name its field rules are filed under. */
const ALIASES: Record<string, string> = { findandmodify: 'findAndModify', deleteIndexes: 'dropIndexes' };

/** Runs one command and returns its reply document (never throws). */
export function runCommand(cmd: Document, ctx: Omit<CommandContext, 'db'> & { db: unknown }): Document {
  const name = Object.keys(cmd)[0];
  try {
    if (name === undefined) throw CommandError.of('FailedToParse', 'empty command object');
    const db = checkDbName(ctx.db);
    if ('txnNumber' in cmd || 'startTransaction' in cmd || 'autocommit' in cmd || name === 'commitTransaction' || name === 'abortTransaction') {
      throw CommandError.of('IllegalOperation', 'Transaction numbers are only allowed on a replica set member or mongos');
    }
    const handler = handlers.get(name);
    if (!handler) {
      logger.debug('embedded store: unknown command', { command: name });
      if (MONGOD_ONLY_COMMANDS.has(name)) throw unsupported(`the '${name}' command`);
      throw CommandError.of('CommandNotFound', `no such command: '${name}'`);
    }
    checkGeneric(cmd);
    ctx.sessions.touch(cmd.lsid);
    checkCommandFields(ALIASES[name] ?? name, cmd);
    const started = performance.now();
    const reply = handler(cmd, { ...ctx, db });
    const limit = typeof cmd.maxTimeMS === 'number' ? cmd.maxTimeMS : 0;
    if (limit > 0 && performance.now() - started > limit) {
      // The reply is discarded: so is the cursor it opened.
      const id = (reply.cursor as { id?: { toNumber?: () => number } } | undefined)?.id;
      if (id?.toNumber) ctx.cursors.kill(id.toNumber());
      throw CommandError.of('MaxTimeMSExpired', 'operation exceeded time limit');
    }
    return reply;
  } catch (err) {
    if (err instanceof CommandError) return errorReply(err);
    logger.warn('embedded store: command failed unexpectedly', { command: name, error: (err as Error)?.message });
    return errorReply(CommandError.of('InternalError', `internal error in command '${name}': ${(err as Error)?.message}`));
  }
}
