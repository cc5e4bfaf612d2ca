import { describe, expect, it } from 'vitest';
import { validateLoyaltyTier, validatePreferences, validateSegment } from '../../../src/customers/input';
import { expectInputError } from './expectInputError';

const PREFERENCES = ['newsletter', 'sms-offers', 'paperless-billing'];

describe('validatePreferences', () => {
  it('accepts values from the allowed list', () => {
    expect(validatePreferences(['newsletter', ' paperless-billing '], PREFERENCES)).toEqual(['newsletter', 'paperless-billing']);
    expect(validatePreferences([], PREFERENCES)).toEqual([]);
  });

  it('rejects a value outside the list, naming its index and the allowed values but not the value', () => {
    const err = expectInputError(() => validatePreferences(['newsletter', 'telepathy'], PREFERENCES), 'input.preferences[1]', /must be one of: newsletter, sms-offers, paperless-billing/, ['telepathy']);
    expect(err.message).not.toContain('telepathy');
  });

  it('does not list a long allowed list in the rule', () => {
    const many = Array.from({ length: 30 }, (_, i) => `pref-${i}`);
    expectInputError(() => validatePreferences(['other-thing'], many), 'input.preferences[0]', /must be one of the allowed values$/, ['other-thing']);
  });

  it('rejects duplicates', () => {
    expectInputError(() => validatePreferences(['newsletter', 'newsletter'], PREFERENCES), 'input.preferences[1]', /must not repeat an earlier entry/, []);
  });

  it('rejects more than the maximum count', () => {
    expectInputError(() => validatePreferences(['newsletter', 'sms-offers'], PREFERENCES, 'input.preferences', 1), 'input.preferences', /at most 1 entries/, ['sms-offers']);
  });

  it('rejects a non-list and a non-string entry', () => {
    expectInputError(() => validatePreferences('newsletter', PREFERENCES), 'input.preferences', /must be a list/, ['newsletter']);
    expectInputError(() => validatePreferences([7], PREFERENCES), 'input.preferences[0]', /must be a string/, []);
  });
});

describe('validateSegment / validateLoyaltyTier', () => {
  it('check membership when a list is given', () => {
    expect(validateSegment('premium', ['standard', 'premium'])).toBe('premium');
    expectInputError(() => validateSegment('platinum-vip', ['standard', 'premium']), 'input.segment', /must be one of: standard, premium/, ['platinum-vip']);
    expect(validateLoyaltyTier('gold', ['silver', 'gold'])).toBe('gold');
    expectInputError(() => validateLoyaltyTier('diamond', ['silver', 'gold']), 'input.loyaltyTier', /must be one of: silver, gold/, ['diamond']);
  });

  it('accept a bounded token when no list is given', () => {
    expect(validateSegment('small_business-2')).toBe('small_business-2');
    expectInputError(() => validateSegment('drop table;'), 'input.segment', /1 to 64 letters, digits, hyphens or underscores/, ['drop table']);
    expectInputError(() => validateLoyaltyTier('x'.repeat(65)), 'input.loyaltyTier', /1 to 64 letters/, ['xxxxxxxx']);
  });
});
