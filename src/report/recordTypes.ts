/** The GraphQL types of the report's other sections: consents, requests, lifecycle, integrity. */
import { Field, Float, GraphQLISODateTime, Int, ObjectType } from 'type-graphql';

const COUNT = { description: 'A count: digits, or "< 5" for 1 to 4' };

@ObjectType()
export class ConsentKeyCount {
  @Field(() => String) key!: string;
  @Field(() => String, COUNT) granted!: string;
  @Field(() => String, COUNT) withdrawn!: string;
}

@ObjectType()
export class ConsentDayCount {
  @Field(() => String, { description: 'YYYY-MM-DD (UTC)' }) day!: string;
  @Field(() => String, COUNT) granted!: string;
  @Field(() => String, COUNT) withdrawn!: string;
}

@ObjectType({ description: 'Grants and withdrawals in the consent ledger.' })
export class ConsentFigures {
  @Field(() => [ConsentKeyCount]) byKey!: ConsentKeyCount[];
  @Field(() => [ConsentDayCount], { description: 'Days with at least one change, oldest first' }) byDay!: ConsentDayCount[];
}

@ObjectType({ description: 'Erasures requested in the range, and where they are now.' })
export class ErasureFigures {
  @Field(() => String, COUNT) requested!: string;
  @Field(() => String, COUNT) completed!: string;
  @Field(() => String, COUNT) pending!: string;
  @Field(() => Float, { nullable: true, description: 'Median seconds from request to completion of the completed ones; null when none' })
  medianSecondsToComplete!: number | null;
}

@ObjectType()
export class StatusCount {
  @Field(() => String) status!: string;
  @Field(() => String, COUNT) count!: string;
}

@ObjectType({ description: 'Records disposed of by one retention rule (dry runs excluded).' })
export class DisposalRuleCount {
  @Field(() => String) rule!: string;
  @Field(() => String) data!: string;
  @Field(() => String) action!: string;
  @Field(() => String, { description: 'Runs that applied the rule (a count)' }) runs!: string;
  @Field(() => String, { description: 'Records disposed of (a count)' }) records!: string;
}

@ObjectType({ description: 'Disposal runs started in the range.' })
export class DisposalFigures {
  @Field(() => String, COUNT) runs!: string;
  @Field(() => String, COUNT) dryRuns!: string;
  @Field(() => [StatusCount]) byStatus!: StatusCount[];
  @Field(() => [DisposalRuleCount]) items!: DisposalRuleCount[];
}

@ObjectType()
export class AssetKindStatus {
  @Field(() => String) kind!: string;
  @Field(() => String) status!: string;
  @Field(() => String, COUNT) count!: string;
}

@ObjectType()
export class MethodCount {
  @Field(() => String) method!: string;
  @Field(() => String, COUNT) count!: string;
}

@ObjectType({ description: 'Storage assets registered by the end of the range, by current status; sanitization certificates of the range.' })
export class AssetFigures {
  @Field(() => [StatusCount]) byStatus!: StatusCount[];
  @Field(() => [AssetKindStatus]) byKindStatus!: AssetKindStatus[];
  @Field(() => [MethodCount], { description: 'Certificates by sanitization method, performed in the range' }) sanitizedByMethod!: MethodCount[];
}

@ObjectType({ description: 'The transparency log: its latest checkpoint and verification (whenever they were).' })
export class LogIntegrity {
  @Field(() => String, { description: 'VERIFIED (the last verification passed), FAILED, or UNVERIFIED (none yet)' }) status!: string;
  @Field(() => Int, { nullable: true }) treeSize!: number | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) lastCheckpointAt!: Date | null;
  @Field(() => String, { nullable: true, description: 'Root hash of the last checkpoint (base64)' }) lastCheckpointRoot!: string | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) lastVerificationAt!: Date | null;
  @Field(() => Boolean, { nullable: true }) lastVerificationOk!: boolean | null;
  @Field(() => Int, { nullable: true, description: 'Tree size the last verification covered' }) lastVerificationTreeSize!: number | null;
  @Field(() => String, { nullable: true }) lastVerificationFailure!: string | null;
  @Field(() => String, { description: 'Verifications run in the range (a count)' }) verifications!: string;
  @Field(() => String, { description: 'Of those, failed (a count)' }) failedVerifications!: string;
}
