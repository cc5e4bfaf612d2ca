import { randomBytes } from 'node:crypto';
import { toBuffer } from '../crypto';
import type { CustomerDoc } from '../customers/customerModel';
import { logger } from '../logger';
import { InputError } from '../server/errors';
import type { RequestContext } from '../server/requestContext';
import { actorOf } from './actor';
import { CODE_FORMAT, codeMatches, hashCode, newCode, newSalt, type CodeBinding } from './codeHash';
import { verificationCodeModel, type VerificationCodeDoc } from './codeModel';
import { outboxModel, OUTBOX_PAYLOAD_PATH } from './outboxModel';
import { setVerificationItem, normaliseVerification, type StoredVerificationState } from './verificationState';
import { CODE_METHOD, CODE_TEMPLATE, CODE_TTL_MS, MAX_ATTEMPTS, MAX_CODES_PER_HOUR } from './verificationSettings';
import { VerificationChannel, VerificationStatus } from './verificationTypes';

export interface StartResult {
  channel: VerificationChannel;
  expiresAt: Date;
  attemptsAllowed: number;
}

const newId = (prefix: string) => prefix + randomBytes(12).toString('base64url');

function bindingOf(doc: CustomerDoc, channel: VerificationChannel): CodeBinding {
  const address = channel === VerificationChannel.EMAIL ? doc.email : doc.phone;
  if (!address) throw new InputError('channel', `the customer has no ${channel} on file to verify`);
  return { customerId: doc._id, channel, address };
}

/**
 * Sends a one-time code for the customer's current email or phone: the code is stored only as a
 * keyed hash (`verificationCodes`), and queued encrypted in the `outbox` for the mail/SMS worker,
 * which looks the address up by customer id. Earlier pending codes of the channel are superseded.
 * In development the code (never the address) is also logged. The caller has checked the policy.
 */
export async function startCodeVerification(ctx: RequestContext, doc: CustomerDoc, channel: VerificationChannel, now = new Date()): Promise<StartResult> {
  const binding = bindingOf(doc, channel);
  const codes = verificationCodeModel(ctx.app.conn);
  const recent = await codes.countDocuments({ customerId: doc._id, channel, createdAt: { $gt: new Date(now.getTime() - 3600_000) } }).exec();
  if (recent >= MAX_CODES_PER_HOUR) {
    throw new InputError('channel', `at most ${MAX_CODES_PER_HOUR} codes per hour may be sent to one ${channel}; try again later`);
  }
  const actor = actorOf(ctx);
  const code = newCode();
  const salt = newSalt();
  const dataKey = await ctx.app.keyStore.getOrCreate(doc._id);
  const expiresAt = new Date(now.getTime() + CODE_TTL_MS);
  await codes.updateMany({ customerId: doc._id, channel, status: 'pending' }, { $set: { status: 'superseded' } }).exec();
  await codes.create({
    _id: newId('vc_'), customerId: doc._id, channel, salt, hash: hashCode(dataKey, salt, binding, code),
    attempts: 0, status: 'pending', createdAt: now, expiresAt, ...actor,
  });
  const outboxId = newId('msg_');
  await outboxModel(ctx.app.conn).create({
    _id: outboxId, customerId: doc._id, channel, template: CODE_TEMPLATE,
    payload: await ctx.cipher.encryptJson(doc._id, OUTBOX_PAYLOAD_PATH, { code, expiresAt: expiresAt.toISOString() }),
    status: 'pending', createdAt: now, expiresAt,
  });
  const current = normaliseVerification(doc.verification)[channel];
  if (current.status !== VerificationStatus.VERIFIED) {
    const pending: StoredVerificationState = { status: VerificationStatus.PENDING, method: CODE_METHOD, at: now, ...actor, evidenceRef: null };
    await ctx.app.models.customers.updateOne({ _id: doc._id }, { $set: setVerificationItem(doc.verification, channel, pending) }).exec();
  }
  if (!ctx.app.config.production) {
    logger.unredacted('info', 'verification: one-time code queued (development only: production never logs it)', { customerId: doc._id, channel, outboxId, code }, ['code']);
  }
  return { channel, expiresAt, attemptsAllowed: MAX_ATTEMPTS };
}

function refuse(rule: string): InputError {
  return new InputError('code', rule);
}

/**
 * Checks a one-time code for the customer's current email or phone. Each try counts (atomically)
 * against the code's 5 attempts; an expired, locked or superseded code never matches. On success the
 * channel becomes VERIFIED (only if the address is still the one the code was sent to) and the
 * updated customer is returned.
 */
export async function confirmCode(ctx: RequestContext, doc: CustomerDoc, channel: VerificationChannel, code: string, now = new Date()): Promise<CustomerDoc> {
  if (typeof code !== 'string' || !CODE_FORMAT.test(code)) throw refuse('must be the 6 digits that were sent');
  const binding = bindingOf(doc, channel);
  const codes = verificationCodeModel(ctx.app.conn);
  const tried = await codes
    .findOneAndUpdate({ customerId: doc._id, channel, status: 'pending' }, { $inc: { attempts: 1 } }, { sort: { createdAt: -1 }, returnDocument: 'after' })
    .lean<VerificationCodeDoc>()
    .exec();
  if (!tried) throw refuse(`no code is pending for this ${channel}; start a verification first`);
  if (tried.expiresAt.getTime() <= now.getTime()) {
    await codes.updateOne({ _id: tried._id, status: 'pending' }, { $set: { status: 'expired' } }).exec();
    throw refuse('has expired (codes are valid for 10 minutes); start a new verification');
  }
  if (tried.attempts > MAX_ATTEMPTS) {
    await codes.updateOne({ _id: tried._id, status: 'pending' }, { $set: { status: 'locked' } }).exec();
    throw refuse(`too many attempts (at most ${MAX_ATTEMPTS}); start a new verification`);
  }
  const dataKey = await ctx.app.keyStore.get(doc._id);
  if (!codeMatches(dataKey, toBuffer(tried.salt), binding, code, toBuffer(tried.hash))) {
    const left = MAX_ATTEMPTS - tried.attempts;
    if (left <= 0) await codes.updateOne({ _id: tried._id, status: 'pending' }, { $set: { status: 'locked' } }).exec();
    throw refuse(left > 0 ? `does not match (${left} attempt${left === 1 ? '' : 's'} left)` : 'does not match; no attempts left, start a new verification');
  }
  const used = await codes.updateOne({ _id: tried._id, status: 'pending' }, { $set: { status: 'used', usedAt: now } }).exec();
  if (used.modifiedCount !== 1) throw refuse('was already used; start a new verification');
  const verified: StoredVerificationState = { status: VerificationStatus.VERIFIED, method: CODE_METHOD, at: now, ...actorOf(ctx), evidenceRef: null };
  const updated = await ctx.app.models.customers
    .findOneAndUpdate({ _id: doc._id, [channel]: binding.address }, { $set: setVerificationItem(doc.verification, channel, verified) }, { returnDocument: 'after' })
    .lean<CustomerDoc>()
    .exec();
  if (!updated) throw refuse(`was sent to a ${channel} that has changed since; start a new verification`);
  return updated;
}
