/** Where FieldCipher gets data keys: a KeyStore, or a per-request RequestKeys (batched and cached). */
export interface KeySource {
  /** The customer's data key; rejects with KeyShreddedError if it does not exist. */
  get(customerId: string): Promise<Buffer>;
  /** The customer's data key, created (and stored wrapped) if it does not exist yet. */
  getOrCreate(customerId: string): Promise<Buffer>;
}
