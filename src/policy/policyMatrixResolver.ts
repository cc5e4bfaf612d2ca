import { Arg, Ctx, Field, ObjectType, Query, Resolver } from 'type-graphql';
import { InputError } from '../server/errors';
import type { RequestContext } from '../server/requestContext';
import { policyMatrix } from './policyMatrix';

@ObjectType({ description: 'Whether a role may perform an action on a customer attribute under a purpose, and why.' })
export class FieldPermission {
  @Field(() => String) field!: string;
  @Field(() => String) action!: string;
  @Field(() => Boolean) allowed!: boolean;
  @Field(() => String) reason!: string;
}

@Resolver()
export class PolicyMatrixResolver {
  @Query(() => [FieldPermission], { description: 'The policy, field by field, for a role and purpose (no customer data).' })
  policyMatrix(
    @Arg('role', () => String) role: string,
    @Arg('purpose', () => String) purpose: string,
    @Ctx() ctx: RequestContext,
  ): FieldPermission[] {
    const { policies } = ctx.app;
    if (!policies.roles.has(role)) throw new InputError('role', 'must be a role defined in policies/roles');
    if (!policies.purposes.has(purpose)) throw new InputError('purpose', 'must be a purpose of policies/purposes.yaml');
    return policyMatrix(policies, role, purpose);
  }
}
