/** The GraphQL types of customerStats. */
import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'One group of customers: its values (in groupBy order) and how many customers it holds (at least k).' })
export class StatCell {
  @Field(() => [String], { description: 'The group\'s value per dimension, in groupBy order ("none" where the attribute is not set).' }) values!: string[];
  @Field(() => Int, { description: 'Customers in the group (with PREFERENCE: customers with that preference), never below k.' }) count!: number;
}

@ObjectType({ description: 'Counts of consenting customers by group; groups below k are withheld (docs/analytics.md).' })
export class CustomerStats {
  @Field(() => Int, { description: 'The smallest group shown, for this purpose (policies/purposes.yaml).' }) k!: number;
  @Field(() => Int, { description: 'Groups of customers (same value on every dimension) left out of every answer of this purpose, because some cell they fall in is below k.' }) suppressedCells!: number;
  @Field(() => Int, { description: 'Customers in those groups: counted in no answer of this purpose.' }) suppressedRows!: number;
  @Field(() => [StatCell]) cells!: StatCell[];
}
