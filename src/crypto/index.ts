/**
 * Field-level envelope encryption and crypto-shredding.
 *
 * Master key (KeyProvider: LocalKeyProvider from MASTER_KEY or a dev key file, or a KMS) wraps one
 * data key per customer (KeyStore, collection `dataKeys`); FieldCipher encrypts restricted attributes
 * with the data key (AES-256-GCM, bound to `<customerId>|<path>`). Erasure destroys the data key first.
 */
export type { KeyProvider } from './keyProvider';
export type { KeySource } from './keySource';
export { LocalKeyProvider } from './localKeyProvider';
export { KEY_LENGTH, parseMasterKey, generateMasterKey } from './masterKey';
export {
  DEFAULT_KEY_FILE,
  resolveLocalKeyProvider,
  resolveLocalKey,
  type LocalKeyOptions,
  type MasterKeySource,
  type ResolvedLocalKey,
} from './resolveLocalKeyProvider';
export { dataKeyModel, DATA_KEY_COLLECTION, DATA_KEY_MODEL, type DataKeyDoc } from './dataKeyModel';
export { KeyStore, type KeyStoreOptions } from './keyStore';
export { RequestKeys } from './requestKeys';
export type { RotationResult } from './rotateDataKeys';
export { FieldCipher } from './fieldCipher';
export { sealField, openField, associatedData } from './fieldCrypto';
export { type EncryptedValue, type StoredEncryptedValue, isEncryptedValue, ENCRYPTED_VALUE_VERSION } from './encryptedValue';
export { encryptedValueSchema } from './encryptedValueSchema';
export { toBuffer, isBytesLike, type BytesLike } from './bytes';
export { DecryptionError, KeyConfigError, KeyShreddedError, UnwrapError } from './errors';
