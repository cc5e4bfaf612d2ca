/** The GraphQL type of an inclusion proof (CONTRACT.md "Transparency log"). */
import { Field, ID, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'An RFC 6962 inclusion proof of one record in a signed checkpoint of the transparency log.' })
export class InclusionProof {
  @Field(() => ID, { description: 'The record (an access-log entry id, or <kind>:<id>)' }) recordId!: string;
  @Field(() => Int, { description: 'Its leaf index in the tree' }) leafIndex!: number;
  @Field(() => Int, { description: 'The size of the signed tree the proof is for' }) treeSize!: number;
  @Field(() => String, { description: 'Base64 of the leaf hash: SHA-256(0x00 ‖ canonical record bytes)' }) leafHash!: string;
  @Field(() => [String], { description: 'The audit path, bottom-up, base64' }) hashes!: string[];
  @Field(() => String, { description: 'The signed checkpoint (C2SP signed note) at treeSize' }) checkpoint!: string;
}
