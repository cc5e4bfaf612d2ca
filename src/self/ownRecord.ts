import type { CustomerDoc } from '../customers/customerModel';
import { ErrorCode, SafeError } from '../server/errors';
import type { RequestContext } from '../server/requestContext';

/** The calling customer's own document (rows from the policy: scope self). Gone: UNAUTHENTICATED. */
export async function ownRecord(ctx: RequestContext): Promise<CustomerDoc & Record<string, unknown>> {
  const id = ctx.principal?.id;
  const doc = id ? await ctx.loaders.customer.load(id) : null;
  if (!doc) throw new SafeError(ErrorCode.UNAUTHENTICATED, 'Not authenticated: this customer is not in the program (unknown, or erased)');
  return doc as CustomerDoc & Record<string, unknown>;
}
