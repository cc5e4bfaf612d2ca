import type { RequestContext } from '../server/requestContext';
import type { ActorKind } from './verificationState';

/** Who acts, as recorded in a verification state (`by`, `byKind`). */
export function actorOf(ctx: RequestContext): { by: string; byKind: ActorKind } {
  const p = ctx.principal;
  if (!p) return { by: 'system', byKind: 'system' };
  if (p.kind === 'partner') return { by: `partner:${p.partner ?? p.id}`, byKind: 'partner' };
  return { by: p.id, byKind: p.kind };
}
