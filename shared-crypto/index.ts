export {
  concatBytes,
  fromBase32,
  fromBase64Url,
  randomBytes,
  toBase32,
  toBase64Url,
  utf8Decode,
  utf8Encode,
} from './encoding.ts';
export {
  type AssociatedData,
  encodeAssociatedData,
  open,
  openBinary,
  openJson,
  seal,
  sealBinary,
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
export {
  deriveRecoveryKeys,
  formatRecoveryKey,
  generateRecoveryKey,
  parseRecoveryKey,
  RECOVERY_KEY_BYTES,
  RECOVERY_KEY_CHARS,
  RECOVERY_KEY_GROUPS,
  RecoveryKeyError,
  RecoveryKeyErrorCode,
} from './recovery-key.ts';
