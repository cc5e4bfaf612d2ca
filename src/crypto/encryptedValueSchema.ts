import { Schema } from 'mongoose';

/**
 * Mongoose sub-schema for an EncryptedValue, for models that store encrypted attributes
 * (e.g. `health: { conditions: encryptedValueSchema, notes: encryptedValueSchema }`).
 */
export const encryptedValueSchema = new Schema(
  {
    v: { type: Number, required: true },
    iv: { type: Buffer, required: true },
    ct: { type: Buffer, required: true },
    tag: { type: Buffer, required: true },
  },
  { _id: false, versionKey: false },
);
