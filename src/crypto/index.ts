/**
 * Field-level envelope encryption and crypto-shredding.
 *
 * A master key (KeyProvider: LocalKeyProvider from MASTER_KEY or a dev key file, or a KMS) wraps one
 * data key per customer (KeyStore, collection `dataKeys`); FieldCipher encrypts attributes with the
 * data key (AES-256-GCM, bound to `<customerId>|<path>`). Erasure destroys the data key first.
 */
export {
  DEFAULT_KEY_FILE, generateMasterKey, KEY_LENGTH, LocalKeyProvider, parseMasterKey, replaceKeyFile, resolveLocalKey, resolveLocalKeyProvider,
  type KeyProvider, type LocalKeyOptions, type MasterKeySource, type ResolvedLocalKey,
} from './keyProvider';
export { BlindIndex, MIN_SEARCH_WORD, words } from './blindIndex';
export { DATA_KEY_COLLECTION, DATA_KEY_MODEL, dataKeyModel, INDEX_KEY_ID, KeyStore, RequestKeys, type DataKeyDoc, type KeyStoreOptions, type RotationResult } from './keyStore';
export {
  associatedData, ENCRYPTED_VALUE_VERSION, encryptedValueSchema, FieldCipher, isBytesLike, isEncryptedValue, openField, sealField, toBuffer,
  type BytesLike, type EncryptedValue, type KeySource, type StoredEncryptedValue,
} from './fieldCipher';
export { DecryptionError, KeyConfigError, KeyShreddedError, UnwrapError } from './errors';
export { isPseudonym, PSEUDONYM_PREFIX, pseudonymOf } from './pseudonym';
