/**
 * The policy layer: policies/ as data, validated at load, turned into one CASL ability per request.
 *
 *   const policies = loadPolicies();                       // at startup; throws PolicyLoadError
 *   purposeAllowedFor(policies, principal, 'billing');     // root guard
 *   const ability = buildAbility(policies, { principal, purpose: 'billing', task });
 *   Customer.find({ $and: [rowFilter(ability, 'read', 'Customer'), callerFilter] });
 *   decide(ability, 'read', 'Customer', doc, 'paymentCard.last4');   // { allowed, reason }
 *
 * See the README, section "Policies".
 */
export type {
  Action,
  AppAbility,
  AppRawRule,
  Category,
  ConsentKeyDef,
  FieldDef,
  LegalBasis,
  PolicySet,
  PurposeDef,
  RoleDef,
  RoleKind,
  RuleDef,
  Scope,
  Sensitivity,
  Subject,
  SubjectType,
  TaskScope,
} from './types';
export { ACTIONS, CATEGORIES, RESTRICTED_CATEGORIES, SUBJECT_TYPES } from './types';
export { PolicyLoadError, UnknownPolicyRefError } from './errors';
export { DEFAULT_POLICY_DIR, loadPolicies } from './loadPolicies';
export { purposeAllowedFor, rolesOf } from './principalRoles';
export { buildAbility, type BuildAbilityInput } from './buildAbility';
export { abilityInfo, type AbilityInfo } from './abilityFactory';
export { decide, type Decision } from './decide';
export { MATCH_NOTHING, rowFilter } from './rowFilter';
export { policyMatrix, MATRIX_ACTIONS, type FieldPermission } from './policyMatrix';
export { childrenOf, customerFields, restrictedFields } from './fieldCatalogue';
export { PLACEHOLDERS } from './placeholders';
export { subject } from './casl';
