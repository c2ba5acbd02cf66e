import {
  CryptoError,
  fromBase64Url,
  openJson,
  randomBytes,
  type SymmetricKey,
  sealJson,
  toBase64Url,
  utf8Encode,
} from '../../shared-crypto/index.ts';

/**
 * The last master passwords, as keyed hashes only the vault can read (docs/protocol.md "Password
 * history"): the extension refuses a new master password that was one of the last 5, and the
 * server stores the sealed blob without learning anything about them. Blob contents:
 * `{v: 1, key: b64u(32 random bytes), hashes: [b64u(HMAC-SHA-256(key, NFKC(password)))…]}`,
 * newest first, sealed by the vault key (AD purpose `password-history`, owner = id = accountId,
 * keyVersion = the vault key version).
 */

export const HISTORY_SIZE = 5;
const HMAC_KEY_BYTES = 32;
/** b64u of a 32-byte value. */
const B64U_32 = /^[A-Za-z0-9_-]{43}$/;

export interface PasswordHistory {
  readonly accountId: string;
  /** HMAC key (b64u): random per account, so equal passwords of two accounts hash differently. */
  readonly key: string;
  /** Newest first, at most HISTORY_SIZE. */
  readonly hashes: readonly string[];
}

interface Blob {
  v: 1;
  key: string;
  hashes: string[];
}

const historyAd = (accountId: string, keyVersion: number) =>
  ({ purpose: 'password-history', owner: accountId, id: accountId, keyVersion }) as const;

/** An empty history with a fresh HMAC key (a new account, or one created before histories existed). */
export function newPasswordHistory(accountId: string): PasswordHistory {
  return { accountId, key: toBase64Url(randomBytes(HMAC_KEY_BYTES)), hashes: [] };
}

async function hashOf(history: PasswordHistory, password: string): Promise<string> {
  // Both arrays below are fresh views over plain ArrayBuffers (never shared), as WebCrypto's types want.
  const raw = fromBase64Url(history.key) as Uint8Array<ArrayBuffer>;
  const key = await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  raw.fill(0);
  // NFKC as for the KDF: the same password typed on another keyboard is the same password.
  const bytes = utf8Encode(password.normalize('NFKC')) as Uint8Array<ArrayBuffer>;
  try {
    return toBase64Url(new Uint8Array(await crypto.subtle.sign('HMAC', key, bytes)));
  } finally {
    bytes.fill(0);
  }
}

/** Was `password` one of the last master passwords? */
export async function isReused(history: PasswordHistory, password: string): Promise<boolean> {
  const hash = await hashOf(history, password);
  return history.hashes.includes(hash);
}

/** The history with `password` as the newest entry (moved to the front if present), at most 5. */
export async function withPassword(history: PasswordHistory, password: string): Promise<PasswordHistory> {
  const hash = await hashOf(history, password);
  const hashes = [hash, ...history.hashes.filter((h) => h !== hash)].slice(0, HISTORY_SIZE);
  return { ...history, hashes };
}

export function sealPasswordHistory(
  history: PasswordHistory,
  vaultKey: SymmetricKey,
  keyVersion: number,
): Promise<string> {
  const blob: Blob = { v: 1, key: history.key, hashes: [...history.hashes] };
  return sealJson(vaultKey, blob, historyAd(history.accountId, keyVersion));
}

/**
 * Opens the server's `passwordHistory`. CryptoError on a wrong key or context (WRONG_KEY,
 * WRONG_CONTEXT, TAMPERED…) and BAD_INPUT on authentic contents of an unknown shape.
 */
export async function openPasswordHistory(
  sealed: string,
  vaultKey: SymmetricKey,
  accountId: string,
  keyVersion: number,
): Promise<PasswordHistory> {
  const blob = await openJson<unknown>(vaultKey, sealed, historyAd(accountId, keyVersion));
  const b = blob as Partial<Blob> | null;
  const valid =
    typeof b === 'object' &&
    b !== null &&
    b.v === 1 &&
    typeof b.key === 'string' &&
    B64U_32.test(b.key) &&
    Array.isArray(b.hashes) &&
    b.hashes.length <= HISTORY_SIZE &&
    b.hashes.every((h) => typeof h === 'string' && B64U_32.test(h));
  if (!valid) throw new CryptoError('BAD_INPUT', 'password history has an unknown shape');
  return { accountId, key: b.key as string, hashes: [...(b.hashes as string[])] };
}

/**
 * A key rotation's step: the history sealed under the old vault key, sealed again under the new one
 * (same HMAC key and hashes).
 */
export async function reseal(
  sealed: string,
  accountId: string,
  from: { key: SymmetricKey; version: number },
  to: { key: SymmetricKey; version: number },
): Promise<string> {
  const history = await openPasswordHistory(sealed, from.key, accountId, from.version);
  return sealPasswordHistory(history, to.key, to.version);
}
