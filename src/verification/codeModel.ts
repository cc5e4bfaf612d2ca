import { Schema, type Connection, type Model } from 'mongoose';
import type { ActorKind } from './verificationState';

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

export type VerificationCodeModel = Model<VerificationCodeDoc>;

export function verificationCodeModel(conn: Connection): VerificationCodeModel {
  return (conn.models.VerificationCode as VerificationCodeModel | undefined) ?? conn.model<VerificationCodeDoc>('VerificationCode', codeSchema);
}
