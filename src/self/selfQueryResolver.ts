import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import { consentHistoryOf, currentConsents } from '../consent/consentLedger';
import { ConsentEvent } from '../consent/consentTypes';
import type { CustomerDoc } from '../customers/customerModel';
import { Consent, Customer } from '../customers/customerTypes';
import { pageSize } from '../customers/cursor';
import { listCorrections } from '../privacy/corrections';
import { CorrectionRequest } from '../privacy/privacyTypes';
import { correctionView } from '../privacy/views';
import type { RequestContext } from '../server/requestContext';
import { accessHistoryPage } from './accessHistory';
import { ownRecord } from './ownRecord';
import { AccessHistoryConnection } from './selfTypes';

/** The customer's own view (/self/graphql, purpose self-service). Every read goes through the policy and the access log. */
@Resolver()
export class SelfQueryResolver {
  @Query(() => Customer, { description: 'Everything the company holds about you (the card shows brand, last 4 and expiry only).' })
  async me(@Ctx() ctx: RequestContext): Promise<CustomerDoc> {
    return ownRecord(ctx);
  }

  @Query(() => [Consent], { description: 'The current state of each consent.' })
  async myConsents(@Ctx() ctx: RequestContext): Promise<Consent[]> {
    const doc = await ownRecord(ctx);
    return ctx.guard.read('Customer', doc, 'consents') ? currentConsents(ctx.app.policies, doc) : [];
  }

  @Query(() => [ConsentEvent], { description: 'Every grant and withdrawal you made (or staff recorded), oldest first.' })
  async myConsentHistory(@Ctx() ctx: RequestContext): Promise<ConsentEvent[]> {
    const doc = await ownRecord(ctx);
    return ctx.guard.read('Customer', doc, 'consents') ? consentHistoryOf(ctx.app.conn, doc._id) : [];
  }

  @Query(() => AccessHistoryConnection, { description: 'Who accessed which of your attributes, for which purpose, when; newest first.' })
  async myAccessHistory(
    @Ctx() ctx: RequestContext,
    @Arg('first', () => Int, { nullable: true, description: '1 to 200; default 50' }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    await ownRecord(ctx);
    return accessHistoryPage(ctx, pageSize(first, 50, 200), after);
  }

  @Query(() => [CorrectionRequest], { description: 'Your correction requests and their outcome, newest first.' })
  async myRequests(@Ctx() ctx: RequestContext): Promise<CorrectionRequest[]> {
    await ownRecord(ctx);
    return (await listCorrections(ctx)).map((d) => correctionView(d, ctx.audience));
  }
}
