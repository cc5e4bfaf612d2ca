/**
 * Accuracy at collection: pure validators for customer inputs. Each throws InputError(field, rule)
 * (BAD_USER_INPUT) naming the input path and the rule, never the value, and returns the normalised value.
 */
export { validateEmail, MAX_EMAIL_LENGTH, MAX_LOCAL_PART_LENGTH } from './email';
export { validatePhone } from './phone';
export { validateBirthDate, MAX_AGE_YEARS } from './birthDate';
export { validateCountry } from './country';
export { ISO_3166_ALPHA2 } from './countryCodes';
export { validatePostalCode } from './postalCode';
export { POSTAL_CODE_FORMATS, GENERIC_POSTAL_CODE, type PostalCodeFormat } from './postalCodeFormats';
export { validateFullName, MAX_NAME_LENGTH } from './fullName';
export { validateAddress, validateStreet, validateCity, MAX_STREET_LENGTH, MAX_CITY_LENGTH } from './address';
export {
  validateAllowedValue,
  validateAllowedList,
  validatePreferences,
  validateSegment,
  validateLoyaltyTier,
  MAX_PREFERENCES,
} from './allowedValues';
export { validateHealth, DEFAULT_HEALTH_LIMITS, type HealthLimits } from './health';
export { validateCard, MAX_EXPIRY_YEARS_AHEAD, type ValidatedCard } from './card';
export { CARD_BRANDS, detectBrand, passesLuhn, type CardBrand } from './cardBrands';
export { validateEnrolInput, type NormalisedEnrolInput, MAX_CONSENT_SOURCE_LENGTH } from './enrolInput';
export { validateUpdateInput, type NormalisedUpdateInput } from './updateInput';
export { boundedText, codePointLength } from './text';
export * from './types';
