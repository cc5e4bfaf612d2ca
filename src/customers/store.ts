/**
 * The customers' one data path. Every request reads and writes customer documents here, through
 * the one visibility rule (`visible`: the policy's row filter, and nobody under erasure); writes
 * are checked by the field guard and recorded write-ahead. Only this file touches the model
 * (the dependency rules in .dependency-cruiser.cjs enforce it).
 */
import DataLoader from 'dataloader';
import type { Collection } from 'mongodb';
import type { AppServices, RequestContext } from '../core/context';
import { ErrorCode, InputError, SafeError } from '../core/errors';
import { isId } from '../core/ids';
import { currentWriteScope, systemWrite } from '../core/writeScope';
import type { Action } from '../core/policyModel';
import { ERASING_FIELD, visible } from '../policy';
import type { PolicySet } from '../core/policyModel';
import { isEncryptedValue, isPseudonym, pseudonymOf, sealField } from '../crypto';
import { customerModel, type ConsentEntry, type CustomerDoc, type StoredCustomer } from './model';
import { ENCRYPTED, sealWrite, writtenPaths } from './sealing';

const LOADER = Symbol('customers.loader');

/** FORBIDDEN, the same whether the customer exists or not; recorded as an operation-level denial. */
export function outOfScope(ctx: RequestContext, id: unknown): SafeError {
  const reason = 'the customer is outside your scope for this purpose, or does not exist';
  ctx.log.operationDenied(ErrorCode.FORBIDDEN, reason, 'Customer', isId(id) ? id : null);
  return new SafeError(ErrorCode.FORBIDDEN, `Not allowed: ${reason}`);
}

function model(ctx: RequestContext) {
  return customerModel(ctx.services.conn);
}

/**
 * Reads through the driver's collection: the filters are built here from ids and policy conditions,
 * so mongoose's casting (of a task's thousand ids, on every request) buys nothing.
 */
function reads(ctx: RequestContext) {
  return model(ctx).collection as unknown as Collection<StoredCustomer>;
}

/** The request's loader of the customers it may read (one query per tick). */
function loader(ctx: RequestContext): DataLoader<string, StoredCustomer | null> {
  return ctx.perRequest(LOADER, () => new DataLoader<string, StoredCustomer | null>(async (ids) => {
    const docs = await reads(ctx).find({ $and: [visible(ctx.ability, 'read', 'Customer'), { _id: { $in: [...ids] } }] }).toArray();
    const byId = new Map(docs.map((d) => [d._id, d]));
    return ids.map((id) => byId.get(id) ?? null);
  }));
}

/** The customer if the request may `action` it (reads are batched), else null. */
export async function findVisible(ctx: RequestContext, id: unknown, action: Action = 'read'): Promise<StoredCustomer | null> {
  if (!isId(id)) return null;
  if (action === 'read') return loader(ctx).load(id);
  return model(ctx).findOne({ $and: [visible(ctx.ability, action, 'Customer'), { _id: id }] }).lean<StoredCustomer>().exec();
}

/**
 * The visible customer whose pseudonym under the request's purpose is `pseudonym`, or null.
 * Pseudonyms are one-way, so this hashes the visible ids (in batches, ids only) until one matches:
 * linear in the purpose's population, about a second per million customers.
 */
async function idOfPseudonym(ctx: RequestContext, pseudonym: string): Promise<string | null> {
  const { pseudonymKey } = ctx.services.config;
  const purpose = ctx.purpose!.id;
  const cursor = reads(ctx).find(visible(ctx.ability, 'read', 'Customer'), { projection: { _id: 1 }, batchSize: 2000 });
  try {
    for await (const doc of cursor) if (pseudonymOf(pseudonymKey, purpose, doc._id) === pseudonym) return doc._id;
  } finally {
    await cursor.close();
  }
  return null;
}

/**
 * A customer id given by the caller, as stored: under a pseudonymous purpose it must be a pseudonym
 * (`psn_…`, resolved among the visible customers; null when none matches), elsewhere a customer id
 * (a pseudonym is refused naming `field`). Nothing of the value is echoed.
 */
export async function customerIdFrom(ctx: RequestContext, id: string, field = 'id'): Promise<string | null> {
  if (ctx.purpose?.pseudonymous) {
    if (!isPseudonym(id)) throw new InputError(field, `must be a pseudonym (psn_…) under purpose ${ctx.purpose.id}: customer ids are neither shown nor accepted here`);
    return idOfPseudonym(ctx, id);
  }
  if (isPseudonym(id)) throw new InputError(field, 'must be a customer id: a pseudonym (psn_…) is accepted only under the purpose that issued it');
  return id;
}

