import { Field, GraphQLISODateTime, ObjectType } from 'type-graphql';

@ObjectType({ description: 'One grant or withdrawal in the consent ledger (append-only).' })
export class ConsentEvent {
  @Field(() => String) key!: string;
  @Field(() => Boolean) granted!: boolean;
  @Field(() => GraphQLISODateTime) at!: Date;
  @Field(() => String, { description: 'self-service, staff or import' }) source!: string;
  @Field(() => String, { description: 'Version of the consent text the customer agreed to (or withdrew from)' }) textVersion!: string;
}
