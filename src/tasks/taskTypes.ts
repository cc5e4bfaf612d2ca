import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { GraphQLISODateTime } from 'type-graphql';

export enum TaskStatusEnum {
  OPEN = 'OPEN',
  CLOSED = 'CLOSED',
}
registerEnumType(TaskStatusEnum, { name: 'TaskStatus' });

@ObjectType({ description: 'A CRM task: the purpose, the customers in scope, who works it, until when.' })
export class Task {
  @Field(() => ID) id!: string;
  @Field(() => String) purpose!: string;
  @Field(() => [ID]) customerIds!: string[];
  @Field(() => [String], { description: 'Staff ids, or partner:<id>' }) assigneeIds!: string[];
  @Field(() => TaskStatusEnum) status!: TaskStatusEnum;
  @Field(() => String) openedBy!: string;
  @Field(() => GraphQLISODateTime) openedAt!: Date;
  @Field(() => GraphQLISODateTime, { nullable: true }) expiresAt?: Date | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) closedAt?: Date | null;
  @Field(() => String, { nullable: true }) note?: string | null;
}

@InputType()
export class OpenTaskInput {
  @Field(() => String) purpose!: string;
  @Field(() => [ID]) customerIds!: string[];
  @Field(() => [String], { description: 'Staff ids, or partner:<id>' }) assigneeIds!: string[];
  @Field(() => String, { nullable: true, description: 'ISO date-time; must be in the future' }) expiresAt?: string | null;
  @Field(() => String, { nullable: true }) note?: string | null;
}
