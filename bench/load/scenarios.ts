/**
 * The personas of the load test and what each may see: the GraphQL operation it sends, and the
 * Customer attributes it may read, computed from the real policy (policyMatrix over the policy set
 * with the partner roles), never from a hand-written list.
 */
import { signToken, type TokenClaims } from '../../src/auth/tokens';
import type { PolicySet } from '../../src/core/policyModel';
import { PERSONAS, type Persona } from '../../src/demo/personas';
import { policyMatrix } from '../../src/policy';

export interface Scenario {
  persona: string;
  endpoint: string;
  headers: Record<string, string>;
  query: string;
  /** Where the rows are in `data`. */
  rows: (data: Record<string, any>) => Array<Record<string, unknown>>;
  /** Customer attribute paths (fields.yaml) this persona may read under its purpose. */
  allowed: ReadonlySet<string>;
  /** The role the matrix was taken from, and the purpose. */
  role: string;
  purpose: string;
  task?: string;
  /** The customer a self-service caller is (rows must be that customer only). */
  self?: string;
}

/** The load personas: support (with its task), billing, marketing, analytics, care, partner ShipFast, customer. */
export const LOAD_PERSONAS = ['alice', 'bob', 'mia', 'dan', 'carla', 'shipfast', 'customer'] as const;

const STAFF_FIELDS = `id fullName email phone birthDate birthYear segment loyaltyTier preferences createdAt updatedAt
  address { street city postalCode country } paymentCard { brand last4 expiryMonth expiryYear } health { conditions notes } consents { key granted }`;
const PARTNER_FIELDS = 'id fullName phone address { street city postalCode country }';

function roleOf(p: Persona): string {
  if (p.claims.kind === 'partner') return `partner:${p.claims.partner}`;
  if (p.claims.kind === 'customer') return 'customer';
  return p.claims.roles![0]!;
}

/** Readable Customer attributes of `role` under `purpose`, from policyMatrix (row conditions apart). */
export function allowedFields(policies: PolicySet, role: string, purpose: string): Set<string> {
  return new Set(policyMatrix(policies, role, purpose).filter((p) => p.action === 'read' && p.allowed).map((p) => p.field));
}

export function scenarios(policies: PolicySet, jwtSecret: string, first = 10): Scenario[] {
  return LOAD_PERSONAS.map((name) => {
    const p = PERSONAS.find((x) => x.name === name)!;
    const role = roleOf(p);
    const token = signToken(jwtSecret, p.claims as TokenClaims, '2h');
    const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    if (p.endpoint !== '/self/graphql') headers['x-purpose'] = p.purpose;
    if (p.task) headers['x-task-id'] = p.task;
    const self = p.claims.kind === 'customer' ? p.claims.sub : undefined;
    const query = self
      ? `query LoadMe { me { ${STAFF_FIELDS} } }`
      : `query Load${name} { customers(first: ${first}) { edges { node { ${p.claims.kind === 'partner' ? PARTNER_FIELDS : STAFF_FIELDS} } } } }`;
    const rows = self
      ? (d: Record<string, any>) => (d?.me ? [d.me] : [])
      : (d: Record<string, any>) => (d?.customers?.edges ?? []).map((e: { node: Record<string, unknown> }) => e.node);
    return { persona: name, endpoint: p.endpoint, headers, query, rows, allowed: allowedFields(policies, role, p.purpose), role, purpose: p.purpose, task: p.task, self };
  });
}
