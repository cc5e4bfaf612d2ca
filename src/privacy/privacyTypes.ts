import { Field, GraphQLISODateTime, ID, Int, ObjectType } from 'type-graphql';

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
  @Field(() => String, { description: 'customer, or the role of the staff member who asked' }) requestedBy!: string;
  @Field(() => String) reason!: string;
  @Field(() => [ErasureStep]) steps!: ErasureStep[];
}
