/** Rectification's GraphQL: the CorrectionRequest type, and the privacy officer's operations (purpose privacy-request). */
import { Arg, Ctx, Field, GraphQLISODateTime, ID, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import type { Audience, RequestContext } from '../core/context';
import { decideCorrection, listCorrections } from './corrections';
import type { CorrectionRequestDoc } from './model';

@ObjectType({ description: 'A request to correct an identity attribute (fullName, birthDate), decided by the privacy officer.' })
export class CorrectionRequest {
  @Field(() => ID) id!: string;
  @Field(() => ID) customerId!: string;
  @Field(() => String, { description: 'The attribute to correct: fullName or birthDate' }) field!: string;
  @Field(() => String) proposedValue!: string;
  @Field(() => String, { nullable: true }) note?: string | null;
  @Field(() => String, { description: 'PENDING, APPROVED or REJECTED' }) status!: string;
  @Field(() => GraphQLISODateTime) requestedAt!: Date;
  @Field(() => GraphQLISODateTime, { nullable: true }) decidedAt?: Date | null;
  @Field(() => String, { nullable: true, description: 'The role of who decided (e.g. privacy-officer)' }) decidedByRole?: string | null;
  @Field(() => String, { nullable: true, description: 'The staff id of who decided; staff audience only (null for customers)' }) decidedBy?: string | null;
  @Field(() => String, { nullable: true }) decisionNote?: string | null;
}

/** A correction request as an audience may see it: customers get the deciding role, never a staff id. */
export function correctionView(doc: CorrectionRequestDoc, audience: Audience): CorrectionRequest {
  return {
    id: doc._id,
    customerId: doc.customerId,
    field: doc.field,
    proposedValue: doc.proposedValue,
    note: doc.note ?? null,
    status: doc.status,
    requestedAt: doc.requestedAt,
    decidedAt: doc.decidedAt ?? null,
    decidedByRole: doc.decidedBy ? doc.decidedBy.roles.join(', ') : null,
    decidedBy: audience === 'staff' ? (doc.decidedBy?.id ?? null) : null,
    decisionNote: doc.decisionNote ?? null,
  };
}

@Resolver(() => CorrectionRequest)
export class CorrectionStaffResolver {
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
  async approveCorrection(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext, @Arg('note', () => String, { nullable: true }) note?: string): Promise<CorrectionRequest> {
    return correctionView(await decideCorrection(ctx, id, 'APPROVED', note), ctx.audience);
  }

  @Mutation(() => CorrectionRequest, { description: 'Reject a pending correction; nothing changes on the customer.' })
  async rejectCorrection(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext, @Arg('note', () => String, { nullable: true }) note?: string): Promise<CorrectionRequest> {
    return correctionView(await decideCorrection(ctx, id, 'REJECTED', note), ctx.audience);
  }
}
