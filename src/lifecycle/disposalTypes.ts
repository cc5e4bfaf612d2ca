/** The retention schedule's and the disposal runs' GraphQL types (CONTRACT.md "Records lifecycle"). */
import { Field, GraphQLISODateTime, ID, Int, ObjectType } from 'type-graphql';
import { PageInfo } from '../customers/types';

@ObjectType({ description: 'A rule of policies/retention.yaml.' })
export class RetentionRule {
  @Field(() => ID) id!: string;
  @Field(() => String) data!: string;
  @Field(() => String, { description: 'ISO 8601 duration, e.g. P3Y' }) keepFor!: string;
  @Field(() => String) after!: string;
  @Field(() => String, { description: 'erase, delete or prune' }) action!: string;
  @Field(() => String) legalBasis!: string;
  @Field(() => String) reason!: string;
}

@ObjectType({ description: 'What one retention rule disposed of in a run (or would have, in a dry run).' })
export class DisposalItem {
  @Field(() => String) rule!: string;
  @Field(() => String) data!: string;
  @Field(() => String) action!: string;
  @Field(() => Int) count!: number;
}

@ObjectType({ description: 'One run of the disposal job: counts per rule, no personal data.' })
export class DisposalRun {
  @Field(() => ID) id!: string;
  @Field(() => GraphQLISODateTime) startedAt!: Date;
  @Field(() => GraphQLISODateTime, { nullable: true }) finishedAt?: Date | null;
  @Field(() => Boolean) dryRun!: boolean;
  @Field(() => String, { description: 'RUNNING, DONE or FAILED' }) status!: string;
  @Field(() => [DisposalItem]) items!: DisposalItem[];
}

@ObjectType()
export class DisposalRunEdge {
  @Field(() => String) cursor!: string;
  @Field(() => DisposalRun) node!: DisposalRun;
}

@ObjectType()
export class DisposalRunConnection {
  @Field(() => [DisposalRunEdge]) edges!: DisposalRunEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}
