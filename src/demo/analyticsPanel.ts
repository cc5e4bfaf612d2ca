/**
 * The demo's analytics panel: customers who share their coarse attributes in groups of 15, so that
 * customerStats has groups of at least k (10) to show. The 1,000 random demo customers spread over
 * about 4,000 combinations of segment, country, tier, decade and preferences: under the suppression
 * rule (docs/analytics.md) nearly all of them fall in some cell below k and are counted nowhere.
 */
export interface PanelGroup {
  segment: string;
  /** One of the demo places' countries (seed.ts). */
  country: string;
  loyaltyTier: string;
  /** Birth years are drawn within this decade. */
  decade: number;
  preferences: string[];
}

export const PANEL_GROUP_SIZE = 15;
export const ANALYTICS_PANEL: readonly PanelGroup[] = [
  { segment: 'consumer', country: 'FR', loyaltyTier: 'gold', decade: 1980, preferences: ['newsletter'] },
  { segment: 'consumer', country: 'DE', loyaltyTier: 'silver', decade: 1970, preferences: ['eco-delivery'] },
  { segment: 'small-business', country: 'FR', loyaltyTier: 'silver', decade: 1990, preferences: ['newsletter', 'paperless-billing'] },
  { segment: 'enterprise', country: 'ES', loyaltyTier: 'bronze', decade: 1960, preferences: [] },
];

/** Panel ids sort after the random customers' (`cus_0001`…): `cus_p001`…. */
export const panelCustomerId = (i: number) => `cus_p${String(i).padStart(3, '0')}`;