/** The customer if the request may `action` it, else FORBIDDEN (recorded). */
export async function loadInScope(ctx: RequestContext, id: unknown, action: Action = 'read'): Promise<StoredCustomer> {
  const doc = await findVisible(ctx, id, action);
  if (!doc) throw outOfScope(ctx, id);
  return doc;
}

/** Up to `limit` visible customers matching `filter`, after id `after`, in id order, with only `projection`. */
export async function visiblePage(
  ctx: RequestContext, filter: Record<string, unknown>, limit: number, after: string | null, projection: Record<string, 1> | null,
): Promise<StoredCustomer[]> {
  const clauses = [visible(ctx.ability, 'read', 'Customer'), filter];
  if (after !== null) clauses.push({ _id: { $gt: after } });
  return reads(ctx).find({ $and: clauses }, projection ? { projection } : {}).sort({ _id: 1 }).limit(limit).toArray() as Promise<StoredCustomer[]>;
}

/**
 * One aggregation over the customers the request may read: `stages` run after the visibility rule
 * (statistics: the database groups, only counts leave it). The caller records what was counted.
 */
export async function aggregateVisible<T extends Record<string, unknown>>(ctx: RequestContext, stages: readonly Record<string, unknown>[]): Promise<T[]> {
  return reads(ctx).aggregate<T>([{ $match: visible(ctx.ability, 'read', 'Customer') }, ...stages]).toArray();
}

/** The ids of every visible customer matching `filter` (a count is recorded per subject counted). */
export async function visibleIds(ctx: RequestContext, filter: Record<string, unknown>): Promise<string[]> {
  const docs = await reads(ctx).find({ $and: [visible(ctx.ability, 'read', 'Customer'), filter] }, { projection: { _id: 1 } }).toArray();
  return docs.map((d) => d._id);
}

/**
 * Enrols a customer: authorized by the caller (guard.authorize 'create'), then under one durable
 * intent record: the data key is created (the only place keys are made), the document inserted,
 * and `also` run (e.g. the consent ledger's first events).
 */
export async function insertCustomer(
  ctx: RequestContext, build: () => Promise<CustomerDoc>, fields: readonly string[], id: string, also?: (doc: CustomerDoc) => Promise<void>,
): Promise<StoredCustomer> {
  return ctx.log.commit([{ subjectType: 'Customer', subjectId: id, fields }], async () => {
    await ctx.services.keys.create(id);
    await ctx.cipher.preload([id]);
    const plain = await build();
    const sealed = sealWrite(plain as unknown as Record<string, unknown>, (path, text) => ctx.cipher.encryptSync(id, path, text) as never, ctx.services.index, 'document');
    const created = (await model(ctx).create(sealed)).toObject() as unknown as StoredCustomer;
    await also?.(plain);
    return created;
  });
}

export interface CustomerWrite {
  /** The customer as loaded through the visibility rule. */
  doc: CustomerDoc;
  /** The `$set` of the change. */
  set: Record<string, unknown>;
  /** The attributes written: recorded, and checked by the guard unless `authorizedBy` says why not. */
  fields: readonly string[];
  /**
   * The write was authorized by another rule (an approved correction, a customer confirming their
   * own contact channel): named for the reader of the code. The customer must still be visible.
   */
  authorizedBy?: string;
  /** A condition the document must still meet (e.g. the address a code was sent to is current). */
  where?: Record<string, unknown>;
  /** Runs in the same recorded write, before the document is written (e.g. append a ledger event). */
  before?: () => Promise<void>;
  /** Runs in the same recorded write, after the document was written (e.g. supersede codes). */
  also?: (updated: StoredCustomer) => Promise<void>;
  /** The error when the document no longer matches. Default: FORBIDDEN. */
  gone?: () => SafeError;
}

/**
 * Writes a customer through the one path: the write check (unless authorized by another rule), the
 * intent record, then the change with what every capability's write hook adds to it.
 */
export async function writeCustomer(ctx: RequestContext, w: CustomerWrite): Promise<StoredCustomer> {
  if (!w.authorizedBy) ctx.guard.authorize('Customer', w.doc as StoredCustomer, 'update', w.fields);
  return ctx.log.commit([{ subjectType: 'Customer', subjectId: w.doc._id, fields: w.fields }], () => applyCustomerWrite(ctx, w));
}

