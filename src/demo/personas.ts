import type { TokenClaims } from '../auth/tokens';

/** The demo personas seeded with the demo data; `npm start` prints a token for each. */
export interface Persona {
  name: string;
  claims: TokenClaims;
  /** What to set in X-Purpose (and X-Task-Id: the seeded task of that persona) to try it. */
  purpose: string;
  note: string;
}

export const STAFF_PERSONAS: Persona[] = [
  { name: 'alice', claims: { kind: 'staff', sub: 'alice', roles: ['support-agent'] }, purpose: 'customer-support', note: 'support agent, works support tickets' },
  { name: 'bob', claims: { kind: 'staff', sub: 'bob', roles: ['billing-agent'] }, purpose: 'billing', note: 'billing agent' },
  { name: 'mia', claims: { kind: 'staff', sub: 'mia', roles: ['marketing-specialist'] }, purpose: 'marketing', note: 'marketing specialist' },
  { name: 'dan', claims: { kind: 'staff', sub: 'dan', roles: ['data-analyst'] }, purpose: 'analytics', note: 'data analyst' },
  { name: 'carla', claims: { kind: 'staff', sub: 'carla', roles: ['care-advisor'] }, purpose: 'care', note: 'care advisor' },
  { name: 'sam', claims: { kind: 'staff', sub: 'sam', roles: ['supervisor'] }, purpose: 'task-management', note: 'supervisor, opens and closes tasks' },
  { name: 'pat', claims: { kind: 'staff', sub: 'pat', roles: ['privacy-officer'] }, purpose: 'audit', note: 'privacy officer' },
];
