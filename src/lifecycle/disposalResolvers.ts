/** The retention schedule and the disposal runs over GraphQL: the records manager runs them; the privacy officer reads. */
import { Arg, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../core/context';
import { ErrorCode, SafeError } from '../core/errors';
import { afterPosition, openCursor, pageSize, toPage } from '../core/pagination';
import { disposalRunModel, type DisposalRunDoc } from './disposal/model';
import { DisposalBusy, runDisposal } from './disposal/run';
import { disposalServicesOf, scheduleOf } from './services';
import { DisposalRun, DisposalRunConnection, RetentionRule } from './types';
import { allow, runView } from './views';

@Resolver()
export class DisposalResolver {
  @Query(() => [RetentionRule], { description: 'policies/retention.yaml, as the disposal job applies it.' })
  retentionSchedule(@Ctx() ctx: RequestContext): RetentionRule[] {
    allow(ctx, 'read', 'DisposalRecord');
    ctx.log.read('DisposalRecord', 'retention-schedule', ['rules']);
    return scheduleOf(ctx.services).rules.map((r) => ({ id: r.id, data: r.data, keepFor: r.keepFor.text, after: r.after, action: r.action, legalBasis: r.legalBasis, reason: r.reason }));
  }

  @Query(() => DisposalRunConnection, { description: 'Disposal runs, newest first.' })
  async disposalRuns(
    @Ctx() ctx: RequestContext,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    allow(ctx, 'read', 'DisposalRecord');
    const limit = pageSize(first, 20, 200);
    const position = after != null ? openCursor(ctx.services.config, 'disposalRuns', after, ['number', 'string']) : null;
    const toDb = (field: string, v: string | number) => (field === 'startedAt' ? new Date(v) : v);
    const filter = position ? afterPosition([['startedAt', -1], ['_id', -1]], position, toDb) : {};
    const docs = await disposalRunModel(ctx.services.conn).find(filter).sort({ startedAt: -1, _id: -1 }).limit(limit + 1).lean<DisposalRunDoc[]>().exec();
    for (const d of docs.slice(0, limit)) ctx.log.read('DisposalRecord', d._id, ['run']);
    return toPage(ctx.services.config, 'disposalRuns', docs, limit, (d) => [d.startedAt.getTime(), d._id], runView);
  }

  @Mutation(() => DisposalRun, { description: 'Apply the retention schedule now (a run interrupted earlier is completed first). dryRun: count only.' })
  async runDisposal(@Ctx() ctx: RequestContext, @Arg('dryRun', () => Boolean, { nullable: true, defaultValue: false }) dryRun?: boolean): Promise<DisposalRun> {
    allow(ctx, 'create', 'DisposalRecord', 'new');
    const svc = disposalServicesOf(ctx.services);
    try {
      const { run } = await ctx.log.commit([{ subjectType: 'DisposalRecord', subjectId: null, fields: ['run'] }], () => runDisposal(svc, { dryRun: dryRun ?? false }));
      return runView(run);
    } catch (err) {
      if (err instanceof DisposalBusy) throw new SafeError(ErrorCode.BAD_USER_INPUT, `${err.message}; try again when it has finished`, { rule: 'one disposal run at a time' });
      throw err;
    }
  }
}
