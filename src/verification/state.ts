/**
 * What is verified about a customer (`customers.verification`: identity, email, phone), its GraphQL
 * types, and the identity check.
 */
import { Field, GraphQLISODateTime, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { Audience, RequestContext } from '../core/context';
import { InputError } from '../core/errors';
import { writeCustomer, type StoredCustomer } from '../customers';

/** Methods a verification officer may record for an identity check. */
export const IDENTITY_METHODS = ['id-document', 'in-person', 'video-call', 'electronic-id', 'bank-reference'] as const;

/** What a one-time code confirms. */
export enum VerificationChannel {
  EMAIL = 'email',
  PHONE = 'phone',
}
registerEnumType(VerificationChannel, { name: 'VerificationChannel', description: 'A contact channel confirmed by a one-time code.' });

export enum VerificationStatus {
  UNVERIFIED = 'UNVERIFIED',
  /** A code was sent and not yet confirmed. */
  PENDING = 'PENDING',
  VERIFIED = 'VERIFIED',
}
registerEnumType(VerificationStatus, { name: 'VerificationStatus' });

@ObjectType({ description: 'The verification of one thing (identity, email or phone): status, method, when and by whom.' })
export class VerificationState {
  @Field(() => VerificationStatus) status!: VerificationStatus;
  @Field(() => String, { nullable: true, description: 'one-time-code, or an identity method such as id-document' }) method?: string | null;
  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When the status last changed' }) at?: Date | null;
  @Field(() => String, { nullable: true, description: 'Who: the staff id, or "customer" (customers see "staff" for staff)' }) by?: string | null;
  @Field(() => String, { nullable: true, description: 'Identity only: a reference to the evidence (never the document)' }) evidenceRef?: string | null;
}

@ObjectType({ description: 'What is verified about a customer.' })
export class Verification {
  @Field(() => VerificationState) identity!: VerificationState;
  @Field(() => VerificationState) email!: VerificationState;
  @Field(() => VerificationState) phone!: VerificationState;
}

@ObjectType({ description: 'A one-time code was sent through the outbox. Neither the code nor the address is returned.' })
export class VerificationStarted {
  @Field(() => VerificationChannel) channel!: VerificationChannel;
  @Field(() => GraphQLISODateTime) expiresAt!: Date;
  @Field(() => Int) attemptsAllowed!: number;
}

/** Who changed a verification state. */
export type ActorKind = 'staff' | 'customer' | 'partner' | 'system';

/** Stored form of one verification state (inside `customers.verification.<identity|email|phone>`). */
export interface StoredVerificationState {
  status: VerificationStatus;
  method?: string | null;
  at?: Date | null;
  /** Staff id, customer id, or 'system'. */
  by?: string | null;
  byKind?: ActorKind | null;
  evidenceRef?: string | null;
}

/** Stored form of `customers.verification`. Absent means nothing was ever verified. */
export interface StoredVerification {
  identity?: StoredVerificationState | null;
  email?: StoredVerificationState | null;
  phone?: StoredVerificationState | null;
}

export type VerificationItem = keyof StoredVerification;
export const VERIFICATION_ITEMS: readonly VerificationItem[] = ['identity', 'email', 'phone'];

const UNVERIFIED: StoredVerificationState = { status: VerificationStatus.UNVERIFIED, method: null, at: null, by: null, byKind: null, evidenceRef: null };

/** The state of every item, UNVERIFIED where nothing is stored. */
export function normaliseVerification(stored: unknown): Required<{ [K in VerificationItem]: StoredVerificationState }> {
  const v = (stored && typeof stored === 'object' ? stored : {}) as StoredVerification;
  return {
    identity: v.identity ?? UNVERIFIED,
    email: v.email ?? UNVERIFIED,
    phone: v.phone ?? UNVERIFIED,
  };
}

/**
 * What an audience is shown: every item, with `by` as customers may see it ("staff" or "partner"
 * for staff and partners, "customer" for themselves, never a staff member's personal id).
 */
export function shownVerification(stored: unknown, audience: Audience): Required<{ [K in VerificationItem]: StoredVerificationState }> {
  const all = normaliseVerification(stored);
  const show = (s: StoredVerificationState): StoredVerificationState => {
    const shown = { status: s.status, method: s.method ?? null, at: s.at ?? null, evidenceRef: s.evidenceRef ?? null };
    if (!s.by) return { ...shown, by: null };
    if (s.byKind === 'customer') return { ...shown, by: 'customer' };
    if (audience === 'self' && s.byKind !== 'system') return { ...shown, by: s.byKind ?? 'staff' };
    return { ...shown, by: s.by };
  };
  return { identity: show(all.identity), email: show(all.email), phone: show(all.phone) };
}

/**
 * The `$set` entry that writes one item of `customers.verification`. A dotted path when the
 * document already has a verification object, the whole object otherwise (MongoDB cannot create a
 * field inside a null).
 */
export function setVerificationItem(current: unknown, item: VerificationItem, state: StoredVerificationState): Record<string, unknown> {
  if (current && typeof current === 'object') return { [`verification.${item}`]: state };
  return { verification: { [item]: state } };
}

/** Who acts, as recorded in a verification state (`by`, `byKind`). */
export function actorOf(ctx: RequestContext): { by: string; byKind: ActorKind } {
  const p = ctx.principal;
  if (!p) return { by: 'system', byKind: 'system' };
  if (p.kind === 'partner') return { by: `partner:${p.partner ?? p.id}`, byKind: 'partner' };
  return { by: p.id, byKind: p.kind };
}

/** An evidence reference: an id or URI in a document system, 1 to 200 characters, no spaces. */
const EVIDENCE_REF = /^[A-Za-z0-9][A-Za-z0-9._:/#-]{0,199}$/;

/** Validates the method and evidence reference of an identity check (errors never echo them). */
export function validateIdentityEvidence(method: string, evidenceRef: string): { method: string; evidenceRef: string } {
  if (!(IDENTITY_METHODS as readonly string[]).includes(method)) {
    throw new InputError('method', `must be one of ${IDENTITY_METHODS.join(', ')}`);
  }
  const ref = typeof evidenceRef === 'string' ? evidenceRef.trim() : '';
  if (!EVIDENCE_REF.test(ref) || /^data:/i.test(ref)) {
    throw new InputError('evidenceRef', 'must be a reference to the evidence (an id or URI of 1 to 200 characters without spaces), never the document itself');
  }
  return { method, evidenceRef: ref };
}

/** Records that the customer's identity was verified, with the method and an evidence reference (a recorded write on `verification`). */
export async function markIdentity(ctx: RequestContext, doc: StoredCustomer, method: string, evidenceRef: string, now = new Date()): Promise<StoredCustomer> {
  const clean = validateIdentityEvidence(method, evidenceRef);
  const state: StoredVerificationState = { status: VerificationStatus.VERIFIED, method: clean.method, at: now, ...actorOf(ctx), evidenceRef: clean.evidenceRef };
  return writeCustomer(ctx, { doc, set: setVerificationItem(doc.verification, 'identity', state), fields: ['verification'], gone: () => new InputError('customerId', 'the customer no longer exists') });
}

