import { Arg, Ctx, ID, Int, Query, Resolver } from 'type-graphql';
import { rowFilter } from '../policy';
import { notErasing } from '../privacy/erasingMark';
import { ErrorCode, SafeError } from '../server/errors';
import type { RequestContext } from '../server/requestContext';
import type { CustomerDoc } from './customerModel';
import { Customer, CustomerConnection, CustomerFilter } from './customerTypes';
import { decodeCursor, encodeCursor, pageSize } from './cursor';

const ID_FORMAT = /^[A-Za-z0-9_-]{1,64}$/;

/** FORBIDDEN, the same whether the customer exists or not; recorded as an operation-level denial. */
export function outOfScope(ctx: RequestContext, id: string): SafeError {
  const reason = 'the customer is outside your scope for this purpose, or does not exist';
  ctx.audit.operationDenied(ErrorCode.FORBIDDEN, reason, 'Customer', ID_FORMAT.test(id) ? id : null);
  return new SafeError(ErrorCode.FORBIDDEN, `Not allowed: ${reason}`);
}

/** Loads a customer the caller may read, or throws FORBIDDEN. */
export async function loadInScope(ctx: RequestContext, id: string): Promise<CustomerDoc> {
  const doc = ID_FORMAT.test(id) ? await ctx.loaders.customer.load(id) : null;
  if (!doc) throw outOfScope(ctx, id);
  return doc;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The caller's filter; filtering on an attribute the caller may not read would leak it, so that is refused. */
function callerFilter(ctx: RequestContext, filter: CustomerFilter | null | undefined): Record<string, unknown> {
  const clauses: Record<string, unknown>[] = [];
  const need = (path: string) => {
    if (!ctx.ability.can('read', 'Customer', path)) {
      ctx.audit.operationDenied(ErrorCode.FORBIDDEN_FIELD, `filter on Customer.${path} refused: not readable for purpose ${ctx.purpose?.id}`, 'Customer');
      throw new SafeError(ErrorCode.FORBIDDEN_FIELD, `Not allowed to filter on Customer.${path} for purpose ${ctx.purpose?.id}`, {
        field: `Customer.${path}`, purpose: ctx.purpose?.id ?? null, count: 0,
      });
    }
  };
  if (filter?.segment != null) { need('segment'); clauses.push({ segment: filter.segment }); }
  if (filter?.country != null) { need('address.country'); clauses.push({ 'address.country': filter.country.toUpperCase() }); }
  if (filter?.search != null) {
    need('fullName');
    const text = filter.search.trim();
    if (text.length < 1 || text.length > 100) throw new SafeError(ErrorCode.BAD_USER_INPUT, 'Invalid value for "filter.search": must be 1 to 100 characters', { field: 'filter.search' });
    clauses.push({ fullName: { $regex: '^' + escapeRegex(text), $options: 'i' } });
  }
  return clauses.length ? { $and: clauses } : {};
}

@Resolver(() => Customer)
export class CustomerQueryResolver {
  @Query(() => Customer, { nullable: true, description: 'One customer in scope; FORBIDDEN otherwise (whether it exists or not).' })
  async customer(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<CustomerDoc> {
    return loadInScope(ctx, id);
  }

  @Query(() => CustomerConnection, { description: 'Customers in scope, filtered in the database.' })
  async customers(
    @Ctx() ctx: RequestContext,
    @Arg('filter', () => CustomerFilter, { nullable: true }) filter?: CustomerFilter,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    const limit = pageSize(first, 50, 200);
    const scope = { $and: [rowFilter(ctx.ability, 'read', 'Customer'), callerFilter(ctx, filter), notErasing()] };
    const page = after ? { $and: [scope, { _id: { $gt: decodeCursor(after) } }] } : scope;
    const { customers } = ctx.app.models;
    const [docs, totalCount] = await Promise.all([
      customers.find(page).sort({ _id: 1 }).limit(limit + 1).lean<CustomerDoc[]>().exec(),
      customers.countDocuments(scope).exec(),
    ]);
    const rows = docs.slice(0, limit);
    for (const d of rows) ctx.loaders.customer.prime(d._id, d);
    const edges = rows.map((node) => ({ cursor: encodeCursor(node._id), node }));
    return { edges, totalCount, pageInfo: { hasNextPage: docs.length > limit, endCursor: edges.at(-1)?.cursor ?? null } };
  }
}
