import {
  type AssociatedData,
  CryptoError,
  fromBase64Url,
  generateKeyBytes,
  openJson,
  type SymmetricKey,
  sealJson,
  toBase64Url,
  utf8Encode,
} from '../../shared-crypto/index.ts';

/**
 * The last master passwords, as keyed hashes the server cannot test guesses against: a blob sealed
 * by the vault key (AD purpose `password-history`, owner = id = accountId, keyVersion = the vault
 * key's) holding `{v: 1, key, hashes}` with `hashes[i] = b64u(HMAC-SHA-256(key, NFKC(password)))`,
 * newest first, at most 5 (docs/protocol.md "Password history"). Only this extension opens it, to
 * refuse a new master password that is one of the last five.
 */

export const PASSWORD_HISTORY_SIZE = 5;

export interface PasswordHistory {
  v: 1;
  /** b64u of 32 random bytes: the HMAC key. */
  key: string;
  /** Newest first. */
  hashes: string[];
}

const historyAd = (accountId: string, keyVersion: number): AssociatedData => ({
  purpose: 'password-history',
  owner: accountId,
  id: accountId,
  keyVersion,
});

const B64U_32 = /^[A-Za-z0-9_-]{43}$/;

function isHistory(value: unknown): value is PasswordHistory {
  if (typeof value !== 'object' || value === null) return false;
  const h = value as Partial<PasswordHistory>;
  return (
    h.v === 1 &&
    typeof h.key === 'string' &&
    B64U_32.test(h.key) &&
    Array.isArray(h.hashes) &&
    h.hashes.length <= PASSWORD_HISTORY_SIZE &&
    h.hashes.every((x) => typeof x === 'string' && B64U_32.test(x))
  );
}

export function emptyPasswordHistory(): PasswordHistory {
  const raw = generateKeyBytes();
  try {
    return { v: 1, key: toBase64Url(raw), hashes: [] };
  } finally {
    raw.fill(0);
  }
}

/** Opens the server's blob; null when there is none. A blob that does not open is a CryptoError. */
export async function openPasswordHistory(
  vaultKey: SymmetricKey,
  accountId: string,
  keyVersion: number,
  sealed: string | null,
): Promise<PasswordHistory | null> {
  if (sealed === null) return null;
  const value = await openJson<unknown>(vaultKey, sealed, historyAd(accountId, keyVersion));
  if (!isHistory(value)) throw new CryptoError('BAD_INPUT', 'password history has an unknown shape');
  return value;
}

export function sealPasswordHistory(
  vaultKey: SymmetricKey,
  accountId: string,
  keyVersion: number,
  history: PasswordHistory,
): Promise<string> {
  return sealJson(vaultKey, history, historyAd(accountId, keyVersion));
}

async function passwordHash(history: PasswordHistory, password: string): Promise<string> {
  // Copies over plain ArrayBuffers, as WebCrypto's typings want; both are wiped after use.
  const keyBytes = new Uint8Array(fromBase64Url(history.key));
  const key = await crypto.subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
  keyBytes.fill(0);
  // NFKC as for the KDF: the same password typed on another keyboard is the same password.
  const encoded = utf8Encode(password.normalize('NFKC'));
  const bytes = new Uint8Array(encoded);
  encoded.fill(0);
  try {
    return toBase64Url(new Uint8Array(await crypto.subtle.sign('HMAC', key, bytes)));
  } finally {
    bytes.fill(0);
  }
}

/** Is `password` one of the passwords the history remembers? */
export async function isRecentPassword(history: PasswordHistory | null, password: string): Promise<boolean> {
  if (!history || history.hashes.length === 0) return false;
  return history.hashes.includes(await passwordHash(history, password));
}

/** The history with `password` as the newest entry (a new history when there was none), at most 5. */
export async function rememberPassword(
  history: PasswordHistory | null,
  password: string,
): Promise<PasswordHistory> {
  const base = history ?? emptyPasswordHistory();
  const hash = await passwordHash(base, password);
  return {
    v: 1,
    key: base.key,
    hashes: [hash, ...base.hashes.filter((h) => h !== hash)].slice(0, PASSWORD_HISTORY_SIZE),
  };
}
