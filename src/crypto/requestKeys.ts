import DataLoader from 'dataloader';
import { KeyShreddedError } from './errors';
import type { KeySource } from './keySource';

/** What RequestKeys needs from the store (KeyStore implements it). */
export interface BatchKeySource extends KeySource {
  getMany(customerIds: readonly string[]): Promise<Array<Buffer | Error>>;
}

/**
 * Data keys for one request: every `get` made in the same tick is batched into ONE database query,
 * and each key is cached for the rest of the request (a page of 50 customers costs one round trip).
 * Create one per request with `keyStore.forRequest()`; never share it across requests, so a
 * destroyed key is never served from a cache after the request that saw it.
 */
export class RequestKeys implements KeySource {
  readonly #store: BatchKeySource;
  readonly #loader: DataLoader<string, Buffer>;

  constructor(store: BatchKeySource) {
    this.#store = store;
    this.#loader = new DataLoader<string, Buffer>((ids) => store.getMany(ids));
  }

  /** The customer's data key (batched, cached); rejects with KeyShreddedError if it is gone. */
  get(customerId: string): Promise<Buffer> {
    return this.#loader.load(customerId);
  }

  /** The customer's data key, created if missing (then cached). */
  async getOrCreate(customerId: string): Promise<Buffer> {
    try {
      return await this.#loader.load(customerId);
    } catch (err) {
      if (!(err instanceof KeyShreddedError)) throw err;
      this.#loader.clear(customerId);
      const key = await this.#store.getOrCreate(customerId);
      this.#loader.prime(customerId, key);
      return key;
    }
  }

  /** Drops a cached key (call after destroying it within the same request). */
  forget(customerId: string): void {
    this.#loader.clear(customerId);
  }
}
