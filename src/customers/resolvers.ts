/** The staff operations on customers (`/graphql`, and partners' cut of it). */
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, ID, Info, Int, Mutation, Query, Resolver } from 'type-graphql';
import { appendConsentEvents } from '../audit';
import type { RequestContext } from '../core/context';
import { ErrorCode, SafeError } from '../core/errors';
import { afterPosition, openCursor, pageSize, toPage, type Page } from '../core/pagination';
import { selectionOf, selects } from '../core/selection';
import { MIN_SEARCH_WORD, words } from '../crypto';
import { inputLeaves, inputLists, validateEnrolInput, validateUpdateInput } from './input';
import { newCustomerId, type CustomerDoc, type StoredCustomer } from './model';
import { customerIdFrom, insertCustomer, loadInScope, visibleIds, visiblePage, writeCustomer } from './store';
import { Customer, CustomerConnection, CustomerFilter, EnrolCustomerInput, UpdateCustomerInput } from './types';

/** The attribute groups an input can touch part of. */
export const WRITE_GROUPS = {
  address: ['street', 'city', 'postalCode', 'country'],
  health: ['conditions', 'notes'],
} as const;
/** Setting or removing (null) a card writes all of it. */
const CARD_LEAVES = ['paymentCard.number', 'paymentCard.brand', 'paymentCard.last4', 'paymentCard.expiryMonth', 'paymentCard.expiryYear'];

