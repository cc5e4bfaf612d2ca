import { Field, GraphQLISODateTime, ID, InputType, Int, ObjectType } from 'type-graphql';
import { AddressInput } from '../customers/types';

@InputType({ description: 'Contact details a customer changes themselves. Each is optional; null clears it.' })
export class ContactInput {
  @Field(() => String, { nullable: true }) email?: string | null;
  @Field(() => String, { nullable: true, description: 'E.164, e.g. "+33612345678"' }) phone?: string | null;
  @Field(() => AddressInput, { nullable: true }) address?: AddressInput | null;
  @Field(() => [String], { nullable: true }) preferences?: string[] | null;
}

@ObjectType({ description: 'One access to your data: when, why, by which role (or partner), and which attributes. Never a staff member\'s personal id.' })
export class AccessHistoryEntry {
  @Field(() => ID, { description: 'The entry id: ask for its inclusion proof in the transparency log with myRecordProof' }) id!: string;
  @Field(() => GraphQLISODateTime) at!: Date;
  @Field(() => String, { nullable: true }) purpose?: string | null;
  @Field(() => String, { description: 'The role(s) of who accessed (e.g. support-agent), "partner" or "customer" (you)' }) actorRole!: string;
  @Field(() => String, { nullable: true, description: 'The partner company, when a subcontractor accessed' }) partner?: string | null;
  @Field(() => [String]) fieldsRead!: string[];
  @Field(() => [String]) fieldsWritten!: string[];
  @Field(() => String, { description: 'allowed, partial or denied' }) decision!: string;
}

@ObjectType()
export class AccessHistoryEdge {
  @Field(() => String) cursor!: string;
  @Field(() => AccessHistoryEntry) node!: AccessHistoryEntry;
}

@ObjectType()
export class AccessHistoryPageInfo {
  @Field(() => Boolean) hasNextPage!: boolean;
  @Field(() => String, { nullable: true }) endCursor?: string | null;
}

@ObjectType()
export class AccessHistoryConnection {
  @Field(() => [AccessHistoryEdge]) edges!: AccessHistoryEdge[];
  @Field(() => AccessHistoryPageInfo) pageInfo!: AccessHistoryPageInfo;
  @Field(() => Int, { description: "Computed only when selected" }) totalCount!: number;
}
