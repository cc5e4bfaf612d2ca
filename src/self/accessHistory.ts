import { Types } from 'mongoose';
import type { AccessLogRecord } from '../audit/accessLogModel';
import { rowFilter } from '../policy';
import { ErrorCode, InputError, SafeError } from '../server/errors';
import type { RequestContext } from '../server/requestContext';
import type { AccessHistoryEntry } from './selfTypes';

type LogRow = AccessLogRecord & { _id: Types.ObjectId };

/** The actor as a customer may see it: role(s), `partner` or `customer`; never a personal id. */
export function accessHistoryEntry(rec: AccessLogRecord): AccessHistoryEntry {
  const { actor } = rec;
  const actorRole = actor.kind === 'staff' ? (actor.roles.length ? actor.roles.join(', ') : 'staff') : actor.kind;
  return {
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
    ctx.audit.operationDenied(ErrorCode.FORBIDDEN, why, 'AccessLog');
    throw new SafeError(ErrorCode.FORBIDDEN, `Not allowed: ${why}`);
  }
  return rowFilter(ctx.ability, 'read', 'AccessLog');
}

/** One page of the caller's access history, newest first. `after` is a cursor from a previous page. */
export async function accessHistoryPage(ctx: RequestContext, first: number, after: string | null | undefined) {
  const filter = scope(ctx);
  let page: Record<string, unknown> = filter;
  if (after != null) {
    if (!/^[0-9a-f]{24}$/.test(after)) throw new InputError('after', 'must be a cursor returned by a previous page');
    page = { $and: [filter, { _id: { $lt: new Types.ObjectId(after) } }] };
  }
  const model = ctx.app.models.accessLog;
  const [docs, totalCount] = await Promise.all([
    model.find(page).sort({ _id: -1 }).limit(first + 1).lean<LogRow[]>().exec(),
    model.countDocuments(filter).exec(),
  ]);
  ctx.audit.read('AccessLog', ctx.principal!.id, 'entries');
  const rows = docs.slice(0, first);
  const edges = rows.map((r) => ({ cursor: r._id.toHexString(), node: accessHistoryEntry(r) }));
  return { edges, totalCount, pageInfo: { hasNextPage: docs.length > first, endCursor: edges.at(-1)?.cursor ?? null } };
}

/** The whole access history (newest first, at most `limit` entries), for the data export. */
export async function accessHistoryAll(ctx: RequestContext, limit: number): Promise<{ entries: AccessHistoryEntry[]; truncated: boolean }> {
  const docs = await ctx.app.models.accessLog.find(scope(ctx)).sort({ _id: -1 }).limit(limit + 1).lean<LogRow[]>().exec();
  ctx.audit.read('AccessLog', ctx.principal!.id, 'entries');
  return { entries: docs.slice(0, limit).map(accessHistoryEntry), truncated: docs.length > limit };
}
