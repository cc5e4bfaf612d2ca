/**
 * One-time codes for email and phone: stored only as keyed hashes (collection `verificationCodes`),
 * queued encrypted in the outbox, valid 10 minutes, 5 attempts, 5 codes per hour and channel.
 */
import { createHmac, hkdfSync, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { Schema, type Connection, type Model } from 'mongoose';
import type { RequestContext } from '../core/context';
import { InputError } from '../core/errors';
import { requireWriteScope } from '../core/writeScope';
import { applyCustomerWrite, plainAttributes, type StoredCustomer } from '../customers';
import { toBuffer } from '../crypto';
import { logger } from '../logger';
import { outboxModel, OUTBOX_PAYLOAD_PATH } from './outbox';
import { actorOf, normaliseVerification, setVerificationItem, VerificationChannel, VerificationStatus, type ActorKind, type StoredVerificationState } from './state';

/** How long a one-time code is valid: 10 minutes. */
export const CODE_TTL_MS = 10 * 60 * 1000;
/** Wrong guesses allowed per code: 5; then the code is locked and a new one must be started. */
export const MAX_ATTEMPTS = 5;
/** Codes that may be started per customer and channel in one hour: 5 (limits message flooding). */
export const MAX_CODES_PER_HOUR = 5;
/** The method recorded for a channel confirmed by a one-time code. */
export const CODE_METHOD = 'one-time-code';
/** The outbox template of a verification code message. */
export const CODE_TEMPLATE = 'verification-code';

/** Digits in a one-time code. */
export const CODE_DIGITS = 6;
export const CODE_FORMAT = /^[0-9]{6}$/;

/** A fresh random code, e.g. "042917" (uniform, from the CSPRNG). */
export function newCode(): string {
  return String(randomInt(0, 10 ** CODE_DIGITS)).padStart(CODE_DIGITS, '0');
}

export function newSalt(): Buffer {
  return randomBytes(16);
}

/** What a code is bound to: a code sent to one address does not confirm another. */
export interface CodeBinding {
  customerId: string;
  channel: string;
  address: string;
}

/**
 * HMAC-SHA256 of the code, keyed with a key derived (HKDF, per-code salt) from the customer's data
 * key. A database dump alone cannot brute-force the million possible codes: it would need the master
 * key too. Erasure destroys the data key, and with it any way to check a code.
 */
export function hashCode(dataKey: Buffer, salt: Buffer, binding: CodeBinding, code: string): Buffer {
  const key = Buffer.from(hkdfSync('sha256', dataKey, salt, 'verification-code', 32));
  return createHmac('sha256', key).update(`${binding.customerId}|${binding.channel}|${binding.address}|${code}`).digest();
}

/** Constant-time comparison of a candidate code against a stored hash. */
export function codeMatches(dataKey: Buffer, salt: Buffer, binding: CodeBinding, code: string, stored: Buffer): boolean {
  const candidate = hashCode(dataKey, salt, binding, code);
  return candidate.length === stored.length && timingSafeEqual(candidate, stored);
}

export const VERIFICATION_CODE_COLLECTION = 'verificationCodes';

export type CodeStatus = 'pending' | 'used' | 'expired' | 'locked' | 'superseded';

/**
 * One one-time code (collection `verificationCodes`). The code itself is never stored: only a keyed
 * hash (see codeHash.ts). Erasure deletes these rows by `customerId`.
 */
export interface VerificationCodeDoc {
  _id: string;
  customerId: string;
  channel: 'email' | 'phone';
  /** 16 random bytes, fresh for every code. */
  salt: Buffer;
  /** HMAC-SHA256 of the code, bound to customer, channel and address; keyed from the customer's data key. */
  hash: Buffer;
  attempts: number;
  status: CodeStatus;
  createdAt: Date;
  expiresAt: Date;
  /** Who asked for the code. */
  by: string;
  byKind: ActorKind;
  usedAt?: Date | null;
}

const codeSchema = new Schema<VerificationCodeDoc>(
  {
    _id: { type: String, required: true },
    customerId: { type: String, required: true },
    channel: { type: String, required: true },
    salt: { type: Buffer, required: true },
    hash: { type: Buffer, required: true },
    attempts: { type: Number, required: true, default: 0 },
    status: { type: String, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    by: String,
    byKind: String,
    usedAt: Date,
  },
  { collection: VERIFICATION_CODE_COLLECTION, versionKey: false },
);
codeSchema.index({ customerId: 1, channel: 1, status: 1 });
codeSchema.index({ customerId: 1, createdAt: -1 });
codeSchema.plugin(requireWriteScope, 'verificationCodes');

export type VerificationCodeModel = Model<VerificationCodeDoc>;

export function verificationCodeModel(conn: Connection): VerificationCodeModel {
  return (conn.models.VerificationCode as VerificationCodeModel | undefined) ?? conn.model<VerificationCodeDoc>('VerificationCode', codeSchema);
}

export interface StartResult {
  channel: VerificationChannel;
  expiresAt: Date;
  attemptsAllowed: number;
}

const codeId = (prefix: string) => prefix + randomBytes(12).toString('base64url');

/** The address a code is bound to: the customer's current email or phone, decrypted with the request's keys. */
async function bindingOf(ctx: RequestContext, doc: StoredCustomer, channel: VerificationChannel): Promise<CodeBinding> {
  const address = (await plainAttributes(ctx, doc, [channel]))[channel];
  if (typeof address !== 'string' || !address) throw new InputError('channel', `the customer has no ${channel} on file to verify`);
  return { customerId: doc._id, channel, address };
}

/**
 * Sends a one-time code for the customer's current email or phone: the code is stored only as a
 * keyed hash (`verificationCodes`), and queued encrypted in the `outbox` for the mail/SMS worker,
 * which looks the address up by customer id. Earlier pending codes of the channel are superseded.
 * In development the code (never the address) is also logged. One recorded write on `verification`;
 * `authorizedBy` names the rule when it is not the caller's update rule (a customer's own channel).
 */
export async function startCodeVerification(ctx: RequestContext, doc: StoredCustomer, channel: VerificationChannel, authorizedBy?: string, now = new Date()): Promise<StartResult> {
  const binding = await bindingOf(ctx, doc, channel);
  const { conn, config } = ctx.services;
  const codes = verificationCodeModel(conn);
  const recent = await codes.countDocuments({ customerId: doc._id, channel, createdAt: { $gt: new Date(now.getTime() - 3600_000) } }).exec();
  if (recent >= MAX_CODES_PER_HOUR) {
    throw new InputError('channel', `at most ${MAX_CODES_PER_HOUR} codes per hour may be sent to one ${channel}; try again later`);
  }
  if (!authorizedBy) ctx.guard.authorize('Customer', doc, 'update', ['verification']);
  const actor = actorOf(ctx);
  const code = newCode();
  const salt = newSalt();
  const expiresAt = new Date(now.getTime() + CODE_TTL_MS);
  const outboxId = codeId('msg_');
  const current = normaliseVerification(doc.verification)[channel];
  const pending: StoredVerificationState = { status: VerificationStatus.PENDING, method: CODE_METHOD, at: now, ...actor, evidenceRef: null };
  await ctx.log.commit([{ subjectType: 'Customer', subjectId: doc._id, fields: ['verification'] }], () =>
    applyCustomerWrite(ctx, {
      doc, fields: ['verification'], authorizedBy,
      set: current.status === VerificationStatus.VERIFIED ? {} : setVerificationItem(doc.verification, channel, pending),
      before: async () => {
        const dataKey = await ctx.services.keys.get(doc._id);
        await codes.updateMany({ customerId: doc._id, channel, status: 'pending' }, { $set: { status: 'superseded' } }).exec();
        await codes.create({
          _id: codeId('vc_'), customerId: doc._id, channel, salt, hash: hashCode(dataKey, salt, binding, code),
          attempts: 0, status: 'pending', createdAt: now, expiresAt, ...actor,
        });
        await outboxModel(conn).create({
          _id: outboxId, customerId: doc._id, channel, template: CODE_TEMPLATE,
          payload: await ctx.cipher.encryptJson(doc._id, OUTBOX_PAYLOAD_PATH, { code, expiresAt: expiresAt.toISOString() }),
          status: 'pending', createdAt: now, expiresAt,
        });
      },
    }),
  );
  if (!config.production) {
    logger.unredacted('info', 'verification: one-time code queued (development only: production never logs it)', { customerId: doc._id, channel, outboxId, code }, ['code']);
  }
  return { channel, expiresAt, attemptsAllowed: MAX_ATTEMPTS };
}

function refuse(rule: string): InputError {
  return new InputError('code', rule);
}

/**
 * Checks a one-time code for the customer's current email or phone. Each try counts (atomically)
 * against the code's 5 attempts, and is recorded as an attempt to write `verification`; an expired,
 * locked or superseded code never matches. On success the channel becomes VERIFIED (only if the
 * address is still the one the code was sent to) and the updated customer is returned.
 */
export async function confirmCode(ctx: RequestContext, doc: StoredCustomer, channel: VerificationChannel, code: string, authorizedBy?: string, now = new Date()): Promise<StoredCustomer> {
  if (typeof code !== 'string' || !CODE_FORMAT.test(code)) throw refuse('must be the 6 digits that were sent');
  const binding = await bindingOf(ctx, doc, channel);
  if (!authorizedBy) ctx.guard.authorize('Customer', doc, 'update', ['verification']);
  const codes = verificationCodeModel(ctx.services.conn);
  return ctx.log.commit([{ subjectType: 'Customer', subjectId: doc._id, fields: ['verification'] }], async () => {
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
    const dataKey = await ctx.services.keys.get(doc._id);
    if (!codeMatches(dataKey, toBuffer(tried.salt), binding, code, toBuffer(tried.hash))) {
      const left = MAX_ATTEMPTS - tried.attempts;
      if (left <= 0) await codes.updateOne({ _id: tried._id, status: 'pending' }, { $set: { status: 'locked' } }).exec();
      throw refuse(left > 0 ? `does not match (${left} attempt${left === 1 ? '' : 's'} left)` : 'does not match; no attempts left, start a new verification');
    }
    const used = await codes.updateOne({ _id: tried._id, status: 'pending' }, { $set: { status: 'used', usedAt: now } }).exec();
    if (used.modifiedCount !== 1) throw refuse('was already used; start a new verification');
    const verified: StoredVerificationState = { status: VerificationStatus.VERIFIED, method: CODE_METHOD, at: now, ...actorOf(ctx), evidenceRef: null };
    return applyCustomerWrite(ctx, {
      doc, fields: ['verification'], authorizedBy, set: setVerificationItem(doc.verification, channel, verified),
      // Still the address the code was sent to (compared through its blind index, or in clear before keys:migrate).
      where: { $or: [{ [`idx.${channel}`]: ctx.services.index.of(channel, binding.address) }, { [channel]: binding.address }] },
      gone: () => refuse(`was sent to a ${channel} that has changed since; start a new verification`),
    });
  });
}
