import type { PolicySet } from '../policy';

/** Customer segments the company uses. */
export const SEGMENTS = ['consumer', 'small-business', 'enterprise', 'public-sector'] as const;
/** Loyalty tiers of the program. */
export const LOYALTY_TIERS = ['bronze', 'silver', 'gold', 'platinum'] as const;

export interface InputLists {
  preferences: readonly string[];
  segments: readonly string[];
  loyaltyTiers: readonly string[];
  consentKeys: readonly string[];
}

/** The allowed values inputs are checked against (preferences and consent keys come from the policies). */
export function inputLists(policies: PolicySet): InputLists {
  return {
    preferences: policies.allowedPreferences,
    segments: SEGMENTS,
    loyaltyTiers: LOYALTY_TIERS,
    consentKeys: [...policies.consentKeys.keys()],
  };
}
