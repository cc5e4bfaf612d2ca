/** `privacyReport(from, to)`: the privacy officer's report (purpose audit; see compute.ts). */
import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../core/context';
import { ErrorCode, InputError, SafeError } from '../core/errors';
import { visible } from '../policy';
import { computeReport } from './figures/compute';
import { parseRange } from './range';
import { PrivacyReport } from './reportType';

/** The sections recorded as read in the access log (the report holds no subject's data). */
const SECTIONS = ['accesses', 'consents', 'erasures', 'corrections', 'disposals', 'assets', 'integrity'];

function refuse(ctx: RequestContext, reason: string): never {
  ctx.log.operationDenied(ErrorCode.FORBIDDEN, reason, 'PrivacyReport');
  throw new SafeError(ErrorCode.FORBIDDEN, `Not allowed: ${reason}`);
}

@Resolver()
export class PrivacyReportResolver {
  @Query(() => PrivacyReport, {
    description: 'Accesses, denials, consents, rights requests, disposals, assets and log integrity over whole UTC days '
      + '(privacy officer, purpose audit). from/to: YYYY-MM-DD, both included, at most 400 days; default the last 30 days.',
  })
  async privacyReport(
    @Ctx() ctx: RequestContext,
    @Arg('from', () => String, { nullable: true }) from?: string | null,
    @Arg('to', () => String, { nullable: true }) to?: string | null,
  ): Promise<PrivacyReport> {
    if (!ctx.ability.can('read', 'AccessLog')) refuse(ctx, `reading the access log is not granted for purpose ${ctx.purpose?.id}`);
    // The report counts the whole log: a grant limited to some rows would leak the others' counts (fail closed).
    if (Object.keys(visible(ctx.ability, 'read', 'AccessLog')).length > 0) {
      refuse(ctx, 'the report covers the whole access log, and your grant covers only part of it');
    }
    let range;
    try {
      range = parseRange(from, to);
    } catch (err) {
      if (err instanceof InputError) ctx.log.operationDenied(ErrorCode.BAD_USER_INPUT, err.message, 'PrivacyReport');
      throw err;
    }
    const db = ctx.services.conn.db;
    if (!db) throw new SafeError(ErrorCode.DATABASE_UNAVAILABLE, 'The database is not connected. Try again later.');
    const report = await computeReport(db, range, ctx.services.policies.fields);
    ctx.log.read('PrivacyReport', `${range.from}..${range.to}`, SECTIONS);
    return report;
  }
}
