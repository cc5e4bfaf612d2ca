import type { TokenClaims } from '../auth/tokens';

/** A demo persona; `npm start` prints a token for each, with the headers to use it. */
export interface Persona {
  name: string;
  claims: TokenClaims;
  /** The endpoint it uses. */
  endpoint: '/graphql' | '/self/graphql' | '/partner/graphql';
  /** X-Purpose to send (customers: implicit self-service). */
  purpose: string;
  /** X-Task-Id of its seeded task, when the purpose needs one. */
  task?: string;
  note: string;
}

/** The seeded tasks of the personas. */
export const DEMO_TASKS = {
  alice: 'tsk_support_alice',
  bob: 'tsk_billing_bob',
  carla: 'tsk_care_carla',
  pat: 'tsk_privacy_pat',
  vera: 'tsk_verify_vera',
  shipfast: 'tsk_fulfil_shipfast',
} as const;

/** The demo customer who uses the self-service view. */
export const DEMO_CUSTOMER_ID = 'cus_0001';

export const PERSONAS: Persona[] = [
  { name: 'alice', claims: { kind: 'staff', sub: 'alice', roles: ['support-agent'] }, endpoint: '/graphql', purpose: 'customer-support', task: DEMO_TASKS.alice, note: 'support agent working a ticket' },
  { name: 'bob', claims: { kind: 'staff', sub: 'bob', roles: ['billing-agent'] }, endpoint: '/graphql', purpose: 'billing', task: DEMO_TASKS.bob, note: 'billing agent' },
  { name: 'mia', claims: { kind: 'staff', sub: 'mia', roles: ['marketing-specialist'] }, endpoint: '/graphql', purpose: 'marketing', note: 'marketing specialist' },
  { name: 'dan', claims: { kind: 'staff', sub: 'dan', roles: ['data-analyst'] }, endpoint: '/graphql', purpose: 'analytics', note: 'data analyst' },
  { name: 'carla', claims: { kind: 'staff', sub: 'carla', roles: ['care-advisor'] }, endpoint: '/graphql', purpose: 'care', task: DEMO_TASKS.carla, note: 'care advisor' },
  { name: 'sam', claims: { kind: 'staff', sub: 'sam', roles: ['supervisor'] }, endpoint: '/graphql', purpose: 'task-management', note: 'supervisor: opens and closes tasks' },
  { name: 'pat', claims: { kind: 'staff', sub: 'pat', roles: ['privacy-officer'] }, endpoint: '/graphql', purpose: 'audit', note: `privacy officer (also X-Purpose: privacy-request with X-Task-Id: ${DEMO_TASKS.pat})` },
  { name: 'vera', claims: { kind: 'staff', sub: 'vera', roles: ['verification-officer'] }, endpoint: '/graphql', purpose: 'identity-verification', task: DEMO_TASKS.vera, note: 'verification officer' },
  { name: 'rita', claims: { kind: 'staff', sub: 'rita', roles: ['records-manager'] }, endpoint: '/graphql', purpose: 'records-management', note: 'records manager: retention, disposal runs, storage assets' },
  { name: 'shipfast', claims: { kind: 'partner', sub: 'sf-dispatch', partner: 'shipfast' }, endpoint: '/partner/graphql', purpose: 'order-fulfilment', task: DEMO_TASKS.shipfast, note: 'subcontractor ShipFast (parcel delivery)' },
  { name: 'customer', claims: { kind: 'customer', sub: DEMO_CUSTOMER_ID }, endpoint: '/self/graphql', purpose: 'self-service', note: `customer ${DEMO_CUSTOMER_ID} (self-service)` },
];
