import { boundedText } from '../customers/input';
import type { CustomerDoc } from '../customers/customerModel';
import { logger } from '../logger';
import { subject } from '../policy';
import { ErrorCode, InputError, SafeError } from '../server/errors';
import type { RequestContext } from '../server/requestContext';
import { actingRoles } from './actingRoles';
import { eraseCustomer } from './eraseCustomer';
import { erasureModel, type ErasureDoc } from './erasureModel';
import { erasureRef } from './erasureRef';
import { erasureServicesOf } from './erasureServices';

/** Longest erasure reason, in characters. */
export const MAX_REASON_LENGTH = 300;

/**
 * An erasure reason is kept forever in the erasure record, which must hold no personal data:
 * 3 to 300 characters, and nothing that looks like an email address or a phone/card/id number.
 */
export function checkReason(reason: unknown, field = 'reason'): string {
  const text = boundedText(reason, field, { min: 3, max: MAX_REASON_LENGTH });
  if (/@|\d{5,}|\bcus_/i.test(text)) throw new InputError(field, 'must not contain personal data (no email addresses, numbers of 5+ digits or customer ids)');
  return text;
}

/** The erasure record of a customer id, if one exists (DONE or PENDING). */
export async function erasureOf(ctx: RequestContext, customerId: string): Promise<ErasureDoc | null> {
  const svc = erasureServicesOf(ctx.app);
  return erasureModel(ctx.app.conn).findById(erasureRef(svc.refKey, customerId)).lean<ErasureDoc>().exec();
}

/**
 * Runs the erasure procedure for a customer the caller may erase (`erase` on Customer, checked on
 * the document). The access log records the erasure under the customer. If a step fails, the
 * record stays PENDING and the receipt says so; the next start or `npm run erasure:resume`
 * completes it.
 */
export async function requestErasure(ctx: RequestContext, customer: CustomerDoc, reason: string): Promise<ErasureDoc> {
  if (!ctx.ability.can('erase', subject('Customer', customer as CustomerDoc & Record<string, unknown>))) {
    const why = `erasing this customer is not granted for purpose ${ctx.purpose?.id}`;
    ctx.audit.operationDenied(ErrorCode.FORBIDDEN, why, 'Customer', customer._id);
    throw new SafeError(ErrorCode.FORBIDDEN, `Not allowed: ${why}`);
  }
  const svc = erasureServicesOf(ctx.app);
  ctx.audit.written('Customer', customer._id, ['erasure']);
  ctx.loaders.customer.clear(customer._id);
  try {
    return await eraseCustomer(svc, customer._id, { reason, requestedBy: actingRoles(ctx).join(', ') });
  } catch (err) {
    logger.error('erasure interrupted; it stays pending and is completed at the next start or by npm run erasure:resume', {
      requestId: ctx.requestId, error: (err as Error).name,
    });
    const pending = await erasureOf(ctx, customer._id);
    if (!pending) throw err;
    return pending;
  }
}
