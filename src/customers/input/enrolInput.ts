import { InputError } from '../../server/errors';
import { validateAddress } from './address';
import { validateAllowedList, validatePreferences, validateSegment } from './allowedValues';
import { validateBirthDate } from './birthDate';
import { validateEmail } from './email';
import { validateFullName } from './fullName';
import { validatePhone } from './phone';
import { boundedText } from './text';
import { CONSENT_KEYS, type EnrolCustomerInput, type InputLists, type NormalisedAddress } from './types';

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
