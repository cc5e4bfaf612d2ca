/**
 * Plain shapes of the contract's GraphQL inputs (CONTRACT.md), as validators receive them, and the
 * normalised values they return. `null` on an update means "clear this attribute"; absent means
 * "leave it unchanged".
 */
export interface AddressInput {
  street?: string | null;
  city?: string | null;
  postalCode?: string | null;
  /** ISO 3166-1 alpha-2. */
  country?: string | null;
}

export interface ConsentInput {
  storage: boolean;
  /** Consent keys granted at enrolment, e.g. `marketing`. */
  purposes?: string[] | null;
  source?: string | null;
}

export interface EnrolCustomerInput {
  fullName: string;
  email?: string | null;
  phone?: string | null;
  birthDate?: string | null;
  address?: AddressInput | null;
  segment?: string | null;
  preferences?: string[] | null;
  consent: ConsentInput;
}

/** No security code, ever. */
export interface PaymentCardInput {
  number: string;
  expiryMonth: number;
  expiryYear: number;
}

export interface HealthInput {
  conditions?: string[] | null;
  notes?: string | null;
}

export interface UpdateCustomerInput {
  email?: string | null;
  phone?: string | null;
  address?: AddressInput | null;
  preferences?: string[] | null;
  segment?: string | null;
  loyaltyTier?: string | null;
  paymentCard?: PaymentCardInput | null;
  health?: HealthInput | null;
}

export interface NormalisedAddress {
  street?: string;
  city?: string;
  postalCode?: string;
  country?: string;
}

export interface NormalisedHealth {
  conditions?: string[] | null;
  notes?: string | null;
}

/** The allowed values the policies define, passed in by the caller. */
export interface InputLists {
  /** Allowed preference values. */
  preferences: readonly string[];
  /** Allowed segments. Default: any bounded token. */
  segments?: readonly string[];
  /** Allowed loyalty tiers. Default: any bounded token. */
  loyaltyTiers?: readonly string[];
  /** Consent keys a customer may grant. Default: storage, marketing, analytics, health-data. */
  consentKeys?: readonly string[];
  /** Maximum number of preferences. Default 50. */
  maxPreferences?: number;
  /** Maximum number of health conditions. Default 50. */
  maxHealthConditions?: number;
}

/** The consent keys of the contract. */
export const CONSENT_KEYS: readonly string[] = ['storage', 'marketing', 'analytics', 'health-data'];
