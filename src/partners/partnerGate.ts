import type { Principal } from '../auth/principal';
import { logger } from '../logger';
import type { GateCheck } from '../server/buildContext';
import { ErrorCode, SafeError } from '../server/errors';
import type { AgreementStatus } from './agreement';
import type { PartnerRegistry } from './partnerRegistry';

/** The AGREEMENT_INACTIVE error for a refused status (logged by the caller). */
export function agreementInactive(partner: string | undefined, status: Extract<AgreementStatus, { active: false }>): SafeError {
  const why = status.reason === 'missing' ? 'no agreement is on file for this partner' : `the agreement is ${status.reason}`;
  return new SafeError(ErrorCode.AGREEMENT_INACTIVE, `Partner access refused: ${why}`, { partner: partner ?? null, reason: status.reason });
}

/** Log one refused partner request (ids and reasons only). */
export function logInactive(principal: Principal, status: Extract<AgreementStatus, { active: false }>, requestId?: string): void {
  logger.warn('partner request refused: agreement not in force', {
    partner: principal.partner ?? null, actor: principal.id, reason: status.reason, version: status.agreement?.version ?? null, requestId: requestId ?? null,
  });
}

/**
 * The partner audience's admission check, run when each request's context is built: the caller's
 * agreement must be in force now, and (when `servedPartner` is given) be the one this schema was
 * built for. Throws AGREEMENT_INACTIVE, or UNAUTHENTICATED for a token of another partner.
 */
export function partnerGate(registry: PartnerRegistry, servedPartner?: string): GateCheck {
  return (principal) => {
    if (servedPartner !== undefined && principal.partner !== servedPartner) {
      throw new SafeError(ErrorCode.UNAUTHENTICATED, 'Not authenticated: this token belongs to another partner');
    }
    const status = registry.status(principal.partner);
    if (!status.active) {
      logInactive(principal, status);
      throw agreementInactive(principal.partner, status);
    }
  };
}
