import { InputError } from '../../server/errors';
import { validateAddress } from './address';
import { validateLoyaltyTier, validatePreferences, validateSegment } from './allowedValues';
import { type ValidatedCard, validateCard } from './card';
import { validateEmail } from './email';
import { validateHealth } from './health';
import { validatePhone } from './phone';
import type { InputLists, NormalisedAddress, NormalisedHealth, UpdateCustomerInput } from './types';

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