/**
 * The change itself, for a caller already inside the request's recorded write (`ctx.log.commit`)
 * that checked it (e.g. confirming a code: the attempt and the change share one intent record).
 * An empty `set` writes nothing and returns the document as it stands.
 */
export async function applyCustomerWrite(ctx: RequestContext, w: CustomerWrite): Promise<StoredCustomer> {
  const scope = currentWriteScope();
  if (scope?.kind !== 'request' || scope.requestId !== ctx.requestId) throw new Error('applyCustomerWrite runs only inside the request\'s log.commit');
  const id = w.doc._id;
  const visibility = visible(ctx.ability, w.authorizedBy ? 'read' : 'update', 'Customer');
  await ctx.cipher.preload([id]);
  // The hooks compare plaintext: the old values of what is written, decrypted.
  const before = { ...w.doc, ...(await plainAttributes(ctx, w.doc as StoredCustomer, writtenPaths(w.set).filter((p) => ENCRYPTED[p] && !p.includes('.')))) };
  const set = sealWrite(w.set, (path, text) => ctx.cipher.encryptSync(id, path, text) as never, ctx.services.index, 'set');
  const after: Array<(conn: AppServices['conn'], customerId: string) => Promise<void>> = [];
  for (const cap of ctx.services.capabilities) {
    const more = cap.onCustomerWrite?.(before, w.set);
    if (more?.set) Object.assign(set, more.set);
    if (more?.after) after.push(more.after);
  }
  await w.before?.();
  const filter = { $and: [visibility, { _id: id }, w.where ?? {}] };
  const doc = Object.keys(set).length
    ? await model(ctx).findOneAndUpdate(filter, { $set: set }, { returnDocument: 'after' }).lean<StoredCustomer>().exec()
    : await model(ctx).findOne(filter).lean<StoredCustomer>().exec();
  if (!doc) throw w.gone ? w.gone() : outOfScope(ctx, id);
  for (const run of after) await run(ctx.services.conn, id);
  await w.also?.(doc);
  loader(ctx).clear(id).prime(id, doc);
  return doc;
}

/**
 * Stored attributes in plaintext, for code that needs a value itself (a code is bound to the address
 * it was sent to; a write hook compares old and new): decrypted with the request's keys. A value
 * stored in clear (before `npm run keys:migrate`) is returned as it is.
 */
export async function plainAttributes(ctx: RequestContext, doc: StoredCustomer, paths: readonly string[]): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const path of paths) {
    const stored = path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), doc);
    if (stored == null || !isEncryptedValue(stored)) out[path] = stored;
    else out[path] = ENCRYPTED[path] === 'json' ? await ctx.cipher.decryptJson(doc._id, path, stored) : await ctx.cipher.decrypt(doc._id, path, stored);
  }
  return out;
}

/** Self-service admission: the customer exists and no erasure is under way. */
export async function inProgram(services: AppServices, id: string): Promise<boolean> {
  return !!(await customerModel(services.conn).exists({ _id: id, [ERASING_FIELD]: { $ne: true } }).exec());
}

/** Erasure, first step: no request sees the customer from now on. Idempotent; leaves `updatedAt` alone. */
export async function markErasing(services: Pick<AppServices, 'conn'>, id: string): Promise<void> {
  await systemWrite('erasure: mark', () =>
    customerModel(services.conn).updateOne({ _id: id }, { $set: { [ERASING_FIELD]: true } }, { timestamps: false }).exec(),
  );
}

/** Erasure, last step: the document itself. */
export async function deleteCustomerDocument(conn: AppServices['conn'], id: string): Promise<number> {
  return systemWrite('erasure: delete customer', async () => (await customerModel(conn).deleteOne({ _id: id }).exec()).deletedCount);
}

/** The current state per consent key of the catalogue (a key never recorded reads as not granted). */
export function currentConsents(policies: PolicySet, customer: Pick<CustomerDoc, 'consents' | 'consentState' | 'createdAt'>): ConsentEntry[] {
  const byKey = new Map((customer.consents ?? []).map((c) => [c.key, c]));
  return [...policies.consentKeys.keys()].map((key) => {
    const shown = byKey.get(key);
    const granted = customer.consentState?.[key] === true;
    return shown && shown.granted === granted ? shown : { key, granted, at: shown?.at ?? customer.createdAt, source: shown?.source ?? 'unknown' };
  });
}

