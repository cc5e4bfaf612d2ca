import { appendConsentEvents, type ConsentEventDoc } from '../audit';
import type { AppServices } from '../core/context';
import { systemWrite } from '../core/writeScope';
import { anyCustomer, importCustomers, type CustomerDoc } from '../customers';
import { taskModel, type TaskDoc } from '../tasks';
import { DEMO_TASKS } from './personas';
import { ANALYTICS_PANEL, PANEL_GROUP_SIZE, panelCustomerId } from './analyticsPanel';

/** A small deterministic PRNG (mulberry32), so the demo data set is the same on every start. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = ['Camille', 'Louis', 'Chloé', 'Hugo', 'Léa', 'Lucas', 'Emma', 'Noah', 'Jade', 'Arthur', 'Anna', 'Jonas', 'Sofia', 'Mateo', 'Amira', 'Yuki', 'Olga', 'Kwame', 'Priya', 'Liam'];
const LAST = ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Petit', 'Durand', 'Leroy', 'Moreau', 'Schmidt', 'Müller', 'García', 'Rossi', 'Jansen', 'Peeters', 'Kowalski', 'Okafor', 'Nakamura', 'Singh', 'Smith'];
const PLACES: Array<{ country: string; city: string; postal: () => string; phone: () => string }> = [];
const STREETS = ['rue de la Paix', 'avenue Victor Hugo', 'Hauptstraße', 'Calle Mayor', 'Via Roma', 'Kerkstraat', 'High Street', 'boulevard Voltaire'];
export const DEMO_SEGMENTS = ['consumer', 'small-business', 'enterprise', 'public-sector'];
const TIERS = ['bronze', 'silver', 'gold', 'platinum'];
const PREFS = ['newsletter', 'sms-offers', 'email-offers', 'phone-calls', 'paperless-billing', 'eco-delivery'];
const CONDITIONS = ['asthma', 'diabetes type 2', 'hypertension', 'lactose intolerance', 'peanut allergy'];
const NOTES = ['Prefers morning calls about treatment reminders.', 'Follow-up scheduled after the last consultation.', 'Needs large-print documents.'];
/** Test card numbers (they pass Luhn; no real card). */
const CARDS = [
  { brand: 'visa', number: '4111111111111111' },
  { brand: 'mastercard', number: '5555555555554444' },
  { brand: 'amex', number: '378282246310005' },
];

export const DEMO_CUSTOMER_COUNT = 1000;
/** Plus the analytics panel: ANALYTICS_PANEL.length × PANEL_GROUP_SIZE customers (analyticsPanel.ts). */
export const demoCustomerId = (i: number) => `cus_${String(i).padStart(4, '0')}`;


function digits(rand: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i += 1) s += Math.floor(rand() * 10);
  return s;
}

function places(rand: () => number) {
  if (PLACES.length === 0) {
    PLACES.push(
      { country: 'FR', city: 'Lyon', postal: () => '69' + digits(rand, 3), phone: () => '+336' + digits(rand, 8) },
      { country: 'FR', city: 'Paris', postal: () => '75' + digits(rand, 3), phone: () => '+337' + digits(rand, 8) },
      { country: 'DE', city: 'Berlin', postal: () => '10' + digits(rand, 3), phone: () => '+49151' + digits(rand, 7) },
      { country: 'ES', city: 'Madrid', postal: () => '28' + digits(rand, 3), phone: () => '+346' + digits(rand, 8) },
      { country: 'IT', city: 'Roma', postal: () => '00' + digits(rand, 3), phone: () => '+39312' + digits(rand, 7) },
      { country: 'BE', city: 'Gent', postal: () => '9' + digits(rand, 3), phone: () => '+32470' + digits(rand, 6) },
      { country: 'NL', city: 'Utrecht', postal: () => '35' + digits(rand, 2) + ' AB', phone: () => '+316' + digits(rand, 8) },
    );
  }
  return PLACES;
}

const pick = <T>(rand: () => number, list: readonly T[]): T => list[Math.floor(rand() * list.length)];

export interface SeedResult {
  customers: number;
  tasks: number;
}

/**
 * Seeds the demo data set (idempotent: does nothing if customers exist): 1,000 customers with a
 * realistic mix of consents, segments and countries, some with cards and health data (encrypted
 * under each customer's data key, created here as at enrolment), and an open task for each persona
 * that works through tasks; then the analytics panel (analyticsPanel.ts), 60 customers in groups
 * that share their coarse attributes, so that customerStats has groups to show.
 */
