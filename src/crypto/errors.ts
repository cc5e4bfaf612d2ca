/**
 * Errors raised by the crypto layer. None of them is a SafeError: they are internal and are masked
 * before reaching a client. Their messages name the customer id, field path or setting and the rule,
 * never a key, a plaintext or a ciphertext.
 */

/** A key setting (MASTER_KEY, NEW_MASTER_KEY, key file) is missing or malformed. */
export class KeyConfigError extends Error {
  readonly code = 'KEY_CONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'KeyConfigError';
  }
}

/** The customer's data key does not exist: it was destroyed (crypto-shredded) or never created. */
export class KeyShreddedError extends Error {
  readonly code = 'KEY_SHREDDED';
  constructor(readonly customerId: string) {
    super(`No data key for customer ${customerId}: it was destroyed (crypto-shredded) or never created`);
    this.name = 'KeyShreddedError';
  }
}

/** A ciphertext failed authentication or is malformed. */
export class DecryptionError extends Error {
  readonly code = 'DECRYPTION_FAILED';
  constructor(readonly customerId: string, readonly path: string, reason: string) {
    super(`Cannot decrypt "${path}" for customer ${customerId}: ${reason}`);
    this.name = 'DecryptionError';
  }
}

/** A wrapped data key could not be unwrapped by a key provider (wrong master key or corrupted). */
export class UnwrapError extends Error {
  readonly code = 'UNWRAP_FAILED';
  constructor(readonly providerId: string, reason: string) {
    super(`Key provider ${providerId} cannot unwrap a data key: ${reason}`);
    this.name = 'UnwrapError';
  }
}
