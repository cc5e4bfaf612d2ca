/** Erasure's GraphQL: the receipt types, and the privacy officer's eraseCustomer (purpose privacy-request). */
import { Arg, Ctx, Field, GraphQLISODateTime, ID, Int, Mutation, ObjectType, Resolver } from 'type-graphql';
import type { RequestContext } from '../core/context';
import { isId } from '../core/ids';
import { findVisible, outOfScope } from '../customers';
import { subject } from '../policy';
import type { ErasureDoc } from './model';
import { eraseCustomer, erasureServicesOf } from './procedure';
import { checkReason, erasureOf, requestErasure } from './request';

@ObjectType({ description: 'How many records one store lost in an erasure step.' })
export class ErasureCount {
  @Field(() => String) store!: string;
  @Field(() => Int) count!: number;
}

@ObjectType({ description: 'One completed step of an erasure.' })
export class ErasureStep {
  @Field(() => String) name!: string;
  @Field(() => GraphQLISODateTime) doneAt!: Date;
  @Field(() => Int, { description: 'Records removed (or data keys destroyed, or tasks updated) by this step' }) count!: number;
  @Field(() => [ErasureCount], { description: 'Per-store counts, for a step covering several stores' }) detail!: ErasureCount[];
}

@ObjectType({ description: 'Proof of an erasure, without personal data: an opaque reference, when, why, who asked, and the steps done.' })
export class ErasureReceipt {
  @Field(() => String, { description: 'HMAC-SHA256 of the customer id with a server key: proves the erasure without keeping the id' }) reference!: string;
  @Field(() => String, { description: 'DONE, or PENDING if it was interrupted (it is completed at the next start or by npm run erasure:resume)' }) status!: string;
  @Field(() => GraphQLISODateTime) requestedAt!: Date;
  @Field(() => GraphQLISODateTime, { nullable: true }) completedAt?: Date | null;
  @Field(() => String, { description: 'customer, retention, or the role of the staff member who asked' }) requestedBy!: string;
  @Field(() => String) reason!: string;
  @Field(() => [ErasureStep]) steps!: ErasureStep[];
}

/** The receipt of an erasure record (it never holds the customer id). */
export function erasureReceipt(doc: ErasureDoc): ErasureReceipt {
  return {
    reference: doc._id,
    status: doc.status,
    requestedAt: doc.requestedAt,
    completedAt: doc.completedAt ?? null,
    requestedBy: doc.requestedBy,
    reason: doc.reason,
    steps: doc.steps.map((s) => ({ name: s.name, doneAt: s.doneAt, count: s.count, detail: s.detail ?? [] })),
  };
}

@Resolver()
export class ErasureStaffResolver {
  @Mutation(() => ErasureReceipt, {
    description: 'Erase a customer (privacy-officer, privacy-request): the same procedure as leaveProgram. Erasing an erased customer returns its receipt.',
  })
  async eraseCustomer(
    @Arg('id', () => ID) id: string,
    @Arg('reason', () => String, { description: 'Why, without personal data' }) reason: string,
    @Ctx() ctx: RequestContext,
  ): Promise<ErasureReceipt> {
    const why = checkReason(reason);
    if (!isId(id)) throw outOfScope(ctx, id);
    const doc = await findVisible(ctx, id, 'erase');
    if (!doc) {
      const done = ctx.ability.can('erase', subject('Customer', { _id: id })) ? await erasureOf(ctx, id) : null;
      if (!done) throw outOfScope(ctx, id);
      // PENDING (interrupted after the document was deleted, or marked): join it and complete it now.
      return erasureReceipt(done.status === 'DONE' ? done : await eraseCustomer(erasureServicesOf(ctx.services), id, { reason: done.reason, requestedBy: done.requestedBy }));
    }
    return erasureReceipt(await requestErasure(ctx, doc, why));
  }
}
