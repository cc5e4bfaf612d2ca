/**
 * Planted analytics cohorts: customers who share every dimension, imported as the demo data is
 * (sealed, with their data keys). Segment "research" and countries NO and IS are in no demo record,
 * so the cells that name them hold exactly the cohorts below.
 */
import { importCustomers, type CustomerDoc } from '../../src/customers';
import type { TestApp } from '../support/app';

export interface Cohort {
  name: string;
  size: number;
  segment: string;
  country: string;
  loyaltyTier: string;
  birthDate: string;
  preferences: string[];
  analytics: boolean;
}

/** A: 12 and B: 11 are counted; C: 3 (the only customers in Iceland) is below k = 10; D: 15 never consented. */
export const COHORTS: Cohort[] = [
  { name: 'a', size: 12, segment: 'research', country: 'NO', loyaltyTier: 'gold', birthDate: '1984-03-02', preferences: ['newsletter'], analytics: true },
  { name: 'b', size: 11, segment: 'research', country: 'NO', loyaltyTier: 'silver', birthDate: '1991-07-09', preferences: ['newsletter', 'eco-delivery'], analytics: true },
  { name: 'c', size: 3, segment: 'research', country: 'IS', loyaltyTier: 'gold', birthDate: '1986-11-20', preferences: ['newsletter'], analytics: true },
  { name: 'd', size: 15, segment: 'research', country: 'NO', loyaltyTier: 'gold', birthDate: '1984-03-02', preferences: ['newsletter'], analytics: false },
];

/** Imports the cohorts; resolves to the ids of each, by cohort name. */
export async function plantCohorts(app: TestApp, cohorts: readonly Cohort[] = COHORTS): Promise<Record<string, string[]>> {
  const services = app.running.services;
  const at = new Date();
  const ids: Record<string, string[]> = {};
  const docs: CustomerDoc[] = cohorts.flatMap((c) => Array.from({ length: c.size }, (_, i) => {
    const _id = `cus_${c.name}${String(i).padStart(3, '0')}`;
    (ids[c.name] ??= []).push(_id);
    const consentState = { storage: true, marketing: false, analytics: c.analytics, 'health-data': false };
    return {
      _id, fullName: `Planted ${c.name} ${i}`, birthDate: c.birthDate,
      address: { street: '1 Fjord Way', city: 'Bergen', postalCode: '5003', country: c.country },
      segment: c.segment, loyaltyTier: c.loyaltyTier, preferences: c.preferences,
      consentState, consents: Object.entries(consentState).map(([key, granted]) => ({ key, granted, at, source: 'import' })),
      enrolledBy: 'import', createdAt: at, updatedAt: at,
    } as CustomerDoc;
  }));
  const keys = await services.keys.createMany(docs.map((d) => d._id));
  await importCustomers(services, docs, keys);
  return ids;
}
