/** The access log as the privacy officer reads it (purpose audit): one entry per subject, newest first. */
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, Field, GraphQLISODateTime, ID, Info, Int, ObjectType, Query, Resolver } from 'type-graphql';
import { accessLogModel, countEntries, readEntries, type AccessLogRecord, type EntryFilter, type EntryPosition } from '../audit';
import type { RequestContext } from '../core/context';
import { ErrorCode, InputError, SafeError } from '../core/errors';
import { openCursor, pageSize, toPage } from '../core/pagination';
import { selects } from '../core/selection';
import { visible } from '../policy';

@ObjectType()
export class Actor {
  @Field(() => String) kind!: string;
  @Field(() => String) id!: string;
  @Field(() => [String]) roles!: string[];
  @Field(() => String, { nullable: true }) partner?: string | null;
}

@ObjectType({ description: 'Who touched which attributes of one subject, why, and the outcome. Names only, never values.' })
export class AccessLogEntry {
  @Field(() => ID) id!: string;
  @Field(() => GraphQLISODateTime) at!: Date;
  @Field(() => String) requestId!: string;
  @Field(() => Actor) actor!: Actor;
  @Field(() => String, { nullable: true }) purpose?: string | null;
  @Field(() => String, { nullable: true }) taskId?: string | null;
  @Field(() => String, { nullable: true }) operationName?: string | null;
  @Field(() => String) subjectType!: string;
  @Field(() => String, { nullable: true }) subjectId?: string | null;
  @Field(() => [String]) fieldsRead!: string[];
  @Field(() => [String]) fieldsDenied!: string[];
  @Field(() => [String]) fieldsWritten!: string[];
  @Field(() => String, { description: 'allowed, partial or denied' }) decision!: string;
  @Field(() => String, { nullable: true, description: 'The error code of an operation-level denial' }) code?: string | null;
  @Field(() => String, { nullable: true, description: 'The policy reason of a denial' }) reason?: string | null;
  @Field(() => String, { nullable: true, description: 'For writes: intent (recorded before the change), committed or failed' }) write?: string | null;
}

@ObjectType()
export class AccessLogEdge {
  @Field(() => String) cursor!: string;
  @Field(() => AccessLogEntry) node!: AccessLogEntry;
}

@ObjectType()
export class AccessLogPageInfo {
  @Field(() => Boolean) hasNextPage!: boolean;
  @Field(() => String, { nullable: true }) endCursor?: string | null;
}

@ObjectType()
export class AccessLogConnection {
  @Field(() => [AccessLogEdge]) edges!: AccessLogEdge[];
  @Field(() => AccessLogPageInfo) pageInfo!: AccessLogPageInfo;
  @Field(() => Int, { description: 'Computed only when selected' }) totalCount!: number;
}

const TOKEN = /^[A-Za-z0-9_.:@-]{1,128}$/;

function optionalToken(value: string | null | undefined, field: string): string | undefined {
  if (value == null) return undefined;
  if (!TOKEN.test(value)) throw new InputError(field, 'must be an id of letters, digits and _.:@-');
  return value;
}

@Resolver(() => AccessLogEntry)
export class AccessLogResolver {
  @Query(() => AccessLogConnection, { description: 'The access log, newest first, one entry per subject (privacy officer, purpose audit).' })
  async accessLog(
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('customerId', () => ID, { nullable: true }) customerId?: string,
    @Arg('actorId', () => String, { nullable: true }) actorId?: string,
    @Arg('purpose', () => String, { nullable: true }) purpose?: string,
    @Arg('first', () => Int, { nullable: true, defaultValue: 100 }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    if (!ctx.ability.can('read', 'AccessLog')) {
      ctx.log.operationDenied(ErrorCode.FORBIDDEN, `reading the access log is not granted for purpose ${ctx.purpose?.id}`, 'AccessLog');
      throw new SafeError(ErrorCode.FORBIDDEN, `Not allowed: reading the access log is not granted for purpose ${ctx.purpose?.id}`);
    }
    const limit = pageSize(first, 100, 500);
    const filter: EntryFilter = {
      subjectId: optionalToken(customerId, 'customerId'),
      actorId: optionalToken(actorId, 'actorId'),
      purpose: optionalToken(purpose, 'purpose'),
    };
    const { config, conn } = ctx.services;
    const position = after != null ? (openCursor(config, 'accessLog', after, ['string', 'number']) as EntryPosition) : null;
    // The rows the policy lets this caller read, combined with the caller's filter (never spread into it).
    const rows = visible(ctx.ability, 'read', 'AccessLog');
    const model = accessLogModel(conn);
    const [entries, totalCount] = await Promise.all([
      readEntries(model, filter, rows, limit + 1, position),
      selects(info, 'totalCount') ? countEntries(model, filter, rows) : Promise.resolve(undefined),
    ]);
    ctx.log.read('AccessLog', filter.subjectId ?? '*', ['entries']);
    const page = toPage(config, 'accessLog', entries, limit, (e) => e.position, ({ position: _p, ...rec }) => rec as AccessLogRecord);
    return totalCount === undefined ? page : { ...page, totalCount };
  }
}
