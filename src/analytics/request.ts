/**
 * A customerStats request, checked: the dimensions (1 to 3, no repeats, each readable under the
 * purpose), and the filter (segment or country only, readable, counted with the dimensions).
 * Refused whole, naming the argument and the rule; values are never echoed.
 */
import type { RequestContext } from '../core/context';
import { ErrorCode, InputError, SafeError } from '../core/errors';
import { ISO_3166_ALPHA2, type CustomerFilter } from '../customers';
import { DIMENSIONS, StatDimension } from './dimensions';
import { MAX_DIMENSIONS } from './threshold';

export interface StatsRequest {
  groupBy: StatDimension[];
  /** Dimension → the stored value it must have. */
  where: Partial<Record<StatDimension, string>>;
  /** The attributes read, as the access log records them. */
  fieldsRead: string[];
}

function forbidden(ctx: RequestContext, path: string, what: string): SafeError {
  ctx.log.operationDenied(ErrorCode.FORBIDDEN_FIELD, `${what} on Customer.${path} refused: not readable for purpose ${ctx.purpose?.id}`, 'Customer');
  return new SafeError(ErrorCode.FORBIDDEN_FIELD, `Not allowed to ${what} on Customer.${path} for purpose ${ctx.purpose?.id}`, {
    field: `Customer.${path}`, purpose: ctx.purpose?.id ?? null, count: 0,
  });
}

export function checkStatsRequest(ctx: RequestContext, groupBy: readonly StatDimension[], filter: CustomerFilter | null | undefined): StatsRequest {
  if (groupBy.length === 0) throw new InputError('groupBy', 'must name at least one dimension');
  if (new Set(groupBy).size !== groupBy.length) throw new InputError('groupBy', 'must not name a dimension twice');
  if (groupBy.length > MAX_DIMENSIONS) throw new InputError('groupBy', `must name at most ${MAX_DIMENSIONS} dimensions`);
  for (const dim of groupBy) if (!ctx.guard.readable('Customer', DIMENSIONS[dim].readable)) throw forbidden(ctx, DIMENSIONS[dim].readable, 'group');
  const where: Partial<Record<StatDimension, string>> = {};
  for (const [key, path] of [['email', 'email'], ['search', 'fullName']] as const) {
    if (filter?.[key] == null) continue;
    if (!ctx.guard.readable('Customer', path)) throw forbidden(ctx, path, 'filter');
    throw new InputError(`filter.${key}`, 'customerStats filters only on its dimensions: segment and country');
  }
  if (filter?.segment != null) {
    if (!ctx.guard.readable('Customer', 'segment')) throw forbidden(ctx, 'segment', 'filter');
    if (filter.segment.length < 1 || filter.segment.length > 100) throw new InputError('filter.segment', 'must be 1 to 100 characters');
    where.SEGMENT = filter.segment;
  }
  if (filter?.country != null) {
    if (!ctx.guard.readable('Customer', 'address.country')) throw forbidden(ctx, 'address.country', 'filter');
    const code = filter.country.trim().toUpperCase();
    if (!ISO_3166_ALPHA2.includes(code)) throw new InputError('filter.country', 'must be an ISO 3166 alpha-2 country code');
    where.COUNTRY = ctx.services.index.of('country', code);
  }
  const named = new Set([...groupBy, ...(Object.keys(where) as StatDimension[])]);
  if (named.size > MAX_DIMENSIONS) throw new InputError('filter', `groupBy and the filtered dimensions together must name at most ${MAX_DIMENSIONS} dimensions`);
  return { groupBy: [...groupBy], where, fieldsRead: [...named].map((d) => DIMENSIONS[d].readable).sort() };
}
