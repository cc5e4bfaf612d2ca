/** Asking for an erasure from a request: the check, the reason, and the record of it. */
import { checkFreeText } from '../core/freeText';
import type { RequestContext } from '../core/context';
import { InputError } from '../core/errors';
import { boundedText } from '../customers/input';
import type { StoredCustomer } from '../customers';
import { logger } from '../logger';
import { actingRoles } from '../policy';
import { erasureModel, erasureRef, type ErasureDoc } from './model';
import { eraseCustomer, erasureServicesOf } from './procedure';

/** Longest erasure reason, in characters. */
export const MAX_REASON_LENGTH = 300;

/**
 * An erasure reason is kept forever in the erasure record, which must hold no personal data:
 * 3 to 300 characters, and nothing that looks like an email address or a phone/card/id number.
 */
export function checkReason(reason: unknown, field = 'reason'): string {
  const text = boundedText(reason, field, { min: 3, max: MAX_REASON_LENGTH });
  checkFreeText(text, field);
  if (/@|\d{5,}|\bcus_/i.test(text)) throw new InputError(field, 'must not contain personal data (no email addresses, numbers of 5+ digits or customer ids)');
  return text;
}

/** The erasure record of a customer id, if one exists (DONE or PENDING). */
export async function erasureOf(ctx: RequestContext, customerId: string): Promise<ErasureDoc | null> {
  const svc = erasureServicesOf(ctx.services);
  return erasureModel(ctx.services.conn).findById(erasureRef(svc.refKey, customerId)).lean<ErasureDoc>().exec();
}

/**
 * Runs the erasure procedure for a customer the caller may erase (`erase` on Customer, checked on
 * the document by the field guard), as a recorded write under the customer. If a step fails, the
 * record stays PENDING and the receipt says so; the next start or `npm run erasure:resume` completes it.
 */
export async function requestErasure(ctx: RequestContext, customer: StoredCustomer, reason: string): Promise<ErasureDoc> {
  ctx.guard.authorize('Customer', customer, 'erase', []);
  const svc = erasureServicesOf(ctx.services);
  const requestedBy = actingRoles(ctx.services.policies, ctx.principal, ctx.purpose?.id ?? null).join(', ');
  return ctx.log.commit([{ subjectType: 'Customer', subjectId: customer._id, fields: ['erasure'] }], async () => {
    try {
      return await eraseCustomer(svc, customer._id, { reason, requestedBy });
    } catch (err) {
      logger.error('erasure interrupted; it stays pending and is completed at the next start or by npm run erasure:resume', {
        requestId: ctx.requestId, error: (err as Error).name,
      });
      const pending = await erasureOf(ctx, customer._id);
      if (!pending) throw err;
      return pending;
    }
  });
}
