/**
 * Accuracy at collection: the customer inputs (enrolment and update) checked and normalised with
 * the validators of this folder. Absent means "leave unchanged"; null on an update means "clear".
 */
import { InputError } from '../../core/errors';
import type { PolicySet } from '../../core/policyModel';
import { validateAddress, type AddressInput, type NormalisedAddress } from './address';
import { type PaymentCardInput, type ValidatedCard, validateCard } from './card';
import { validateEmail, validatePhone } from './contact';
import { validateHealth, type HealthInput, type NormalisedHealth } from './health';
import { boundedText, validateAllowedList, validateBirthDate, validateFullName, validateLoyaltyTier, validatePreferences, validateSegment } from './text';

export * from './address';
export * from './card';
export * from './contact';
export * from './health';
export * from './text';


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

/** Maximum length of a consent source label (e.g. `web-signup`). */
export const MAX_CONSENT_SOURCE_LENGTH = 100;

export interface NormalisedEnrolInput {
  fullName: string;
  email?: string;
  phone?: string;
  birthDate?: string;
  address?: NormalisedAddress;
  segment?: string;
  preferences?: string[];
  consent: { storage: true; purposes: string[]; source?: string };
}

/**
 * Validates EnrolCustomerInput and returns normalised values; absent or null optional fields are
 * omitted. Throws InputError naming the input path (`input.address.postalCode`) and the rule.
 * `input.consent.storage` must be true: no record without consent to storage.
 */
export function validateEnrolInput(input: EnrolCustomerInput, lists: InputLists, now: Date = new Date()): NormalisedEnrolInput {
  if (typeof input !== 'object' || input === null) throw new InputError('input', 'must be an object');
  const out: NormalisedEnrolInput = {
    fullName: validateFullName(input.fullName, 'input.fullName'),
    consent: validateConsent(input.consent, lists),
  };
  if (input.email != null) out.email = validateEmail(input.email, 'input.email');
  if (input.phone != null) out.phone = validatePhone(input.phone, 'input.phone');
  if (input.birthDate != null) out.birthDate = validateBirthDate(input.birthDate, 'input.birthDate', now);
  if (input.address != null) out.address = validateAddress(input.address, 'input.address');
  if (input.segment != null) out.segment = validateSegment(input.segment, lists.segments, 'input.segment');
  if (input.preferences != null) {
    out.preferences = validatePreferences(input.preferences, lists.preferences, 'input.preferences', lists.maxPreferences);
  }
  return out;
}

function validateConsent(consent: EnrolCustomerInput['consent'], lists: InputLists): NormalisedEnrolInput['consent'] {
  if (typeof consent !== 'object' || consent === null) throw new InputError('input.consent', 'must be an object');
  if (consent.storage !== true) {
    throw new InputError('input.consent.storage', "must be true: a record is kept only with the customer's consent to storage");
  }
  const keys = lists.consentKeys ?? CONSENT_KEYS;
  const out: NormalisedEnrolInput['consent'] = {
    storage: true,
    purposes: consent.purposes != null ? validateAllowedList(consent.purposes, 'input.consent.purposes', keys, keys.length) : [],
  };
  if (consent.source != null) {
    out.source = boundedText(consent.source, 'input.consent.source', { min: 1, max: MAX_CONSENT_SOURCE_LENGTH });
  }
  return out;
}

/** Normalised update: a key present with null clears the attribute; an absent key leaves it unchanged. */
export interface NormalisedUpdateInput {
  email?: string | null;
  phone?: string | null;
  address?: NormalisedAddress | null;
  preferences?: string[] | null;
  segment?: string | null;
  loyaltyTier?: string | null;
  /** Carries the full card number: encrypt it before storage. */
  paymentCard?: ValidatedCard | null;
  health?: NormalisedHealth | null;
}

/**
 * Validates UpdateCustomerInput and returns normalised values. Field names in errors are input paths
 * (`input.paymentCard.number`, `input.health.conditions[0]`). `now` is used for card expiry.
 */
export function validateUpdateInput(input: UpdateCustomerInput, lists: InputLists, now: Date = new Date()): NormalisedUpdateInput {
  if (typeof input !== 'object' || input === null) throw new InputError('input', 'must be an object');
  const out: NormalisedUpdateInput = {};
  const set = <K extends keyof NormalisedUpdateInput>(key: K, validate: (v: NonNullable<UpdateCustomerInput[K]>) => NormalisedUpdateInput[K]) => {
    const value = input[key];
    if (value === undefined) return;
    out[key] = value === null ? null : validate(value as NonNullable<UpdateCustomerInput[K]>);
  };
  set('email', (v) => validateEmail(v, 'input.email'));
  set('phone', (v) => validatePhone(v, 'input.phone'));
  set('address', (v) => validateAddress(v, 'input.address'));
  set('preferences', (v) => validatePreferences(v, lists.preferences, 'input.preferences', lists.maxPreferences));
  set('segment', (v) => validateSegment(v, lists.segments, 'input.segment'));
  set('loyaltyTier', (v) => validateLoyaltyTier(v, lists.loyaltyTiers, 'input.loyaltyTier'));
  set('paymentCard', (v) => validateCard(v, now, 'input.paymentCard'));
  set('health', (v) => validateHealth(v, 'input.health', { maxConditions: lists.maxHealthConditions }));
  return out;
}

/** The attribute leaves an input touches: `address: { city }` touches `address.city`. */
export function inputLeaves(input: Record<string, unknown>, groups: Record<string, readonly string[]>): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    const children = groups[key];
    if (!children) {
      out.push(key);
    } else if (value === null) {
      out.push(...children.map((c) => `${key}.${c}`));
    } else {
      for (const c of children) if ((value as Record<string, unknown>)[c] !== undefined) out.push(`${key}.${c}`);
    }
  }
  return out;
}

/** Customer segments the company uses. */
export const SEGMENTS = ['consumer', 'small-business', 'enterprise', 'public-sector'] as const;
/** Loyalty tiers of the program. */
export const LOYALTY_TIERS = ['bronze', 'silver', 'gold', 'platinum'] as const;

/** The allowed values inputs are checked against (preferences and consent keys come from the policies). */
export function inputLists(policies: PolicySet): Required<Pick<InputLists, 'preferences' | 'segments' | 'loyaltyTiers' | 'consentKeys'>> {
  return {
    preferences: policies.allowedPreferences,
    segments: SEGMENTS,
    loyaltyTiers: LOYALTY_TIERS,
    consentKeys: [...policies.consentKeys.keys()],
  };
}
