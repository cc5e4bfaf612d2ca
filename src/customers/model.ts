/**
 * The customer document (collection `customers`) and its model. Only this capability's store
 * (store.ts) reads and writes it, through the one visibility rule; every write runs inside a
 * recorded write scope (core/writeScope.ts), which the model enforces.
 */
import { Schema, type Connection, type Model } from 'mongoose';
import { newId } from '../core/ids';
import { requireWriteScope } from '../core/writeScope';

/** Stored form of a restricted attribute: AES-256-GCM under the customer's data key (see src/crypto). */
export type Sealed = Record<string, unknown>;

export interface ConsentEntry {
  key: string;
  granted: boolean;
  at: Date;
  source: string;
}

export interface CustomerDoc {
  _id: string;
  fullName: string;
  email?: string | null;
  phone?: string | null;
  birthDate?: string | null;
  address?: { street?: string | null; city?: string | null; postalCode?: string | null; country?: string | null } | null;
  segment?: string | null;
  loyaltyTier?: string | null;
  preferences?: string[];
  paymentCard?: { brand: string; last4: string; expiryMonth: number; expiryYear: number; number: Sealed } | null;
  health?: { conditions?: Sealed | null; notes?: Sealed | null } | null;
  /** Current consent per key, for row filters (`consentState.marketing: true`). */
  consentState: Record<string, boolean>;
  /** Current consent per key, for display. */
  consents: ConsentEntry[];
  /** The staff member who enrolled the customer (onboarding sees its own enrolments). */
  enrolledBy?: string | null;
  verification?: Record<string, unknown> | null;
  /** Set by the erasure procedure before its first step: from then on no request sees the customer. */
  erasing?: boolean;
  /** Keyed blind indexes of the encrypted attributes the product looks up (see sealing.ts). */
  idx?: { email?: string | null; phone?: string | null; name?: string[] | null; country?: string | null; birthDecade?: string | null };
  createdAt: Date;
  updatedAt: Date;
}

export function newCustomerId(): string {
  return newId('cus_');
}

// Personal attributes are stored sealed (an EncryptedValue subdocument, see sealing.ts), hence Mixed.
const sealed = Schema.Types.Mixed;
const addressSchema = new Schema({ street: sealed, city: sealed, postalCode: sealed, country: sealed }, { _id: false });
const cardSchema = new Schema(
  { brand: String, last4: String, expiryMonth: Number, expiryYear: Number, number: Schema.Types.Mixed },
  { _id: false },
);
const healthSchema = new Schema({ conditions: Schema.Types.Mixed, notes: Schema.Types.Mixed }, { _id: false });
const consentSchema = new Schema({ key: String, granted: Boolean, at: Date, source: String }, { _id: false });

const customerSchema = new Schema<CustomerDoc>(
  {
    _id: { type: String, default: newCustomerId },
    fullName: { type: sealed, required: true },
    email: sealed,
    phone: sealed,
    birthDate: sealed,
    address: addressSchema,
    segment: String,
    loyaltyTier: String,
    preferences: { type: [String], default: undefined },
    paymentCard: cardSchema,
    health: healthSchema,
    consentState: { type: Schema.Types.Mixed, default: () => ({}) },
    consents: { type: [consentSchema], default: [] },
    enrolledBy: String,
    verification: Schema.Types.Mixed,
    erasing: Boolean,
    /** Keyed blind indexes of the encrypted attributes the product looks up (sealing.ts). */
    idx: { type: new Schema({ email: String, phone: String, name: [String], country: String, birthDecade: String }, { _id: false }), default: undefined },
  },
  { collection: 'customers', timestamps: true, versionKey: false, minimize: false },
);
customerSchema.index({ segment: 1 });
customerSchema.index({ 'consentState.marketing': 1 });
customerSchema.index({ 'consentState.analytics': 1 });
customerSchema.index({ 'idx.email': 1 });
customerSchema.index({ 'idx.name': 1 });
customerSchema.index({ 'idx.country': 1 });
customerSchema.plugin(requireWriteScope, 'customers');

/** The customer document as read back, with the index signature the guard and CASL expect. */
export type StoredCustomer = CustomerDoc & Record<string, unknown>;

export type CustomerModel = Model<CustomerDoc>;

export function customerModel(conn: Connection): CustomerModel {
  return (conn.models.Customer as CustomerModel | undefined) ?? conn.model<CustomerDoc>('Customer', customerSchema);
}
