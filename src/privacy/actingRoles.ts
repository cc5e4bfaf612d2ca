import { rolesOf } from '../policy';
import type { RequestContext } from '../server/requestContext';

/**
 * How a requester is named in privacy records: `customer` for a customer, else the staff roles
 * that act for the request's purpose (e.g. `privacy-officer`). Never a personal id.
 */
export function actingRoles(ctx: RequestContext): string[] {
  const principal = ctx.principal;
  if (!principal) return ['anonymous'];
  if (principal.kind === 'customer') return ['customer'];
  if (principal.kind === 'partner') return [`partner:${principal.partner}`];
  const purpose = ctx.purpose?.id;
  const acting = rolesOf(ctx.app.policies, principal).filter((r) => !purpose || r.purposes.has(purpose)).map((r) => r.id);
  return acting.length ? acting : principal.roles;
}
