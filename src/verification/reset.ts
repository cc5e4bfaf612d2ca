/**
 * The customer write hook of verification: a verification is void once what it vouched for changes
 * (a new email or phone, a corrected name or birth date). The reset is written with the change.
 */
import type { Connection } from 'mongoose';
import type { CustomerWriteHook } from '../core/capability';
import { verificationCodeModel } from './codes';
import { normaliseVerification, VerificationStatus, type StoredVerificationState, type VerificationItem } from './state';

type Channel = 'email' | 'phone';
const CHANNELS: readonly Channel[] = ['email', 'phone'];
/** The attributes an identity verification vouches for: correcting one makes it void. */
const IDENTITY_ATTRIBUTES = ['fullName', 'birthDate'] as const;

/** The channels whose address a change writes to another value (or removes). */
export function changedChannels(before: Readonly<Record<string, unknown>>, set: Readonly<Record<string, unknown>>): Channel[] {
  return CHANNELS.filter((ch) => ch in set && (set[ch] ?? null) !== (before[ch] ?? null));
}

/**
 * The customer write hook: a verified (or pending) email or phone that changes is no longer
 * verified, and its pending codes are superseded (a code sent to the old address never confirms
 * the new one); a corrected fullName or birthDate voids the identity verification. The reset is
 * written with the change itself.
 */
export const resetOnChange: CustomerWriteHook = (before, set) => {
  const state = normaliseVerification(before.verification);
  const at = new Date();
  const reset: StoredVerificationState = { status: VerificationStatus.UNVERIFIED, method: null, at, by: null, byKind: 'system', evidenceRef: null };
  const channels = changedChannels(before, set);
  const items: VerificationItem[] = channels.filter((ch) => state[ch].status !== VerificationStatus.UNVERIFIED);
  if (IDENTITY_ATTRIBUTES.some((a) => a in set && (set[a] ?? null) !== (before[a] ?? null)) && state.identity.status !== VerificationStatus.UNVERIFIED) items.push('identity');
  if (items.length === 0 && channels.length === 0) return null;
  const out: Record<string, unknown> = {};
  if (items.length) {
    if (!before.verification || typeof before.verification !== 'object') out.verification = Object.fromEntries(items.map((i) => [i, reset]));
    else for (const i of items) out[`verification.${i}`] = reset;
  }
  return {
    set: out,
    after: channels.length
      ? async (conn: Connection, customerId: string) => {
          await verificationCodeModel(conn).updateMany({ customerId, channel: { $in: channels }, status: 'pending' }, { $set: { status: 'superseded' } }).exec();
        }
      : undefined,
  };
};
