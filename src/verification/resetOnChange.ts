import type { AppServices } from '../server/appServices';
import { verificationCodeModel } from './codeModel';
import { normaliseVerification, type StoredVerificationState } from './verificationState';
import { VerificationStatus } from './verificationTypes';

type Channel = 'email' | 'phone';
const CHANNELS: readonly Channel[] = ['email', 'phone'];

/** The customer as it was before a change (only what the reset needs). */
export interface BeforeChange {
  email?: string | null;
  phone?: string | null;
  verification?: unknown;
}

/** The new values being written: undefined = not touched, null = removed. */
export interface ContactChange {
  email?: string | null;
  phone?: string | null;
}

/** The channels whose address changes (to another value or to none). */
export function changedChannels(before: BeforeChange, change: ContactChange): Channel[] {
  return CHANNELS.filter((ch) => change[ch] !== undefined && (change[ch] ?? null) !== (before[ch] ?? null));
}

/**
 * `$set` entries that reset the verification of every channel whose address changes and that was
 * VERIFIED or PENDING. Merge them into the update that writes the new address, so both land together.
 */
export function verificationResetFields(before: BeforeChange, change: ContactChange, at = new Date()): Record<string, unknown> {
  const state = normaliseVerification(before.verification);
  const reset: StoredVerificationState = { status: VerificationStatus.UNVERIFIED, method: null, at, by: null, byKind: 'system', evidenceRef: null };
  const out: Record<string, unknown> = {};
  const channels = changedChannels(before, change).filter((ch) => state[ch].status !== VerificationStatus.UNVERIFIED);
  if (channels.length === 0) return out;
  if (!before.verification || typeof before.verification !== 'object') return { verification: Object.fromEntries(channels.map((ch) => [ch, reset])) };
  for (const ch of channels) out[`verification.${ch}`] = reset;
  return out;
}

/** Supersedes the pending codes of the channels whose address changed (a code sent to the old address never confirms the new one). */
export async function supersedeCodes(app: AppServices, customerId: string, channels: readonly Channel[]): Promise<void> {
  if (channels.length === 0) return;
  await verificationCodeModel(app.conn).updateMany({ customerId, channel: { $in: [...channels] }, status: 'pending' }, { $set: { status: 'superseded' } }).exec();
}

/**
 * Changing a verified (or pending) email or phone resets its verification. Call it after writing a
 * contact change when the reset fields were not merged into that write (`updateMyContact`):
 *
 *   await resetVerificationOnChange(ctx.app, customerId, beforeDoc, { email: clean.email, phone: clean.phone });
 *
 * It writes the reset (guarded on the new address still being the current one) and supersedes
 * pending codes. Returns the channels that changed.
 */
export async function resetVerificationOnChange(app: AppServices, customerId: string, before: BeforeChange, change: ContactChange, at = new Date()): Promise<Channel[]> {
  const channels = changedChannels(before, change);
  const set = verificationResetFields(before, change, at);
  if (Object.keys(set).length > 0) {
    const still = Object.fromEntries(channels.map((ch) => [ch, change[ch] ?? null]));
    await app.models.customers.updateOne({ _id: customerId, ...still }, { $set: set }).exec();
  }
  await supersedeCodes(app, customerId, channels);
  return channels;
}
