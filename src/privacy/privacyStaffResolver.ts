import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { CustomerDoc } from '../customers/customerModel';
import { outOfScope } from '../customers/customerQueryResolver';
import { rowFilter, subject } from '../policy';
import type { RequestContext } from '../server/requestContext';
import { decideCorrection, listCorrections } from './corrections';
import { eraseCustomer } from './eraseCustomer';
import { erasureServicesOf } from './erasureServices';
import { CorrectionRequest, ErasureReceipt } from './privacyTypes';
import { checkReason, erasureOf, requestErasure } from './requestErasure';
import { correctionView, erasureReceipt } from './views';

const ID_FORMAT = /^[A-Za-z0-9_-]{1,64}$/;

/** Staff side of customers' rights (privacy-officer, purpose privacy-request, rows: the task's customers). */
@Resolver(() => CorrectionRequest)
export class PrivacyStaffResolver {
  @Query(() => [CorrectionRequest], { description: 'Correction requests of the customers in scope, newest first (privacy-officer, privacy-request).' })
  async correctionRequests(
    @Ctx() ctx: RequestContext,
    @Arg('status', () => String, { nullable: true, description: 'PENDING, APPROVED or REJECTED' }) status?: string,
    @Arg('customerId', () => ID, { nullable: true }) customerId?: string,
  ): Promise<CorrectionRequest[]> {
    const docs = await listCorrections(ctx, { status, customerId });
    return docs.map((d) => correctionView(d, ctx.audience));
  }

  @Mutation(() => CorrectionRequest, { description: 'Approve a pending correction: the change is applied to the customer and the decision recorded.' })
  async approveCorrection(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: RequestContext,
    @Arg('note', () => String, { nullable: true }) note?: string,
  ): Promise<CorrectionRequest> {
    return correctionView(await decideCorrection(ctx, id, 'APPROVED', note), ctx.audience);
  }

  @Mutation(() => CorrectionRequest, { description: 'Reject a pending correction; nothing changes on the customer.' })
  async rejectCorrection(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: RequestContext,
    @Arg('note', () => String, { nullable: true }) note?: string,
  ): Promise<CorrectionRequest> {
    return correctionView(await decideCorrection(ctx, id, 'REJECTED', note), ctx.audience);
  }

  @Mutation(() => ErasureReceipt, {
    description: 'Erase a customer (privacy-officer, privacy-request): the same procedure as leaveProgram. Erasing an erased customer returns its receipt.',
  })
  async eraseCustomer(
    @Arg('id', () => ID) id: string,
    @Arg('reason', () => String, { description: 'Why, without personal data' }) reason: string,
    @Ctx() ctx: RequestContext,
  ): Promise<ErasureReceipt> {
    const why = checkReason(reason);
    if (!ID_FORMAT.test(id)) throw outOfScope(ctx, id);
    const doc = await ctx.app.models.customers
      .findOne({ $and: [rowFilter(ctx.ability, 'erase', 'Customer'), { _id: id }] })
      .lean<CustomerDoc>()
      .exec();
    if (!doc) {
      const done = ctx.ability.can('erase', subject('Customer', { _id: id })) ? await erasureOf(ctx, id) : null;
      if (!done) throw outOfScope(ctx, id);
      // PENDING (interrupted after the document was deleted): join it and complete it now.
      return erasureReceipt(done.status === 'DONE' ? done : await eraseCustomer(erasureServicesOf(ctx.app), id, { reason: done.reason, requestedBy: done.requestedBy }));
    }
    return erasureReceipt(await requestErasure(ctx, doc, why));
  }
}
