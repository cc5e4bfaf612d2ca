/**
 * The policy layer: policies/ as data, validated at load, turned into one CASL ability per request,
 * the one visibility rule, and the field guard every guarded read and write goes through.
 *
 *   const policies = loadPolicies();                       // at startup; throws PolicyLoadError
 *   purposeAllowedFor(policies, principal, 'billing');     // root guard
 *   const ability = buildAbility(policies, { principal, purpose: 'billing', task });
 *   Customer.find({ $and: [visible(ability, 'read', 'Customer'), callerFilter] });
 *   decide(ability, 'read', 'Customer', doc, 'paymentCard.last4');   // { allowed, reason }
 */
export { PolicyLoadError, UnknownPolicyRefError, formatKeyPath } from './errors';
export { DEFAULT_POLICY_DIR, loadPolicies, parseYaml, readYamlFile, zodToLoadError, type YamlFile } from './load';
export { compileRole, childrenOf, customerFields, expandCustomerFields, FieldListProblem, PLACEHOLDERS, restrictedFields } from './compile';
export { abilityInfo, actingRoles, buildAbility, ERASING_FIELD, makeAbility, MATCH_NOTHING, purposeAllowedFor, rolesOf, rowFilter, subject, visible, type AbilityInfo, type BuildAbilityInput } from './ability';
export { decide, MATRIX_ACTIONS, policyMatrix, type Decision, type FieldPermission } from './decide';
export { compileSpecs, encryptedIn, FieldGuard, mergeSpecs, valueAt, type CompiledSpec, type FieldGuardOptions } from './guard';
export { evaluateCase, loadTestTable, testTableSchema, type CaseOutcome, type PolicyTestCase } from './testTable';
export type { RoleFile } from './schemas';
export type { Action, AppAbility, AppRawRule, ConsentKeyDef, FieldDef, PolicySet, PurposeDef, RoleDef, RuleDef, SubjectType, TaskScope } from '../core/policyModel';
export { ACTIONS, CATEGORIES, RESTRICTED_CATEGORIES, SUBJECT_TYPES } from '../core/policyModel';
