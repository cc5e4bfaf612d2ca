import { Field, GraphQLISODateTime, Int, ObjectType } from 'type-graphql';
import { AccessFigures } from './accessTypes';
import { AssetFigures, ConsentFigures, DisposalFigures, ErasureFigures, LogIntegrity, StatusCount } from './recordTypes';

@ObjectType({
  description: 'The privacy officer\'s report over whole UTC days. Roles and counts only: no staff or customer id, name or value. '
    + 'Counts are strings: the number, or "< 5" when it is 1 to 4 (see suppressBelow).',
})
export class PrivacyReport {
  @Field(() => String, { description: 'First day, YYYY-MM-DD (UTC)' }) from!: string;
  @Field(() => String, { description: 'Last day, included' }) to!: string;
  @Field(() => Int) days!: number;
  @Field(() => GraphQLISODateTime) generatedAt!: Date;
  @Field(() => Int, { description: 'Counts from 1 to suppressBelow - 1 are shown as "< suppressBelow"' }) suppressBelow!: number;
  @Field(() => AccessFigures) accesses!: AccessFigures;
  @Field(() => ConsentFigures) consents!: ConsentFigures;
  @Field(() => ErasureFigures) erasures!: ErasureFigures;
  @Field(() => [StatusCount], { description: 'Correction requests made in the range, by status' }) corrections!: StatusCount[];
  @Field(() => DisposalFigures) disposals!: DisposalFigures;
  @Field(() => AssetFigures) assets!: AssetFigures;
  @Field(() => LogIntegrity) integrity!: LogIntegrity;
}
