/** The customer's access history: the access log entries about them, as a customer may see them (roles, never staff ids). */
import { accessLogModel, countEntries, readEntries, type AccessLogRecord, type EntryPosition } from '../audit';
import type { RequestContext } from '../core/context';
import { ErrorCode, SafeError } from '../core/errors';
import { openCursor, toPage } from '../core/pagination';
import { visible } from '../policy';
import type { AccessHistoryEntry } from './types';

/** The actor as a customer may see it: role(s), `partner` or `customer`; never a personal id. */
export function accessHistoryEntry(rec: AccessLogRecord): AccessHistoryEntry {
  const { actor } = rec;
  const actorRole = actor.kind === 'staff' ? (actor.roles.length ? actor.roles.join(', ') : 'staff') : actor.kind;
  return {
    id: rec.id,
    at: rec.at,
    purpose: rec.purpose,
    actorRole,
    partner: actor.kind === 'partner' ? (actor.partner ?? null) : null,
    fieldsRead: rec.fieldsRead,
    fieldsWritten: rec.fieldsWritten,
    decision: rec.decision,
  };
}

/** The access-log rows the caller may read (for a customer: those about their own record). */
function scope(ctx: RequestContext): Record<string, unknown> {
  if (!ctx.ability.can('read', 'AccessLog')) {
    const why = `reading the access history is not granted for purpose ${ctx.purpose?.id}`;
    ctx.log.operationDenied(ErrorCode.FORBIDDEN, why, 'AccessLog');
    throw new SafeError(ErrorCode.FORBIDDEN, `Not allowed: ${why}`);
  }
  return visible(ctx.ability, 'read', 'AccessLog');
}

/** One page of the caller's access history, newest first; `after` is a cursor from a previous page; the total only when `counted`. */
export async function accessHistoryPage(ctx: RequestContext, first: number, after: string | null | undefined, counted: boolean) {
  const rows = scope(ctx);
  const position = after != null ? (openCursor(ctx.services.config, 'accessHistory', after, ['string', 'number']) as EntryPosition) : null;
  const model = accessLogModel(ctx.services.conn);
  const subjectId = ctx.principal!.id;
  const [entries, totalCount] = await Promise.all([
    readEntries(model, { subjectId }, rows, first + 1, position),
    counted ? countEntries(model, { subjectId }, rows) : Promise.resolve(undefined),
  ]);
  ctx.log.read('AccessLog', subjectId, ['entries']);
  const page = toPage(ctx.services.config, 'accessHistory', entries, first, (e) => e.position, accessHistoryEntry);
  return totalCount === undefined ? page : { ...page, totalCount };
}

/** The whole access history (newest first, at most `limit` entries), for the data export. */
export async function accessHistoryAll(ctx: RequestContext, limit: number): Promise<{ entries: AccessHistoryEntry[]; truncated: boolean }> {
  const subjectId = ctx.principal!.id;
  const entries = await readEntries(accessLogModel(ctx.services.conn), { subjectId }, scope(ctx), limit + 1);
  ctx.log.read('AccessLog', subjectId, ['entries']);
  return { entries: entries.slice(0, limit).map(accessHistoryEntry), truncated: entries.length > limit };
}
