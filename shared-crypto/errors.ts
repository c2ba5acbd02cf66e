/**
 * Stable codes for the failures a caller is expected to handle. Anything else that escapes
 * shared-crypto (TypeError, RangeError) is a programming error and should crash loudly.
 */
export const CryptoErrorCode = {
  /** The envelope was sealed under another key (keyId differs): usually a wrong master password. */
  WRONG_KEY: 'WRONG_KEY',
  /** Right key, other associated data (adDigest differs): the ciphertext was moved, swapped or replayed. */
  WRONG_CONTEXT: 'WRONG_CONTEXT',
  /** Key and context match but the GCM tag does not verify: the bytes were altered. */
  TAMPERED: 'TAMPERED',
  /** Too short to hold a header and a tag, or not valid base64url. */
  TRUNCATED: 'TRUNCATED',
  /** A prefix or version byte this build does not know. */
  UNKNOWN_VERSION: 'UNKNOWN_VERSION',
  /** Parameters or authenticated contents that are well-typed but unacceptable (e.g. weak KDF params). */
  BAD_INPUT: 'BAD_INPUT',
} as const;

export type CryptoErrorCode = (typeof CryptoErrorCode)[keyof typeof CryptoErrorCode];

/** A typed, expected failure. Messages are fixed strings: they never carry key, password or plaintext bytes. */
export class CryptoError extends Error {
  override readonly name = 'CryptoError';
  readonly code: CryptoErrorCode;

  constructor(code: CryptoErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
