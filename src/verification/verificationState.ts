import { VerificationStatus } from './verificationTypes';

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
 * The `$set` entry that writes one item of `customers.verification`. A dotted path when the
 * document already has a verification object, the whole object otherwise (MongoDB cannot create a
 * field inside a null).
 */
export function setVerificationItem(current: unknown, item: VerificationItem, state: StoredVerificationState): Record<string, unknown> {
  if (current && typeof current === 'object') return { [`verification.${item}`]: state };
  return { verification: { [item]: state } };
}
