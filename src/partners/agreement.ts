import type { AgreementFile } from './agreementSchema';

export type AgreementAction = 'read' | 'update';
export type AgreementSubject = 'Customer' | 'Task';

/** A validated subcontractor agreement (policies/partners/<id>.yaml). Immutable once loaded. */
export interface Agreement {
  /** Partner id (token claim `partner`). */
  id: string;
  legalName: string;
  version: string;
  signedBy: AgreementFile['agreement']['signedBy'];
  signedAt: Date;
  expiresAt: Date;
  revoked: { at: Date; by: string; reason: string } | null;
  purposes: string[];
  /** subject → action → granted attributes; Customer attributes are expanded to leaf paths. */
  grants: Record<AgreementSubject, Record<AgreementAction, string[]>>;
  /** Root operations of the partner schema, e.g. `Query.customer`. */
  operations: string[];
  commitments: AgreementFile['commitments'];
  incidentContact: AgreementFile['incidentContact'];
  restrictedApprovedBy: string | null;
  /** sha256 over purposes, grants and operations: what shapes the partner's schema and rules. */
  termsHash: string;
  /** The file it came from (for messages). */
  file: string;
}

export type InactiveReason = 'missing' | 'revoked' | 'expired' | 'not yet in force';

export type AgreementStatus =
  | { active: true; agreement: Agreement }
  | { active: false; reason: InactiveReason; agreement: Agreement | null };

/** Whether an agreement is in force at `now`: signed, not expired, not revoked. */
export function agreementStatus(agreement: Agreement | undefined | null, now: Date = new Date()): AgreementStatus {
  if (!agreement) return { active: false, reason: 'missing', agreement: null };
  if (agreement.revoked && agreement.revoked.at.getTime() <= now.getTime()) return { active: false, reason: 'revoked', agreement };
  if (agreement.expiresAt.getTime() <= now.getTime()) return { active: false, reason: 'expired', agreement };
  if (agreement.signedAt.getTime() > now.getTime()) return { active: false, reason: 'not yet in force', agreement };
  return { active: true, agreement };
}
