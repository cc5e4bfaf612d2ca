import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { GraphQLISODateTime } from 'type-graphql';

/** What a one-time code confirms. */
export enum VerificationChannel {
  EMAIL = 'email',
  PHONE = 'phone',
}
registerEnumType(VerificationChannel, { name: 'VerificationChannel', description: 'A contact channel confirmed by a one-time code.' });

export enum VerificationStatus {
  UNVERIFIED = 'UNVERIFIED',
  /** A code was sent and not yet confirmed. */
  PENDING = 'PENDING',
  VERIFIED = 'VERIFIED',
}
registerEnumType(VerificationStatus, { name: 'VerificationStatus' });

@ObjectType({ description: 'The verification of one thing (identity, email or phone): status, method, when and by whom.' })
export class VerificationState {
  @Field(() => VerificationStatus) status!: VerificationStatus;
  @Field(() => String, { nullable: true, description: 'one-time-code, or an identity method such as id-document' }) method?: string | null;
  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When the status last changed' }) at?: Date | null;
  @Field(() => String, { nullable: true, description: 'Who: the staff id, or "customer" (customers see "staff" for staff)' }) by?: string | null;
  @Field(() => String, { nullable: true, description: 'Identity only: a reference to the evidence (never the document)' }) evidenceRef?: string | null;
}

@ObjectType({ description: 'What is verified about a customer.' })
export class Verification {
  @Field(() => VerificationState) identity!: VerificationState;
  @Field(() => VerificationState) email!: VerificationState;
  @Field(() => VerificationState) phone!: VerificationState;
}

@ObjectType({ description: 'A one-time code was sent through the outbox. Neither the code nor the address is returned.' })
export class VerificationStarted {
  @Field(() => VerificationChannel) channel!: VerificationChannel;
  @Field(() => GraphQLISODateTime) expiresAt!: Date;
  @Field(() => Int) attemptsAllowed!: number;
}
