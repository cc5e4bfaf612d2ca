import { Field, ID, Int, ObjectType } from 'type-graphql';
import { GraphQLISODateTime } from 'type-graphql';

@ObjectType()
export class Actor {
  @Field(() => String) kind!: string;
  @Field(() => String) id!: string;
  @Field(() => [String]) roles!: string[];
  @Field(() => String, { nullable: true }) partner?: string | null;
}

@ObjectType({ description: 'Who touched which attributes of one subject, why, and the outcome. Names only, never values.' })
export class AccessLogEntry {
  @Field(() => ID) id!: string;
  @Field(() => GraphQLISODateTime) at!: Date;
  @Field(() => String) requestId!: string;
  @Field(() => Actor) actor!: Actor;
  @Field(() => String, { nullable: true }) purpose?: string | null;
  @Field(() => String, { nullable: true }) taskId?: string | null;
  @Field(() => String, { nullable: true }) operationName?: string | null;
  @Field(() => String) subjectType!: string;
  @Field(() => String, { nullable: true }) subjectId?: string | null;
  @Field(() => [String]) fieldsRead!: string[];
  @Field(() => [String]) fieldsDenied!: string[];
  @Field(() => [String]) fieldsWritten!: string[];
  @Field(() => String, { description: 'allowed, partial or denied' }) decision!: string;
  @Field(() => String, { nullable: true, description: 'The error code of an operation-level denial' }) code?: string | null;
  @Field(() => String, { nullable: true, description: 'The policy reason of a denial' }) reason?: string | null;
}

@ObjectType()
export class AccessLogEdge {
  @Field(() => String) cursor!: string;
  @Field(() => AccessLogEntry) node!: AccessLogEntry;
}

@ObjectType()
export class AccessLogPageInfo {
  @Field(() => Boolean) hasNextPage!: boolean;
  @Field(() => String, { nullable: true }) endCursor?: string | null;
}

@ObjectType()
export class AccessLogConnection {
  @Field(() => [AccessLogEdge]) edges!: AccessLogEdge[];
  @Field(() => AccessLogPageInfo) pageInfo!: AccessLogPageInfo;
  @Field(() => Int) totalCount!: number;
}
