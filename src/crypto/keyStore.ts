/**
 * Per-customer data keys, wrapped by the master key: the KeyStore (collection `dataKeys`), its
 * per-request view (batched, cached) and master-key rotation. Keys are created at enrolment only;
 * every other path only reads them, so no key can reappear after an erasure destroyed it.
 */
import { randomBytes } from 'node:crypto';
import DataLoader from 'dataloader';
import { type Connection, type Model, Schema } from 'mongoose';
import type { DataKeys } from '../core/context';
import { logger } from '../logger';
import { toBuffer } from './fieldCipher';
import { KeyShreddedError, UnwrapError } from './errors';
import { KEY_LENGTH, type KeyProvider } from './keyProvider';

/** One customer's data key, wrapped by a master key. Collection `dataKeys`. */
export interface DataKeyDoc {
  /** The customer id (`cus_…`). */
  _id: string;
  /** The 32-byte data key, encrypted by the key provider named in `providerId`. */
  wrapped: Buffer;
  /** `KeyProvider.id` of the master key that wrapped it. */
  providerId: string;
  createdAt: Date;
  /** When it was last rewrapped under a new master key; null if never. */
  rotatedAt: Date | null;
}

export const DATA_KEY_MODEL = 'DataKey';
export const DATA_KEY_COLLECTION = 'dataKeys';
/** The id of the deployment's blind-index key in the vault (customer ids never contain ':'). */
export const INDEX_KEY_ID = 'index:v1';

const dataKeySchema = new Schema<DataKeyDoc>(
  {
    _id: { type: String, required: true },
    wrapped: { type: Buffer, required: true },
    providerId: { type: String, required: true },
    createdAt: { type: Date, required: true },
    rotatedAt: { type: Date, default: null },
  },
  { collection: DATA_KEY_COLLECTION, versionKey: false },
);

/** The DataKey model on `conn`, created once per connection and reused. */
export function dataKeyModel(conn: Connection): Model<DataKeyDoc> {
  const existing = conn.models[DATA_KEY_MODEL] as Model<DataKeyDoc> | undefined;
  return existing ?? conn.model<DataKeyDoc>(DATA_KEY_MODEL, dataKeySchema, DATA_KEY_COLLECTION);
}

export interface KeyStoreOptions {
  /**
   * Providers that may still have wrapped some keys (the previous master key, MASTER_KEY_PREVIOUS,
   * while or after `keys:rotate` runs). Used for unwrapping only, chosen by `providerId`. Default none.
   */
  previousProviders?: KeyProvider[];
  /**
   * Called when a key was wrapped by a provider this store does not know (e.g. the development key
   * file was rotated while the gateway ran): returns the provider to wrap with from now on, or null.
   * The current one is kept for unwrapping. Default: none.
   */
  refresh?: () => KeyProvider | null;
}

/**
 * Per-customer data keys (32 bytes, AES-256), stored wrapped by the master key in `dataKeys`
 * (one document per customer, `_id` = customer id). Destroying a key is crypto-shredding: every
 * copy of that customer's encrypted attributes, wherever it lives, becomes unreadable.
 */
export class KeyStore implements DataKeys {
  readonly model: Model<DataKeyDoc>;
  #provider: KeyProvider;
  #previous: KeyProvider[];
  readonly #refresh?: () => KeyProvider | null;

  constructor(conn: Connection, provider: KeyProvider, options: KeyStoreOptions = {}) {
    this.model = dataKeyModel(conn);
    this.#provider = provider;
    this.#previous = [...(options.previousProviders ?? [])];
    this.#refresh = options.refresh;
  }

  /** The provider new keys are wrapped with. */
  get provider(): KeyProvider {
    return this.#provider;
  }

  /** The customer's data key; throws KeyShreddedError if it is gone. One database round trip. */
  async get(customerId: string): Promise<Buffer> {
    const doc = await this.model.findById(customerId).lean<DataKeyDoc>().exec();
    if (!doc) throw new KeyShreddedError(customerId);
    return this.unwrap(doc);
  }

  /**
   * Data keys for many customers in ONE round trip. Result is aligned with `customerIds`; a missing
   * key is a KeyShreddedError in its slot (DataLoader batch-function shape).
   */
  async getMany(customerIds: readonly string[]): Promise<Array<Buffer | Error>> {
    const docs = await this.model.find({ _id: { $in: [...new Set(customerIds)] } }).lean<DataKeyDoc[]>().exec();
    const byId = new Map(docs.map((d) => [d._id, d]));
    return Promise.all(
      customerIds.map(async (id) => {
        const doc = byId.get(id);
        if (!doc) return new KeyShreddedError(id);
        try {
          return await this.unwrap(doc);
        } catch (err) {
          return err as Error;
        }
      }),
    );
  }

