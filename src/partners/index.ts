/**
 * Subcontractors: agreements (policies/partners/<id>.yaml) that the gateway enforces, and a restricted
 * schema per partner at POST /partner/graphql. See the README, section "For subcontractors".
 *
 *   const registry = PartnerRegistry.load('policies/partners', policies);  // throws PolicyLoadError
 *   registry.status('shipfast');              // { active: true, agreement } | { active: false, reason }
 *   registry.policies;                        // the internal policy + one role per agreement
 *   buildPartnerSchema(staffSchema, agreement);
 */
export type { Agreement, AgreementStatus, InactiveReason } from './agreement';
export { agreementStatus } from './agreement';
export { loadAgreement } from './loadAgreement';
export { PartnerRegistry, type ReloadReport } from './partnerRegistry';
export { agreementRoleFile, partnerRoleId, withPartnerRoles } from './partnerPolicies';
export { buildPartnerSchema } from './partnerSchema';
export { PartnerSchemaCache } from './schemaCache';
export { partnerGate } from './partnerGate';
export { PARTNER_PATH, partnerMount, partnerRoute } from './partnerEndpoint';
export { registryOfServices } from './registryOf';
export { PARTNER_OPERATIONS, TASK_FIELDS } from './operationCatalogue';
