/**
 * Subcontractors: agreements (policies/partners/<id>.yaml) that the gateway enforces, and a schema
 * per partner at POST /partner/graphql, cut from the guarded staff schema. The token is verified
 * once, at the edge; the agreement is checked once, here (`admit`); refusals are recorded like
 * every other denial.
 */
import type { Capability } from '../core/capability';
import type { AppServices, Principal } from '../core/context';
import { ErrorCode, SafeError } from '../core/errors';
import { logger } from '../logger';
import { mergeSpecs } from '../policy';
import type { AgreementStatus } from './agreement';
import { registryOf, startRegistry } from './registry';
import { buildPartnerSchema, partnerSchemaKey } from './schema';

/** The AGREEMENT_INACTIVE error for a refused status. */
export function agreementInactive(partner: string | undefined, status: Extract<AgreementStatus, { active: false }>): SafeError {
  const why = status.reason === 'missing' ? 'no agreement is on file for this partner' : `the agreement is ${status.reason}`;
  return new SafeError(ErrorCode.AGREEMENT_INACTIVE, `Partner access refused: ${why}`, { partner: partner ?? null, reason: status.reason });
}

function activeAgreement(principal: Principal, services: AppServices) {
  const status = registryOf(services).status(principal.partner);
  if (!status.active) {
    logger.warn('partner request refused: agreement not in force', {
      partner: principal.partner ?? null, actor: principal.id, reason: status.reason, version: status.agreement?.version ?? null,
    });
    throw agreementInactive(principal.partner, status);
  }
  return status.agreement;
}

export const partnersCapability: Capability = {
  name: 'partners',
  audiences: [
    {
      audience: 'partner',
      base: 'staff',
      graphiqlPurpose: 'order-fulfilment',
      admit: (principal, services) => {
        activeAgreement(principal, services);
      },
      schemaFor: (principal, base, services) => {
        const agreement = activeAgreement(principal, services);
        const customerGuard = mergeSpecs(services.capabilities.flatMap((c) => c.guards ?? [])).find((s) => s.root === 'Customer')!;
        return { key: partnerSchemaKey(agreement), build: () => buildPartnerSchema(base, agreement, customerGuard) };
      },
    },
  ],
  // Loads the agreements (a bad one: refuse to start) and from then on serves the policy set with the partner roles.
  start: async (services) => {
    startRegistry(services);
  },
  stop: async (services) => {
    registryOf(services).close();
  },
};

export { agreementStatus, type Agreement, type AgreementStatus, type InactiveReason } from './agreement';
export { loadAgreement, PARTNER_OPERATIONS, TASK_FIELDS } from './loadAgreement';
export { agreementRoleFile, PartnerRegistry, partnerRoleId, registryOf, withPartnerRoles, type ReloadReport } from './registry';
export { buildPartnerSchema, partnerSchemaKey } from './schema';

/** The partner audience's path. */
export const PARTNER_PATH = '/partner/graphql';
