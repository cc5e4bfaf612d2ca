/**
 * A key provider holds the master key and wraps (encrypts) and unwraps (decrypts) per-customer data
 * keys with it. The master key never leaves the provider.
 *
 * Plugging in a KMS (AWS KMS, Google Cloud KMS, Azure Key Vault, HashiCorp Vault Transit): implement
 * this interface in a class whose `wrap` calls the KMS "encrypt" operation on the 32-byte data key
 * and returns the ciphertext blob, and whose `unwrap` calls "decrypt" on that blob. Give it an `id`
 * that names the master key, e.g. `kms:arn:aws:kms:eu-west-1:111122223333:key/...`. Pass an instance
 * to `new KeyStore(conn, provider)`; to move from the local provider to the KMS, run
 * `keyStore.rotate(kmsProvider)` once. No other code changes.
 */
export interface KeyProvider {
  /** Names the master key. Stored beside each wrapped data key (`DataKey.providerId`). */
  readonly id: string;
  /** Encrypts a data key under the master key. */
  wrap(dataKey: Buffer): Promise<Buffer>;
  /** Decrypts a wrapped data key; rejects (UnwrapError) if it was not wrapped by this master key. */
  unwrap(wrapped: Buffer): Promise<Buffer>;
}
