import { randomBytes } from 'node:crypto';
import type { Connection, Model } from 'mongoose';
import { toBuffer } from './bytes';
import { type DataKeyDoc, dataKeyModel } from './dataKeyModel';
import { KeyShreddedError, UnwrapError } from './errors';
import type { KeyProvider } from './keyProvider';
import type { KeySource } from './keySource';
import { KEY_LENGTH } from './masterKey';
import { RequestKeys } from './requestKeys';
import { type RotationResult, rotateDataKeys } from './rotateDataKeys';

export interface KeyStoreOptions {
  /**
   * Providers that may still have wrapped some keys (e.g. the previous master key while a rotation
   * is under way on another instance). Used for unwrapping only, chosen by `providerId`. Default none.
   */
  previousProviders?: KeyProvider[];
}

/**
 * Per-customer data keys (32 bytes, AES-256), stored wrapped by the master key in `dataKeys`
 * (one document per customer, `_id` = customer id). Destroying a key is crypto-shredding: every
 * copy of that customer's encrypted attributes, wherever it lives, becomes unreadable.
 */
export class KeyStore implements KeySource {
  readonly model: Model<DataKeyDoc>;
  #provider: KeyProvider;
  #previous: KeyProvider[];

  constructor(conn: Connection, provider: KeyProvider, options: KeyStoreOptions = {}) {
    this.model = dataKeyModel(conn);
    this.#provider = provider;
    this.#previous = [...(options.previousProviders ?? [])];
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

  /** The customer's data key, created and stored wrapped if missing. Safe under concurrent calls. */
  async getOrCreate(customerId: string): Promise<Buffer> {
    const doc = await this.model.findById(customerId).lean<DataKeyDoc>().exec();
    if (doc) return this.unwrap(doc);
    const dataKey = randomBytes(KEY_LENGTH);
    const wrapped = await this.#provider.wrap(dataKey);
    try {
      await this.model.create({ _id: customerId, wrapped, providerId: this.#provider.id, createdAt: new Date(), rotatedAt: null });
      return dataKey;
    } catch (err) {
      if ((err as { code?: unknown }).code === 11000) return this.get(customerId); // another request created it first
      throw err;
    }
  }

  /**
   * Crypto-shredding: deletes the customer's data key. Idempotent; resolves true if a key existed.
   * Call it FIRST when erasing a customer, before deleting the rest of their data.
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
    if (newProvider.id !== this.#provider.id) {
      this.#previous = [this.#provider, ...this.#previous.filter((p) => p.id !== newProvider.id)];
      this.#provider = newProvider;
    }
    return result;
  }

  /** A per-request view: batched (one round trip per tick) and cached `get`. Create one per request. */
  forRequest(): RequestKeys {
    return new RequestKeys(this);
  }

  private async unwrap(doc: Pick<DataKeyDoc, 'wrapped' | 'providerId'>): Promise<Buffer> {
    const provider = [this.#provider, ...this.#previous].find((p) => p.id === doc.providerId);
    if (!provider) throw new UnwrapError(doc.providerId, 'no configured key provider has this id (is the right MASTER_KEY set?)');
    return provider.unwrap(toBuffer(doc.wrapped));
  }
}