function plainInput<T extends object>(input: T): Record<string, unknown> {
  return JSON.parse(JSON.stringify(input)) as Record<string, unknown>;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The caller's filter; filtering on an attribute the caller may not read would leak it, so that is refused. */
function callerFilter(ctx: RequestContext, filter: CustomerFilter | null | undefined): Record<string, unknown> {
  const clauses: Record<string, unknown>[] = [];
  const need = (path: string) => {
    if (!ctx.guard.readable('Customer', path)) {
      ctx.log.operationDenied(ErrorCode.FORBIDDEN_FIELD, `filter on Customer.${path} refused: not readable for purpose ${ctx.purpose?.id}`, 'Customer');
      throw new SafeError(ErrorCode.FORBIDDEN_FIELD, `Not allowed to filter on Customer.${path} for purpose ${ctx.purpose?.id}`, {
        field: `Customer.${path}`, purpose: ctx.purpose?.id ?? null, count: 0,
      });
    }
  };
  const { index } = ctx.services;
  // Encrypted attributes are looked up by their blind indexes (sealing.ts); a value still in clear
  // (before `npm run keys:migrate`) matches too.
  if (filter?.segment != null) { need('segment'); clauses.push({ segment: filter.segment }); }
  if (filter?.country != null) {
    need('address.country');
    const country = filter.country.trim().toUpperCase();
    clauses.push({ $or: [{ 'idx.country': index.of('country', country) }, { 'address.country': country }] });
  }
  if (filter?.email != null) {
    need('email');
    const email = filter.email.trim();
    if (email.length < 3 || email.length > 254) throw new SafeError(ErrorCode.BAD_USER_INPUT, 'Invalid value for "filter.email": must be 3 to 254 characters', { field: 'filter.email' });
    clauses.push({ $or: [{ 'idx.email': index.of('email', email) }, { email }] });
  }
  if (filter?.search != null) {
    need('fullName');
    const text = filter.search.trim();
    if (text.length < 1 || text.length > 100) throw new SafeError(ErrorCode.BAD_USER_INPUT, 'Invalid value for "filter.search": must be 1 to 100 characters', { field: 'filter.search' });
    const tokens = index.searchTokens(text);
    if (tokens.length === 0 || words(text).some((w) => w.length < MIN_SEARCH_WORD)) {
      throw new SafeError(ErrorCode.BAD_USER_INPUT, `Invalid value for "filter.search": give whole words of at least ${MIN_SEARCH_WORD} letters`, { field: 'filter.search' });
    }
    clauses.push({ $or: [{ 'idx.name': { $all: tokens } }, { fullName: { $regex: '^' + escapeRegex(text), $options: 'i' } }] });
  }
  return clauses.length ? { $and: clauses } : {};
}

@Resolver(() => Customer)
export class CustomerResolver {
  @Query(() => Customer, { nullable: true, description: 'One customer in scope; FORBIDDEN otherwise (whether it exists or not).' })
  async customer(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<CustomerDoc> {
    return loadInScope(ctx, await customerIdFrom(ctx, id));
  }

  @Query(() => CustomerConnection, { description: 'Customers in scope, filtered in the database. totalCount is computed only when selected.' })
  async customers(
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('filter', () => CustomerFilter, { nullable: true }) filter?: CustomerFilter,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<Page<StoredCustomer> & { totalCount?: number }> {
    const limit = pageSize(first, 50, 200);
    const config = ctx.services.config;
    const position = after != null ? openCursor(config, 'customers', after, ['string']) : null;
    const where = callerFilter(ctx, filter);
    const node = selectionOf(info, ['edges', 'node']);
    const [docs, counted] = await Promise.all([
      visiblePage(ctx, position ? { $and: [where, afterPosition([['_id', 1]], position)] } : where, limit + 1, null, ctx.guard.projection('Customer', node)),
      selects(info, 'totalCount') ? visibleIds(ctx, where) : null,
    ]);
    if (counted) ctx.log.counted('Customer', counted, 'totalCount');
    await ctx.guard.prepare('Customer', docs.slice(0, limit), node);
    const page = toPage(config, 'customers', docs, limit, (d) => [d._id], (d) => d);
    return counted ? { ...page, totalCount: counted.length } : page;
  }

  @Mutation(() => Customer, { description: 'Enrol a customer. input.consent.storage must be true; the consents given are recorded.' })
  async enrolCustomer(@Arg('input', () => EnrolCustomerInput) input: EnrolCustomerInput, @Ctx() ctx: RequestContext): Promise<CustomerDoc> {
    if (input.consent.storage !== true) {
      ctx.log.operationDenied(ErrorCode.CONSENT_REQUIRED, 'no storage consent');
      throw new SafeError(ErrorCode.CONSENT_REQUIRED, 'The customer must consent to storage (input.consent.storage: true); nothing was stored', { consent: 'storage' });
    }
    const { consent: _consent, ...attributes } = plainInput(input);
    const _id = newCustomerId();
    const leaves = [...inputLeaves(attributes, WRITE_GROUPS), 'consents'];
    ctx.guard.authorize('Customer', { _id }, 'create', leaves);
    const { policies } = ctx.services;
    const lists = inputLists(policies);
    const clean = validateEnrolInput(input, lists);
    const at = new Date();
    const source = clean.consent.source ?? 'staff';
    const granted = new Set(['storage', ...(clean.consent.purposes ?? [])]);
    return insertCustomer(ctx, async () => ({
      _id,
      fullName: clean.fullName,
      email: clean.email ?? undefined,
      phone: clean.phone ?? undefined,
      birthDate: clean.birthDate ?? undefined,
      address: clean.address ?? undefined,
      segment: clean.segment ?? undefined,
      preferences: clean.preferences ?? undefined,
      consentState: Object.fromEntries(lists.consentKeys.map((k) => [k, granted.has(k)])),
      consents: lists.consentKeys.map((key) => ({ key, granted: granted.has(key), at, source })),
      enrolledBy: ctx.principal?.id,
    }) as CustomerDoc, leaves, _id, (doc) =>
      // The ledger records a staff enrolment as `staff`, whatever display label the client sent.
      appendConsentEvents(ctx.services.conn, doc.consents.map((c) => ({
        customerId: _id, key: c.key, granted: c.granted, at: c.at, source: 'staff', textVersion: policies.consentKeys.get(c.key)?.textVersion ?? 'unknown',
      }))));
  }

  @Mutation(() => Customer, { description: 'Update attributes; rejected whole (FORBIDDEN_FIELD) if any may not be written.' })
  async updateCustomer(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateCustomerInput) input: UpdateCustomerInput,
    @Ctx() ctx: RequestContext,
  ): Promise<CustomerDoc> {
    const doc = await loadInScope(ctx, await customerIdFrom(ctx, id), 'update');
    const { paymentCard: card, ...rest } = plainInput(input);
    const leaves = [...inputLeaves(rest, WRITE_GROUPS), ...(card !== undefined ? CARD_LEAVES : [])];
    if (leaves.length === 0) throw new SafeError(ErrorCode.BAD_USER_INPUT, 'Invalid value for "input": give at least one attribute to update', { field: 'input' });
    ctx.guard.authorize('Customer', doc, 'update', leaves);
    const clean = validateUpdateInput(input, inputLists(ctx.services.policies));
    const set: Record<string, unknown> = {};
    for (const key of ['email', 'phone', 'preferences', 'segment', 'loyaltyTier'] as const) {
      if (clean[key] !== undefined) set[key] = clean[key];
    }
    if (clean.address === null || (clean.address && !doc.address)) set.address = clean.address;
    else if (clean.address) for (const [k, v] of Object.entries(clean.address)) set[`address.${k}`] = v;
    // Plaintext here: the store seals every personal attribute (sealing.ts) before it is written.
    if (clean.paymentCard !== undefined) set.paymentCard = clean.paymentCard;
    if (clean.health === null) set.health = null;
    else if (clean.health) {
      const parts = Object.fromEntries(Object.entries(clean.health).filter(([, v]) => v !== undefined));
      if (doc.health) for (const [k, v] of Object.entries(parts)) set[`health.${k}`] = v;
      else set.health = parts;
    }
    return writeCustomer(ctx, { doc, set, fields: leaves });
  }
}
