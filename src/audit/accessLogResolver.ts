import { Types } from 'mongoose';
import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { rowFilter } from '../policy';
import { ErrorCode, InputError, SafeError } from '../server/errors';
import type { RequestContext } from '../server/requestContext';
import type { AccessLogRecord } from './accessLogModel';
import { AccessLogConnection, AccessLogEntry } from './accessLogTypes';

const TOKEN = /^[A-Za-z0-9_.:@-]{1,128}$/;

function optionalToken(value: string | null | undefined, field: string): string | undefined {
  if (value == null) return undefined;
  if (!TOKEN.test(value)) throw new InputError(field, 'must be an id of letters, digits and _.:@-');
  return value;
}

@Resolver(() => AccessLogEntry)
export class AccessLogResolver {
  @Query(() => AccessLogConnection, { description: 'The access log, newest first (privacy officer, purpose audit).' })
  async accessLog(
    @Ctx() ctx: RequestContext,
    @Arg('customerId', () => ID, { nullable: true }) customerId?: string,
    @Arg('actorId', () => String, { nullable: true }) actorId?: string,
    @Arg('purpose', () => String, { nullable: true }) purpose?: string,
    @Arg('first', () => Int, { nullable: true, defaultValue: 100 }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    if (!ctx.ability.can('read', 'AccessLog')) {
      ctx.audit.operationDenied(ErrorCode.FORBIDDEN, `reading the access log is not granted for purpose ${ctx.purpose?.id}`, 'AccessLog');
      throw new SafeError(ErrorCode.FORBIDDEN, `Not allowed: reading the access log is not granted for purpose ${ctx.purpose?.id}`);
    }
    const limit = first ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new InputError('first', 'must be an integer from 1 to 500');
    const filter: Record<string, unknown> = {};
    const c = optionalToken(customerId, 'customerId');
    const a = optionalToken(actorId, 'actorId');
    const p = optionalToken(purpose, 'purpose');
    if (c) filter.subjectId = c;
    if (a) filter['actor.id'] = a;
    if (p) filter.purpose = p;
    // The rows the policy lets this caller read, combined with the caller's filter (never spread into it).
    const scope = { $and: [rowFilter(ctx.ability, 'read', 'AccessLog'), filter] };
    let page: Record<string, unknown> = scope;
    if (after != null) {
      if (!Types.ObjectId.isValid(after) || !/^[0-9a-f]{24}$/.test(after)) throw new InputError('after', 'must be a cursor returned by a previous page');
      page = { $and: [scope, { _id: { $lt: new Types.ObjectId(after) } }] };
    }
    const model = ctx.app.models.accessLog;
    const [docs, totalCount] = await Promise.all([
      model.find(page).sort({ _id: -1 }).limit(limit + 1).lean<Array<AccessLogRecord & { _id: Types.ObjectId }>>().exec(),
      model.countDocuments(scope).exec(),
    ]);
    ctx.audit.read('AccessLog', c ?? '*', 'entries');
    const rows = docs.slice(0, limit);
    const edges = rows.map((node) => ({ cursor: node._id.toHexString(), node }));
    return { edges, totalCount, pageInfo: { hasNextPage: docs.length > limit, endCursor: edges.at(-1)?.cursor ?? null } };
  }

  @FieldResolver(() => ID)
  id(@Root() e: { _id: Types.ObjectId }): string {
    return e._id.toHexString();
  }
}
