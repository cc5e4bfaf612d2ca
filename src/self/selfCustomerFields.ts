import { FieldResolver, ID, Int, Resolver, Root } from 'type-graphql';
import type { CustomerDoc } from '../customers/customerModel';
import { Customer } from '../customers/customerTypes';

/** Customer's computed fields in the self-service schema (the staff schema has its own in CustomerQueryResolver). */
@Resolver(() => Customer)
export class SelfCustomerFieldResolver {
  @FieldResolver(() => ID)
  id(@Root() c: CustomerDoc): string {
    return c._id;
  }

  @FieldResolver(() => Int, { nullable: true })
  birthYear(@Root() c: CustomerDoc): number | null {
    return c.birthDate ? Number(c.birthDate.slice(0, 4)) : null;
  }
}
