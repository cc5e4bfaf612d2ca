import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { CustomerDoc } from '../customers/customerModel';
import { Customer } from '../customers/customerTypes';
import type { RequestContext } from '../server/requestContext';
import { normaliseVerification, type StoredVerificationState } from './verificationState';
import { Verification, VerificationState } from './verificationTypes';

/** Customer.verification: every item, UNVERIFIED where nothing is stored. Runs only after the field guard allowed it. */
@Resolver(() => Customer)
export class CustomerVerificationResolver {
  @FieldResolver(() => Verification, { nullable: true })
  verification(@Root() c: CustomerDoc): Verification {
    return normaliseVerification(c.verification) as Verification;
  }
}

/** `by`: customers see "staff" rather than a staff member's personal id. */
@Resolver(() => VerificationState)
export class VerificationStateResolver {
  @FieldResolver(() => String, { nullable: true })
  by(@Root() s: StoredVerificationState, @Ctx() ctx: RequestContext): string | null {
    if (!s.by) return null;
    if (s.byKind === 'customer') return 'customer';
    if (ctx.audience === 'self' && s.byKind !== 'system') return s.byKind ?? 'staff';
    return s.by;
  }
}
