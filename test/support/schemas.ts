/** The schemas exactly as the gateway composes them (capabilities, guard specs, root guard), without a server. */
import type { GraphQLSchema } from 'graphql';
import { loadPolicies } from '../../src/policy';
import { CAPABILITIES } from '../../src/server/capabilities';
import { buildAudienceSchema, guardSpecsOf } from '../../src/server/schemas';

export function buildStaffSchema(policiesDir = 'policies'): GraphQLSchema {
  return buildAudienceSchema(CAPABILITIES, 'staff', guardSpecsOf(CAPABILITIES, loadPolicies(policiesDir)));
}

export function buildSelfSchema(policiesDir = 'policies'): GraphQLSchema {
  return buildAudienceSchema(CAPABILITIES, 'self', guardSpecsOf(CAPABILITIES, loadPolicies(policiesDir)));
}
