import { assertBytes, assertString } from './assert.ts';
import { concatBytes, fromBase32, randomBytes, toBase32, utf8Encode } from './encoding.ts';
import { hkdf } from './hkdf.ts';
import { importSymmetricKey, KEY_BYTES, type SymmetricKey, sha256 } from './keys.ts';

/**
 * The recovery key (protocol.md "Recovery key"): 32 random bytes, shown once as
 * Base32(key || checksum) in 14 groups of 4, where checksum = SHA-256(label || key)[0..3].
 * 35 bytes are exactly 56 Base32 characters, so the display form has no padding.
 */
export const RECOVERY_KEY_BYTES = KEY_BYTES;
const CHECKSUM_BYTES = 3;
const CHECKSUM_LABEL = utf8Encode('keyhold/v1/recovery-checksum');
export const RECOVERY_KEY_CHARS = 56;
const GROUP_CHARS = 4;
export const RECOVERY_KEY_GROUPS = RECOVERY_KEY_CHARS / GROUP_CHARS;
const AUTH_LABEL = 'keyhold/v1/recovery-auth';
const WRAP_LABEL = 'keyhold/v1/recovery-wrap';
const EMPTY = new Uint8Array(0);
const BASE32_ALPHABET = /^[A-Z2-7]$/;
/**
 * Ignored when parsing: whitespace and hyphens, including the dashes a word processor or a phone
 * keyboard substitutes for "-" (U+2010–U+2015, U+2212), so a pasted or retyped key still reads.
 */
const SEPARATOR = /[\s\-\u2010-\u2015\u2212]/u;

/** Why a typed recovery key was refused, before any request is made. */
export const RecoveryKeyErrorCode = {
  /** Not 56 characters once separators are removed. */
  WRONG_LENGTH: 'WRONG_LENGTH',
  /** A character outside A–Z and 2–7 (e.g. 0, 1, 8, 9): `character` and `group` name it. */
  BAD_CHARACTER: 'BAD_CHARACTER',
  /** Well-formed, but the checksum does not match: a mistyped character. */
  CHECKSUM_MISMATCH: 'CHECKSUM_MISMATCH',
} as const;
export type RecoveryKeyErrorCode = (typeof RecoveryKeyErrorCode)[keyof typeof RecoveryKeyErrorCode];

/**
 * A recovery key that cannot be right. The message is a fixed sentence; the details a caller may
 * show are properties: the offending character (never a character of a valid key, as it is outside
 * the alphabet), its 1-based position among the key's characters and its group, or the length found.
 */
export class RecoveryKeyError extends Error {
  override readonly name = 'RecoveryKeyError';
  readonly code: RecoveryKeyErrorCode;
  readonly character: string | undefined;
  readonly position: number | undefined;
  readonly group: number | undefined;
  readonly length: number | undefined;

  constructor(
    code: RecoveryKeyErrorCode,
    message: string,
    detail: { character?: string; position?: number; length?: number } = {},
  ) {
    super(message);
    this.code = code;
    this.character = detail.character;
    this.position = detail.position;
    this.group = detail.position === undefined ? undefined : Math.ceil(detail.position / GROUP_CHARS);
    this.length = detail.length;
  }
}

async function checksumOf(key: Uint8Array): Promise<Uint8Array> {
  const labelled = concatBytes(CHECKSUM_LABEL, key);
  try {
    return (await sha256(labelled)).slice(0, CHECKSUM_BYTES);
  } finally {
    labelled.fill(0);
  }
}

/** 32 fresh random bytes (DESIGN §3: 256 random bits). */
export function generateRecoveryKey(): Uint8Array {
  return randomBytes(RECOVERY_KEY_BYTES);
}

/** The display form: `XXXX-XXXX-…` (14 groups of 4 upper-case Base32 characters). */
export async function formatRecoveryKey(key: Uint8Array): Promise<string> {
  assertBytes(key, 'key', RECOVERY_KEY_BYTES);
  const text = toBase32(concatBytes(key, await checksumOf(key)));
  const groups: string[] = [];
  for (let i = 0; i < text.length; i += GROUP_CHARS) groups.push(text.slice(i, i + GROUP_CHARS));
  return groups.join('-');
}

/**
 * Reads a recovery key as a person typed or pasted it: case-insensitive, separators ignored.
 * Checks, in order, each with its own RecoveryKeyError code: every character is in the alphabet
 * (the first one that is not is named), there are 56 of them, and the checksum matches.
 */
export async function parseRecoveryKey(text: string): Promise<Uint8Array> {
  assertString(text, 'text');
  let chars = '';
  for (const ch of text) {
    if (SEPARATOR.test(ch)) continue;
    // ASCII-only case folding: toUpperCase would turn 'ı' (dotless i) into a valid 'I'.
    const upper = ch >= 'a' && ch <= 'z' ? ch.toUpperCase() : ch;
    if (!BASE32_ALPHABET.test(upper)) {
      throw new RecoveryKeyError(
        RecoveryKeyErrorCode.BAD_CHARACTER,
        'The recovery key contains a character that recovery keys never use.',
        { character: ch, position: chars.length + 1 },
      );
    }
    chars += upper;
  }
  if (chars.length !== RECOVERY_KEY_CHARS) {
    throw new RecoveryKeyError(
      RecoveryKeyErrorCode.WRONG_LENGTH,
      `A recovery key has ${RECOVERY_KEY_CHARS} characters.`,
      { length: chars.length },
    );
  }
  const bytes = fromBase32(chars);
  const key = bytes.slice(0, RECOVERY_KEY_BYTES);
  const expected = await checksumOf(key);
  const found = bytes.subarray(RECOVERY_KEY_BYTES);
  // The checksum is a public function of what was typed; an early exit leaks nothing secret.
  const matches = expected.every((b, i) => b === found[i]);
  bytes.fill(0);
  if (!matches) {
    key.fill(0);
    throw new RecoveryKeyError(
      RecoveryKeyErrorCode.CHECKSUM_MISMATCH,
      'The recovery key does not check out: a character is mistyped.',
    );
  }
  return key;
}

/**
 * HKDF-SHA-256 (salt empty) splits the recovery key like the master key: `recoveryAuthKey` proves
 * possession to the server (which keeps only a slow hash of it); `recoveryWrappingKey` wraps the
 * vault key (AD purpose `recovery`) and never leaves the device. The caller wipes `key`.
 */
export async function deriveRecoveryKeys(
  key: Uint8Array,
): Promise<{ recoveryAuthKey: Uint8Array; recoveryWrappingKey: SymmetricKey }> {
  assertBytes(key, 'key', RECOVERY_KEY_BYTES);
  const recoveryAuthKey = await hkdf(key, EMPTY, AUTH_LABEL, KEY_BYTES);
  const wrapRaw = await hkdf(key, EMPTY, WRAP_LABEL, KEY_BYTES);
  try {
    return { recoveryAuthKey, recoveryWrappingKey: await importSymmetricKey(wrapRaw) };
  } finally {
    wrapRaw.fill(0);
  }
}
