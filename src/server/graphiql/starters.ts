/**
 * What GraphiQL opens with, per audience: the starter comment (short lines, so it fits beside the
 * Purpose panel at 1024 px), and in development one tab per demo persona of the endpoint, with its
 * headers filled and a first query that works under its purpose.
 */
import { signToken } from '../../auth/tokens';
import type { Audience } from '../../core/context';
import type { PolicySet } from '../../core/policyModel';
import { PERSONAS } from '../../demo/personas';
import { policyMatrix } from '../../policy';
import type { GraphiQLExample } from './examples';

// Lines of at most 24 characters: the editor beside the open panel is that wide at 1024 px.
const STAFF_STARTER = `# In the Purpose panel:
# 1. paste your token,
# 2. pick a purpose
#    (and a task),
# 3. open an example.
# A field you may not
# read is null, with a
# FORBIDDEN_FIELD error.
{
  myPurposes {
    id
    requiresTask
  }
}
`;

// Customers never declare a purpose: theirs is always self-service.
const SELF_STARTER = `# Your own data.
# In the Purpose panel,
# paste your customer
# token once, then run.
{
  me {
    fullName
    email
    consents {
      key
      granted
    }
  }
}
`;

export function starterQuery(audience: Audience): string {
  return audience === 'self' ? SELF_STARTER : STAFF_STARTER;
}

export interface GraphiQLTab {
  title: string;
  query: string;
  variables: string;
  headers: string;
}

/** A customers query selecting what the role may read under the purpose (top-level attributes, and address fields). */
function customersQuery(policies: PolicySet, roles: readonly string[], purpose: string): string | null {
  const readable = new Set<string>();
  for (const role of roles) {
    if (!policies.roles.get(role)?.purposes.has(purpose)) continue;
    for (const p of policyMatrix(policies, role, purpose)) if (p.action === 'read' && p.allowed) readable.add(p.field);
  }
  const top = ['fullName', 'email', 'phone', 'segment', 'loyaltyTier', 'preferences', 'birthYear'].filter((f) => readable.has(f));
  const address = ['city', 'country'].filter((f) => readable.has(`address.${f}`));
  if (top.length === 0 && address.length === 0) return null;
  const fields = ['id', ...top, ...(address.length ? [`address { ${address.join(' ')} }`] : [])].map((f) => `        ${f}\n`).join('');
  return `# ${purpose}:\n# your first customers.\n{\n  customers(first: 5) {\n    totalCount\n    edges {\n      node {\n${fields}      }\n    }\n  }\n}\n`;
}

/** Development: one tab per demo persona of this endpoint. Tokens are the demo ones (8 h), in the page only, never stored. */
export function personaTabs(endpoint: string, policies: PolicySet, jwtSecret: string, examples: readonly GraphiQLExample[]): GraphiQLTab[] {
  return PERSONAS.filter((p) => p.endpoint === endpoint).map((p) => {
    const headers: Record<string, string> = { Authorization: `Bearer ${signToken(jwtSecret, p.claims)}` };
    if (p.endpoint !== '/self/graphql') headers['X-Purpose'] = p.purpose;
    if (p.task) headers['X-Task-Id'] = p.task;
    const example = examples.find((e) => e.purpose === p.purpose && !e.variables && !/^\s*mutation/m.test(e.query));
    const roles = p.claims.kind === 'staff' ? p.claims.roles ?? [] : [];
    const query = p.endpoint === '/self/graphql' ? SELF_STARTER
      : example?.query ?? customersQuery(policies, roles, p.purpose)
        ?? (p.purpose === 'audit' ? '# audit:\n# the latest accesses.\n{\n  accessLog(first: 5) {\n    edges {\n      node {\n        at\n        purpose\n        subjectId\n        fieldsRead\n      }\n    }\n  }\n}\n' : STAFF_STARTER);
    return { title: p.name, query, variables: example?.variables ?? '', headers: JSON.stringify(headers, null, 2) };
  });
}
