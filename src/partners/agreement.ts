/**
 * A subcontractor agreement (policies/partners/<partner-id>.yaml): the file's shape (zod; objects
 * are strict, a misspelt key is an error), the validated agreement, and whether it is in force.
 */
import { z } from 'zod';

/**
 * zod schema of a subcontractor agreement file, `policies/partners/<partner-id>.yaml` (the shape only;
 * the loader checks it against the internal policy). Objects are strict: a misspelt key is an error.
 */

const id = z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be lower-case words joined by "-"');
const text = z.string().trim().min(1, 'must not be empty');
/** `2025-01-15` (midnight UTC) or a full ISO date-time. YAML may hand us a Date already. */
const instant = z.union([
  z.date(),
  z.string().regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/, 'must be an ISO date (YYYY-MM-DD) or date-time'),
]).transform((v, ctx) => {
  const d = v instanceof Date ? v : new Date(v.length === 10 ? `${v}T00:00:00Z` : v);
  if (Number.isNaN(d.getTime())) {
    ctx.addIssue({ code: 'custom', message: 'is not a valid date' });
    return z.NEVER;
  }
  return d;
});

/** Actions an agreement may grant on a subject. */
export const AGREEMENT_ACTIONS = ['read', 'update'] as const;
/** Subjects an agreement may grant fields of. */
export const AGREEMENT_SUBJECTS = ['Customer', 'Task'] as const;

const fieldList = z.array(z.string().min(1)).min(1);
const grants = z.strictObject({ read: fieldList.optional(), update: fieldList.optional() });

export const agreementFileSchema = z.strictObject({
  /** The partner id: the token claim `partner`; must equal the file name. */
  partner: id,
  legalName: text,
  agreement: z.strictObject({
    /** Bump it whenever purposes, fields or operations change; the partner schema is built once per version. */
    version: z.union([text, z.number().transform(String)]),
    signedBy: z.array(z.strictObject({ name: text, title: text, party: z.enum(['partner', 'company']) })).min(2),
    signedAt: instant,
    /** The agreement is in force from signedAt until this instant (a bare date: midnight UTC). */
    expiresAt: instant,
    /** Present once the agreement is revoked: every request of the partner is then refused. */
    revoked: z.strictObject({ at: instant, by: text, reason: text }).optional(),
  }),
  /** Purposes the partner may act for; each must require a task. */
  purposes: z.array(id).min(1),
  /** Per subject, per action, the attributes granted (explicit names; no wildcards). */
  fields: z.strictObject({ Customer: grants.optional(), Task: grants.optional() }),
  /** Root operations of the partner's schema, e.g. `Query.customer`. */
  operations: z.array(z.string().regex(/^(Query|Mutation)\.[A-Za-z][A-Za-z0-9]*$/, 'must look like Query.<field> or Mutation.<field>')).min(1),
  commitments: z.strictObject({
    /** File next to the agreement holding the signed text. */
    document: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be a file name in the same folder'),
    /** sha256 (hex) of the signed text; checked at every load. */
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits'),
    /** The commitments in short, for reviewers. */
    summary: z.array(text).min(1),
  }),
  incidentContact: z.strictObject({ name: text, email: z.string().regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'must be an email address'), phone: text.optional() }),
  /** Who approved granting restricted categories (financial, health); required when any is granted. */
  restrictedApprovedBy: text.optional(),
});

export type AgreementFile = z.output<typeof agreementFileSchema>;

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
