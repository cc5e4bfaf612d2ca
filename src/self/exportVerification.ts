import type { RequestContext } from '../server/requestContext';
import { VerificationStateResolver } from '../verification/verificationFieldResolvers';
import { normaliseVerification, VERIFICATION_ITEMS } from '../verification/verificationState';

/** The GraphQL field resolver of `VerificationState.by`, used here so the export applies the very same rule. */
const byRule = new VerificationStateResolver();

/**
 * `verification` as the export shows it: the fields of the GraphQL `Verification` type (status,
 * method, at, by, evidenceRef per item), with `by` mapped as on /self/graphql — a customer sees
 * "staff" (or "partner"), never a staff member's personal id. The stored `byKind` is not exported.
 */
export function exportVerification(ctx: RequestContext, stored: unknown): Record<string, unknown> {
  const all = normaliseVerification(stored);
  return Object.fromEntries(
    VERIFICATION_ITEMS.map((item) => {
      const s = all[item];
      return [item, { status: s.status, method: s.method ?? null, at: s.at ?? null, by: byRule.by(s, ctx), evidenceRef: s.evidenceRef ?? null }];
    }),
  );
}