  /**
   * Creates the customer's data key (enrolment, imports, migrations). Refuses when one exists:
   * a key is created once in a customer's life, never recreated.
   */
  async create(customerId: string): Promise<Buffer> {
    const dataKey = randomBytes(KEY_LENGTH);
    const wrapped = await this.#provider.wrap(dataKey);
    await this.model.create({ _id: customerId, wrapped, providerId: this.#provider.id, createdAt: new Date(), rotatedAt: null });
    return dataKey;
  }

  async createMany(customerIds: readonly string[]): Promise<Map<string, Buffer>> {
    const out = new Map<string, Buffer>();
    const docs: DataKeyDoc[] = [];
    const createdAt = new Date();
    for (const id of customerIds) {
      const dataKey = randomBytes(KEY_LENGTH);
      out.set(id, dataKey);
      docs.push({ _id: id, wrapped: await this.#provider.wrap(dataKey), providerId: this.#provider.id, createdAt, rotatedAt: null });
    }
    if (docs.length) await this.model.insertMany(docs, { lean: true });
    return out;
  }

  /** The deployment's blind-index key: created on first use, wrapped like a data key (rotation rewraps it too). */
  async indexKey(): Promise<Buffer> {
    try {
      return await this.get(INDEX_KEY_ID);
    } catch (err) {
      if (!(err instanceof KeyShreddedError)) throw err;
    }
    try {
      return await this.create(INDEX_KEY_ID);
    } catch (err) {
      if ((err as { code?: unknown }).code === 11000) return this.get(INDEX_KEY_ID); // another gateway made it first
      throw err;
    }
  }

  /**
   * Crypto-shredding: deletes the customer's data key. Idempotent; resolves true if a key existed.
   * Erasure calls it FIRST, before deleting the rest of the customer's data.
   */
  async destroy(customerId: string): Promise<boolean> {
    const res = await this.model.deleteOne({ _id: customerId }).exec();
    return res.deletedCount > 0;
  }

  /**
   * Rewraps every data key under `newProvider` without touching customer data. Resumable: keys
   * already under `newProvider` are skipped. Afterwards this store wraps new keys with
   * `newProvider` and still unwraps any key left under the old one.
   */
  async rotate(newProvider: KeyProvider): Promise<RotationResult> {
    const result = await rotateDataKeys(this.model, (doc) => this.unwrap(doc), newProvider);
    this.use(newProvider);
    return result;
  }

  /** A per-request view: batched (one round trip per tick) and cached. Create one per request. */
  forRequest(): RequestKeys {
    return new RequestKeys(this);
  }

  private use(next: KeyProvider): void {
    if (next.id === this.#provider.id) return;
    this.#previous = [this.#provider, ...this.#previous.filter((p) => p.id !== next.id)];
    this.#provider = next;
  }

  private async unwrap(doc: Pick<DataKeyDoc, 'wrapped' | 'providerId'>): Promise<Buffer> {
    const find = () => [this.#provider, ...this.#previous].find((p) => p.id === doc.providerId);
    let provider = find();
    if (!provider && this.#refresh) {
      const next = this.#refresh();
      if (next) {
        this.use(next);
        provider = find();
        if (provider) logger.info('crypto: master key changed on disk; now wrapping with the new key', { providerId: next.id });
      }
    }
    if (!provider) throw new UnwrapError(doc.providerId, 'no configured key provider has this id (is the right MASTER_KEY, or MASTER_KEY_PREVIOUS, set?)');
    return provider.unwrap(toBuffer(doc.wrapped));
  }
}

/**
 * Data keys for one request: every `get` made in the same tick is batched into ONE database query,
 * and each key is cached for the rest of the request (a page of 50 customers costs one round trip).
 * Never shared across requests, so a destroyed key is never served from a cache after the request
 * that saw it.
 */
export class RequestKeys {
  readonly #loader: DataLoader<string, Buffer>;
  /** Keys already loaded (or known to be gone), for synchronous decryption. */
  readonly #known = new Map<string, Buffer | Error>();

  constructor(store: Pick<KeyStore, 'getMany'>) {
    this.#loader = new DataLoader<string, Buffer>(async (ids) => {
      const keys = await store.getMany(ids);
      ids.forEach((id, i) => this.#known.set(id, keys[i]!));
      return keys;
    });
  }

  /** The customer's data key (batched, cached); rejects with KeyShreddedError if it is gone. */
  get(customerId: string): Promise<Buffer> {
    return this.#loader.load(customerId);
  }

  /** Loads these keys in one round trip; missing ones are remembered as missing. */
  async preload(customerIds: readonly string[]): Promise<void> {
    const todo = customerIds.filter((id) => !this.#known.has(id));
    if (!todo.length) return;
    const results = await this.#loader.loadMany(todo);
    // The batch itself failed (e.g. the database is down): say so, rather than "not preloaded" later.
    const failed = todo.findIndex((id) => !this.#known.has(id));
    if (failed >= 0) throw results[failed] instanceof Error ? results[failed] : new Error('data keys could not be loaded');
  }

  /** A key already loaded; throws KeyShreddedError if it is gone, an Error if it was never loaded. */
  loadedKey(customerId: string): Buffer {
    const key = this.#known.get(customerId);
    if (key === undefined) throw new Error(`data key of ${customerId} was not preloaded`);
    if (key instanceof Error) throw key;
    return key;
  }

  isLoaded(customerId: string): boolean {
    return this.#known.has(customerId);
  }

  /** A key created in this request (enrolment): cached like a loaded one. */
  remember(customerId: string, key: Buffer): void {
    this.#known.set(customerId, key);
    this.#loader.clear(customerId).prime(customerId, key);
  }

  /** Drops a cached key (after destroying it within the same request). */
  forget(customerId: string): void {
    this.#known.delete(customerId);
    this.#loader.clear(customerId);
  }
}

/** Counts reported by a rotation. */
export interface RotationResult {
  /** Keys that were rewrapped under the new provider by this run. */
  rewrapped: number;
  /** Keys already under the new provider before this run (an earlier, interrupted run). */
  alreadyCurrent: number;
  /** Keys that could not be unwrapped with the configured providers; left untouched. */
  failed: number;
  /** Keys destroyed (erasure) while the rotation ran; nothing to do for them. */
  vanished: number;
}

/** Keys read and rewritten per round trip. */
const BATCH_SIZE = 500;

/**
 * Walks `dataKeys` in `_id` order, BATCH_SIZE at a time, unwraps each key that is not yet under
 * `newProvider` and writes it back rewrapped. Each write is conditional on the old `providerId`, so a
 * concurrent destroy or rotation is never undone. Customer documents are not read or written.
 */
export async function rotateDataKeys(
  model: Model<DataKeyDoc>,
  unwrap: (doc: DataKeyDoc) => Promise<Buffer>,
  newProvider: KeyProvider,
): Promise<RotationResult> {
  const result: RotationResult = { rewrapped: 0, alreadyCurrent: 0, failed: 0, vanished: 0 };
  result.alreadyCurrent = await model.countDocuments({ providerId: newProvider.id }).exec();
  let after: string | null = null;
  for (;;) {
    const filter: Record<string, unknown> = { providerId: { $ne: newProvider.id } };
    if (after !== null) filter._id = { $gt: after };
    const docs = await model.find(filter).sort({ _id: 1 }).limit(BATCH_SIZE).lean<DataKeyDoc[]>().exec();
    if (docs.length === 0) break;
    after = docs[docs.length - 1]._id;
    const rotatedAt = new Date();
    const ops = [];
    for (const doc of docs) {
      try {
        const wrapped = await newProvider.wrap(await unwrap(doc));
        ops.push({
          updateOne: {
            filter: { _id: doc._id, providerId: doc.providerId },
            update: { $set: { wrapped, providerId: newProvider.id, rotatedAt } },
          },
        });
      } catch (err) {
        result.failed += 1;
        logger.error('crypto: cannot rewrap a data key', { customerId: doc._id, providerId: doc.providerId, error: (err as Error).name });
      }
    }
    if (ops.length > 0) {
      const res = await model.bulkWrite(ops, { ordered: false });
      result.rewrapped += res.modifiedCount;
      result.vanished += ops.length - res.matchedCount;
    }
    if (docs.length < BATCH_SIZE) break;
  }
  logger.info('crypto: data keys rotated', { providerId: newProvider.id, ...result });
  return result;
}
