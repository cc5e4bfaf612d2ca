/** The GraphQL types of the report's access-log section. Every count is a string (see counts.ts). */
import { Field, ObjectType } from 'type-graphql';

const COUNT = { description: 'A count: digits, or "< 5" for 1 to 4' };

@ObjectType({ description: 'Access-log entries (one per subject touched) of one purpose on one UTC day, by decision.' })
export class PurposeDayCount {
  @Field(() => String, { description: 'YYYY-MM-DD (UTC)' }) day!: string;
  @Field(() => String, { description: 'The declared purpose, or "(refused)" for requests refused before a purpose was accepted' }) purpose!: string;
  @Field(() => String, COUNT) allowed!: string;
  @Field(() => String, COUNT) partial!: string;
  @Field(() => String, COUNT) denied!: string;
  @Field(() => String, COUNT) total!: string;
}

@ObjectType({ description: 'Access-log entries of one purpose over the whole range, by decision.' })
export class PurposeTotal {
  @Field(() => String) purpose!: string;
  @Field(() => String, COUNT) allowed!: string;
  @Field(() => String, COUNT) partial!: string;
  @Field(() => String, COUNT) denied!: string;
  @Field(() => String, COUNT) total!: string;
}

@ObjectType({ description: 'Denied entries by error code (FORBIDDEN_FIELD: refused field by field, no operation code).' })
export class CodeCount {
  @Field(() => String) code!: string;
  @Field(() => String, COUNT) count!: string;
}

@ObjectType({ description: 'What the holders of one role did: counts only, never who.' })
export class RoleActivity {
  @Field(() => String, { description: 'A staff role, or the principal kind (customer, partner, anonymous) when it has none' }) role!: string;
  @Field(() => String, { description: 'Distinct principals with this role in the range (a count)' }) actors!: string;
  @Field(() => String, COUNT) accesses!: string;
  @Field(() => [String], { description: 'Accesses of the busiest principals of the role, highest first (at most 5, no ids)' }) busiest!: string[];
}

@ObjectType({ description: 'Customer attributes read, by category of policies/fields.yaml (one per attribute per subject).' })
export class CategoryCount {
  @Field(() => String, { description: 'identity, contact, commercial, financial, health, consent, system; "id" for the customer id alone' }) category!: string;
  @Field(() => String, COUNT) reads!: string;
}

@ObjectType()
export class AccessFigures {
  @Field(() => String, { description: 'Requests recorded (one access-log document each; write intents not counted)' }) requests!: string;
  @Field(() => String, { description: 'Entries: one per subject per request' }) entries!: string;
  @Field(() => [PurposeTotal]) byPurpose!: PurposeTotal[];
  @Field(() => [PurposeDayCount], { description: 'Days with at least one entry, oldest first' }) byPurposeDay!: PurposeDayCount[];
  @Field(() => [CodeCount]) denialsByCode!: CodeCount[];
  @Field(() => [RoleActivity]) byRole!: RoleActivity[];
  @Field(() => [CategoryCount]) fieldsReadByCategory!: CategoryCount[];
}
