import type { GraphQLSchema } from 'graphql';
import { buildSchemaSync, type NonEmptyArray } from 'type-graphql';
import { AccessLogResolver } from '../audit/accessLogResolver';
import { customerGuardSpec } from '../customers/customerGuard';
import { CustomerMutationResolver } from '../customers/customerMutationResolver';
import { CustomerFieldResolver, HealthResolver } from '../customers/customerFieldResolvers';
import { CustomerQueryResolver } from '../customers/customerQueryResolver';
import { PolicyMatrixResolver } from '../policy/policyMatrixResolver';
import { PrivacyStaffResolver } from '../privacy/privacyStaffResolver';
import { SELF_SERVICE_RESOLVERS } from '../self';
import { TaskResolver } from '../tasks/taskResolver';
import { VERIFICATION_SELF_RESOLVERS, VERIFICATION_STAFF_RESOLVERS } from '../verification';
import { guardFields } from './guardFields';
import { guardRootOperations } from './rootGuard';

type ResolverClass = Function;

/** The staff audience (`/graphql`): the contract's staff operations. */
export const STAFF_RESOLVERS: ResolverClass[] = [
  CustomerQueryResolver, CustomerMutationResolver, CustomerFieldResolver, HealthResolver, TaskResolver, AccessLogResolver, PolicyMatrixResolver,
  ...VERIFICATION_STAFF_RESOLVERS, PrivacyStaffResolver,
];
/** The customer audience (`/self/graphql`). */
export const SELF_RESOLVERS: ResolverClass[] = [
  ...VERIFICATION_SELF_RESOLVERS, ...SELF_SERVICE_RESOLVERS, CustomerFieldResolver, HealthResolver,
];
/** Self-service root fields that need a login but no purpose. */
export const SELF_AUTH_ONLY: string[] = [];

/** Staff root fields that need a login but no purpose (they touch no customer attribute). */
export const STAFF_AUTH_ONLY = ['Query.myTasks', 'Query.task', 'Query.policyMatrix'];

export interface SchemaOptions {
  /** Wrap customer attributes with the field guard. Default true; the benchmark baseline turns it off. */
  fieldGuard?: boolean;
}

export function buildAudienceSchema(resolvers: ResolverClass[], authOnly: string[], opts: SchemaOptions = {}): GraphQLSchema {
  const base = buildSchemaSync({ resolvers: resolvers as NonEmptyArray<ResolverClass>, validate: false });
  const guarded = guardRootOperations(base, { authOnly });
  return opts.fieldGuard === false ? guarded : guardFields(guarded, customerGuardSpec);
}

export function buildStaffSchema(opts: SchemaOptions = {}): GraphQLSchema {
  return buildAudienceSchema(STAFF_RESOLVERS, STAFF_AUTH_ONLY, opts);
}

export function buildSelfSchema(opts: SchemaOptions = {}): GraphQLSchema {
  return buildAudienceSchema(SELF_RESOLVERS, SELF_AUTH_ONLY, opts);
}
