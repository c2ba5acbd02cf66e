export {
  concatBytes,
  fromBase64Url,
  randomBytes,
  toBase64Url,
  utf8Decode,
  utf8Encode,
} from './encoding.ts';
export {
  type AssociatedData,
  encodeAssociatedData,
  open,
  openJson,
  seal,
  sealJson,
  unwrapKey,
  wrapKey,
} from './envelope.ts';
export { CryptoError, CryptoErrorCode } from './errors.ts';
export { hkdf } from './hkdf.ts';
export {
  DEFAULT_KDF,
  deriveMasterKey,
  type KdfParams,
  PBKDF2_MIN_ITERATIONS,
  validateKdfParams,
} from './kdf.ts';
export { deriveAccountKeys, generateKeyBytes, importSymmetricKey, type SymmetricKey } from './keys.ts';