/** Exports: the customer's attributes as the policy lets them read them (the guard's view of every attribute). */
export async function exportAttributes(ctx: RequestContext, id: string): Promise<Record<string, unknown> | null> {
  const doc = await findVisible(ctx, id);
  if (!doc) return null;
  const everything = ctx.guard.everything('Customer');
  await ctx.guard.prepare('Customer', [doc], everything);
  return ctx.guard.view('Customer', doc, everything);
}

/**
 * System imports (demo data): inserts whole documents, sealed like every write, with the data keys
 * the caller created for them (`keys.createMany`).
 */
export async function importCustomers(services: Pick<AppServices, 'conn' | 'index'>, docs: readonly CustomerDoc[], keys: ReadonlyMap<string, Buffer>): Promise<void> {
  const sealed = docs.map((doc) => {
    const key = keys.get(doc._id);
    if (!key) throw new Error(`import: no data key was created for ${doc._id}`);
    return sealWrite(doc as unknown as Record<string, unknown>, (path, text) => sealField(key, doc._id, path, text), services.index, 'document');
  });
  await systemWrite('import customers', () => customerModel(services.conn).insertMany(sealed, { lean: true }).then(() => undefined));
}

/** Whether any customer is stored (the demo seed runs on an empty database only). */
export async function anyCustomer(services: Pick<AppServices, 'conn'>): Promise<boolean> {
  return (await customerModel(services.conn).estimatedDocumentCount()) > 0;
}

/** Counts reported by a migration pass. */
export interface MigrationResult {
  /** Documents whose attributes were sealed in this pass. */
  sealed: number;
  /** Data keys created for customers who had none (enrolled before every attribute was encrypted). */
  keysCreated: number;
  /** Documents changed by someone else meanwhile: left for the next pass. */
  skipped: number;
}

/**
 * `npm run keys:migrate`: seals, in place, the attributes of customers still stored in clear (a
 * deployment from before every personal attribute was encrypted), and writes their blind indexes.
 * Each document is rewritten only if it still holds the values read (a concurrent write wins and is
 * picked up by the next pass); the gateway reads both forms meanwhile. Resumable: rerun until 0.
 */
export async function sealStoredInClear(
  services: Pick<AppServices, 'conn' | 'index'> & { keys: { get(id: string): Promise<Buffer>; create(id: string): Promise<Buffer> } },
  /** Documents read per round trip (default 200), and the most to seal in this pass (default all: a pass may stop anywhere). */
  opts: { batchSize?: number; max?: number } = {},
): Promise<MigrationResult> {
  const batchSize = opts.batchSize ?? 200;
  const max = opts.max ?? Infinity;
  const model = customerModel(services.conn);
  const inClear = { $or: [...Object.keys(ENCRYPTED).map((p) => ({ [p]: { $type: 'string' } })), { 'health.conditions': { $type: 'array' } }] };
  const result: MigrationResult = { sealed: 0, keysCreated: 0, skipped: 0 };
  let after: string | null = null;
  for (;;) {
    const docs: StoredCustomer[] = await model.find(after ? { $and: [inClear, { _id: { $gt: after } }] } : inClear).sort({ _id: 1 }).limit(batchSize).lean<StoredCustomer[]>().exec();
    if (docs.length === 0) return result;
    after = docs.at(-1)!._id;
    for (const doc of docs) {
      if (result.sealed + result.skipped >= max) return result;
      let key: Buffer;
      try {
        key = await services.keys.get(doc._id);
      } catch {
        key = await services.keys.create(doc._id);
        result.keysCreated += 1;
      }
      const plain: Record<string, unknown> = {};
      const unchanged: Record<string, unknown> = {};
      for (const path of Object.keys(ENCRYPTED)) {
        const v = path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), doc);
        if (typeof v === 'string' || (path === 'health.conditions' && Array.isArray(v))) {
          plain[path] = v;
          unchanged[path] = v;
        }
      }
      const set = sealWrite(plain, (path, text) => sealField(key, doc._id, path, text), services.index, 'set');
      const res = await systemWrite('keys:migrate', () => model.updateOne({ _id: doc._id, ...unchanged }, { $set: set }, { timestamps: false }).exec());
      if (res.modifiedCount === 1) result.sealed += 1;
      else result.skipped += 1;
    }
    if (docs.length < batchSize) return result;
  }
}