export async function seedDemo(services: Pick<AppServices, 'conn' | 'policies' | 'keys' | 'index'>, count = DEMO_CUSTOMER_COUNT, now = new Date()): Promise<SeedResult> {
  const { conn, policies } = services;
  if (await anyCustomer(services)) return { customers: 0, tasks: 0 };
  const rand = prng(20261129);
  const keys = await services.keys.createMany(Array.from({ length: count }, (_, i) => demoCustomerId(i + 1)));
  const docs: CustomerDoc[] = [];
  const at = new Date(Date.UTC(2026, 0, 15));
  for (let i = 1; i <= count; i += 1) {
    const _id = demoCustomerId(i);
    const first = pick(rand, FIRST);
    const last = pick(rand, LAST);
    const place = pick(rand, places(rand));
    const consentState: Record<string, boolean> = {
      storage: true,
      marketing: rand() < 0.55,
      analytics: rand() < 0.7,
      'health-data': rand() < 0.15,
    };
    const year = 1940 + Math.floor(rand() * 65);
    const doc: CustomerDoc = {
      _id,
      fullName: `${first} ${last}`,
      email: `${first}.${last}.${i}@example.com`.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase(),
      phone: place.phone(),
      birthDate: `${year}-${String(1 + Math.floor(rand() * 12)).padStart(2, '0')}-${String(1 + Math.floor(rand() * 28)).padStart(2, '0')}`,
      address: { street: `${1 + Math.floor(rand() * 120)} ${pick(rand, STREETS)}`, city: place.city, postalCode: place.postal(), country: place.country },
      segment: pick(rand, DEMO_SEGMENTS),
      loyaltyTier: pick(rand, TIERS),
      preferences: PREFS.filter(() => rand() < 0.3),
      consentState,
      consents: Object.entries(consentState).map(([key, granted]) => ({ key, granted, at, source: 'import' })),
      enrolledBy: 'import',
      createdAt: at,
      updatedAt: at,
    };
    if (rand() < 0.3) {
      const card = pick(rand, CARDS);
      doc.paymentCard = {
        brand: card.brand,
        last4: card.number.slice(-4),
        expiryMonth: 1 + Math.floor(rand() * 12),
        expiryYear: now.getUTCFullYear() + 1 + Math.floor(rand() * 4),
        number: card.number as never, // sealed by importCustomers, like every write
      };
    }
    if (consentState['health-data'] || rand() < 0.05) {
      doc.health = {
        conditions: CONDITIONS.filter(() => rand() < 0.35) as never,
        notes: pick(rand, NOTES) as never,
      };
    }
    docs.push(doc);
  }
  // The analytics panel (analyticsPanel.ts): groups that share their coarse attributes, with analytics consent.
  const panel: CustomerDoc[] = ANALYTICS_PANEL.flatMap((g, n) => Array.from({ length: PANEL_GROUP_SIZE }, (_, j) => {
    const _id = panelCustomerId(n * PANEL_GROUP_SIZE + j + 1);
    const first = pick(rand, FIRST);
    const last = pick(rand, LAST);
    const place = places(rand).find((p) => p.country === g.country)!;
    const consentState: Record<string, boolean> = { storage: true, marketing: rand() < 0.5, analytics: true, 'health-data': false };
    return {
      _id,
      fullName: `${first} ${last}`,
      email: `${first}.${last}.${_id.slice(4)}@example.com`.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase(),
      phone: place.phone(),
      birthDate: `${g.decade + Math.floor(rand() * 10)}-0${1 + Math.floor(rand() * 9)}-1${Math.floor(rand() * 9)}`,
      address: { street: `${1 + Math.floor(rand() * 120)} ${pick(rand, STREETS)}`, city: place.city, postalCode: place.postal(), country: place.country },
      segment: g.segment,
      loyaltyTier: g.loyaltyTier,
      preferences: [...g.preferences],
      consentState,
      consents: Object.entries(consentState).map(([key, granted]) => ({ key, granted, at, source: 'import' })),
      enrolledBy: 'import',
      createdAt: at,
      updatedAt: at,
    };
  }));
  for (const [id, key] of await services.keys.createMany(panel.map((d) => d._id))) keys.set(id, key);
  docs.push(...panel);
  await importCustomers(services, docs, keys);
  // The consent ledger holds the imported consents too, so every customer's history starts somewhere.
  const events: ConsentEventDoc[] = docs.flatMap((d) =>
    d.consents.map((c) => ({ customerId: d._id, key: c.key, granted: c.granted, at: c.at, source: 'import' as const, textVersion: policies.consentKeys.get(c.key)?.textVersion ?? 'unknown' })),
  );
  await appendConsentEvents(conn, events);

  const withCard = docs.filter((d) => d.paymentCard).slice(0, 5).map((d) => d._id);
  const withHealth = docs.filter((d) => d.health && d.consentState['health-data']).slice(0, 5).map((d) => d._id);
  const expiresAt = new Date(now.getTime() + 365 * 24 * 3600 * 1000);
  const tasks: TaskDoc[] = [
    { _id: DEMO_TASKS.alice, purpose: 'customer-support', customerIds: [1, 2, 3, 4, 5].map(demoCustomerId), assigneeIds: ['alice'], status: 'OPEN', openedBy: 'sam', openedAt: now, expiresAt, note: 'Ticket #1042: delivery address questions' },
    { _id: DEMO_TASKS.bob, purpose: 'billing', customerIds: withCard, assigneeIds: ['bob'], status: 'OPEN', openedBy: 'sam', openedAt: now, expiresAt, note: 'Card renewals' },
    { _id: DEMO_TASKS.carla, purpose: 'care', customerIds: withHealth, assigneeIds: ['carla'], status: 'OPEN', openedBy: 'sam', openedAt: now, expiresAt, note: 'Care follow-ups' },
    { _id: DEMO_TASKS.pat, purpose: 'privacy-request', customerIds: [demoCustomerId(1), demoCustomerId(2)], assigneeIds: ['pat'], status: 'OPEN', openedBy: 'sam', openedAt: now, expiresAt, note: 'Subject access request' },
    { _id: DEMO_TASKS.vera, purpose: 'identity-verification', customerIds: [6, 7, 8].map(demoCustomerId), assigneeIds: ['vera'], status: 'OPEN', openedBy: 'sam', openedAt: now, expiresAt, note: 'Identity checks for new enrolments' },
    { _id: DEMO_TASKS.shipfast, purpose: 'order-fulfilment', customerIds: [9, 10, 11].map(demoCustomerId), assigneeIds: ['partner:shipfast'], status: 'OPEN', openedBy: 'sam', openedAt: now, expiresAt, note: 'Parcels to deliver this week' },
  ];
  await systemWrite('demo tasks', () => taskModel(conn).insertMany(tasks, { lean: true }));
  return { customers: docs.length, tasks: tasks.length };
}
