import type { CustomerDoc } from '../customers/customerModel';
import { outOfScope } from '../customers/customerQueryResolver';
import { notErasing } from '../privacy/erasingMark';
import { rowFilter, subject } from '../policy';
import { ErrorCode, SafeError } from '../server/errors';
import type { RequestContext } from '../server/requestContext';

const ID_FORMAT = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Staff: the customer, if the caller may update its `verification` attribute under the declared
 * purpose and task (FORBIDDEN outside the rows, FORBIDDEN_FIELD without the field rule).
 */
export async function customerToVerify(ctx: RequestContext, id: string): Promise<CustomerDoc> {
  const doc = ID_FORMAT.test(id)
    ? await ctx.app.models.customers.findOne({ $and: [rowFilter(ctx.ability, 'update', 'Customer'), { _id: id }, notErasing()] }).lean<CustomerDoc>().exec()
    : null;
  if (!doc) throw outOfScope(ctx, id);
  if (!ctx.ability.can('update', subject('Customer', doc as CustomerDoc & Record<string, unknown>), 'verification')) {
    ctx.audit.denied('Customer', doc._id, 'verification');
    throw new SafeError(ErrorCode.FORBIDDEN_FIELD, `Not allowed to update Customer.verification for purpose ${ctx.purpose?.id}; nothing was written`, {
      field: 'Customer.verification', purpose: ctx.purpose?.id ?? null, count: 1,
    });
  }
  return doc;
}

/**
 * Self-service: the caller's own record, if the policy lets them read their `verification`
 * (role `customer`, scope self). Confirming one's own address needs no other grant.
 */
export async function ownCustomer(ctx: RequestContext): Promise<CustomerDoc> {
  const id = ctx.principal?.kind === 'customer' ? ctx.principal.id : '';
  const doc = ID_FORMAT.test(id) ? await ctx.loaders.customer.load(id) : null;
  if (!doc) throw outOfScope(ctx, id);
  if (!ctx.ability.can('read', subject('Customer', doc as CustomerDoc & Record<string, unknown>), 'verification')) {
    ctx.audit.denied('Customer', doc._id, 'verification');
    throw new SafeError(ErrorCode.FORBIDDEN_FIELD, 'Not allowed to verify Customer.verification for purpose self-service', {
      field: 'Customer.verification', purpose: ctx.purpose?.id ?? null, count: 1,
    });
  }
  return doc;
}

/**
 * After a write: record it and let the returned Customer resolve from the fresh document. `id` is set
 * on the result too, so it resolves in schemas that have no Customer.id resolver of their own.
 */
export function written(ctx: RequestContext, doc: CustomerDoc): CustomerDoc {
  ctx.audit.written('Customer', doc._id, ['verification']);
  ctx.loaders.customer.clear(doc._id).prime(doc._id, doc);
  return Object.assign(doc, { id: doc._id });
}
