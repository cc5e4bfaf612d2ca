import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { GraphQLISODateTime } from 'type-graphql';

@ObjectType({ description: 'A postal address. Each part is guarded on its own (address.street, address.country, ...).' })
export class Address {
  @Field(() => String, { nullable: true }) street?: string | null;
  @Field(() => String, { nullable: true }) city?: string | null;
  @Field(() => String, { nullable: true }) postalCode?: string | null;
  @Field(() => String, { nullable: true, description: 'ISO 3166-1 alpha-2' }) country?: string | null;
}

@ObjectType({ description: 'A payment card as the company may show it: never the number, never a security code.' })
export class PaymentCard {
  @Field(() => String, { nullable: true }) brand?: string | null;
  @Field(() => String, { nullable: true }) last4?: string | null;
  @Field(() => Int, { nullable: true }) expiryMonth?: number | null;
  @Field(() => Int, { nullable: true }) expiryYear?: number | null;
}

@ObjectType({ description: 'Health data (restricted; encrypted at rest).' })
export class Health {
  @Field(() => [String], { nullable: true }) conditions?: string[] | null;
  @Field(() => String, { nullable: true }) notes?: string | null;
}

@ObjectType({ description: 'The current state of one consent.' })
export class Consent {
  @Field(() => String) key!: string;
  @Field(() => Boolean) granted!: boolean;
  @Field(() => GraphQLISODateTime, { nullable: true }) at?: Date | null;
  @Field(() => String, { nullable: true }) source?: string | null;
}

/** The attributes are resolved from the field guard's view of the stored document (see index.ts, CUSTOMER_GUARD). */
@ObjectType({ description: 'A customer. Every attribute except id is nullable: any of them can be denied for the declared purpose.' })
export class Customer {
  @Field(() => ID) id!: string;
  @Field(() => String, { nullable: true }) fullName?: string | null;
  @Field(() => String, { nullable: true }) email?: string | null;
  @Field(() => String, { nullable: true, description: 'E.164' }) phone?: string | null;
  @Field(() => String, { nullable: true, description: 'ISO date' }) birthDate?: string | null;
  @Field(() => Address, { nullable: true }) address?: Address | null;
  @Field(() => Int, { nullable: true, description: 'Derived from birthDate' }) birthYear?: number | null;
  @Field(() => String, { nullable: true }) segment?: string | null;
  @Field(() => String, { nullable: true }) loyaltyTier?: string | null;
  @Field(() => [String], { nullable: true }) preferences?: string[] | null;
  @Field(() => PaymentCard, { nullable: true }) paymentCard?: PaymentCard | null;
  @Field(() => Health, { nullable: true }) health?: Health | null;
  @Field(() => [Consent], { nullable: true }) consents?: Consent[] | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) createdAt?: Date | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) updatedAt?: Date | null;
}

@ObjectType()
export class CustomerEdge {
  @Field(() => String) cursor!: string;
  @Field(() => Customer) node!: Customer;
}

@ObjectType()
export class PageInfo {
  @Field(() => Boolean) hasNextPage!: boolean;
  @Field(() => String, { nullable: true }) endCursor?: string | null;
}

@ObjectType()
export class CustomerConnection {
  @Field(() => [CustomerEdge]) edges!: CustomerEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int, { description: 'Counts only the rows the caller may see.' }) totalCount!: number;
}

@InputType()
export class AddressInput {
  @Field(() => String, { nullable: true }) street?: string | null;
  @Field(() => String, { nullable: true }) city?: string | null;
  @Field(() => String, { nullable: true }) postalCode?: string | null;
  @Field(() => String, { nullable: true, description: 'ISO 3166-1 alpha-2' }) country?: string | null;
}

@InputType()
export class ConsentInput {
  @Field(() => Boolean, { description: 'Must be true: no record is held without it.' }) storage!: boolean;
  @Field(() => [String], { nullable: true, description: 'Consent keys granted besides storage.' }) purposes?: string[] | null;
  @Field(() => String, { nullable: true }) source?: string | null;
}

@InputType()
export class EnrolCustomerInput {
  @Field(() => String) fullName!: string;
  @Field(() => String, { nullable: true }) email?: string | null;
  @Field(() => String, { nullable: true, description: 'E.164, e.g. "+33612345678"' }) phone?: string | null;
  @Field(() => String, { nullable: true, description: 'ISO date, e.g. "1990-04-01"' }) birthDate?: string | null;
  @Field(() => AddressInput, { nullable: true }) address?: AddressInput | null;
  @Field(() => String, { nullable: true }) segment?: string | null;
  @Field(() => [String], { nullable: true }) preferences?: string[] | null;
  @Field(() => ConsentInput) consent!: ConsentInput;
}

@InputType({ description: 'No security code, ever.' })
export class PaymentCardInput {
  @Field(() => String) number!: string;
  @Field(() => Int) expiryMonth!: number;
  @Field(() => Int) expiryYear!: number;
}

@InputType()
export class HealthInput {
  @Field(() => [String], { nullable: true }) conditions?: string[] | null;
  @Field(() => String, { nullable: true }) notes?: string | null;
}

@InputType({ description: 'Each attribute is optional; the update is all or nothing against the write rules.' })
export class UpdateCustomerInput {
  @Field(() => String, { nullable: true }) email?: string | null;
  @Field(() => String, { nullable: true }) phone?: string | null;
  @Field(() => AddressInput, { nullable: true }) address?: AddressInput | null;
  @Field(() => [String], { nullable: true }) preferences?: string[] | null;
  @Field(() => String, { nullable: true }) segment?: string | null;
  @Field(() => String, { nullable: true }) loyaltyTier?: string | null;
  @Field(() => PaymentCardInput, { nullable: true }) paymentCard?: PaymentCardInput | null;
  @Field(() => HealthInput, { nullable: true }) health?: HealthInput | null;
}

@InputType()
export class CustomerFilter {
  @Field(() => String, { nullable: true }) segment?: string | null;
  @Field(() => String, { nullable: true }) country?: string | null;
  @Field(() => String, { nullable: true, description: 'Exact email address (case ignored); needs read on email.' }) email?: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'Words of the full name: matches customers whose name has, for each word given (2 letters or more), a word that starts with it; case and accents ignored.',
  }) search?: string | null;
}
