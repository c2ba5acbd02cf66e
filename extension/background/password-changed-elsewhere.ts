import {
  CryptoError,
  deriveAccountKeys,
  fromBase64Url,
  type KdfParams,
  type SymmetricKey,
  toBase64Url,
  unwrapKey,
  validateKdfParams,
} from '../../shared-crypto/index.ts';
import { ErrorCode } from '../messaging/protocol.ts';
import type { AccountRecord } from '../storage/items.ts';
import { type ApiClient, ApiError } from './api-client.ts';
import { vaultKeyAd } from './item-crypto.ts';
import { emptyVault, itemsOf, type VaultData } from './vault-data.ts';
import { VaultError } from './vault-error.ts';
import { openStoredVault } from './vault-store.ts';

/**
 * The master password was changed on another device: this device's auth key no longer signs in
 * (PASSWORD_CHANGED_ELSEWHERE). The user types the new password; the server's prelogin gives its new
 * salt and KDF, a login gives the new wrapped vault key, and the vault opens again with every local
 * edit kept, to be pushed (docs/accounts.md "Changed on another device").
 */

export interface ServerCredentials {
  /** The account record as the server now has it (new salt, KDF, wrapped vault key). */
  account: AccountRecord;
  authKey: Uint8Array;
  wrappingKey: SymmetricKey;
  /** The new password's raw wrapping key (kept in session storage while unlocked; wiped by its taker). */
  wrappingKeyRaw: Uint8Array;
  /** The vault key the new credentials wrap. */
  vaultKey: SymmetricKey;
  reply: { accessToken: string; refreshToken: string; accessExpiresAt: string };
}

/** Field by field: the server's JSON (from a jsonb column) need not keep the keys' order. */
function sameKdf(a: KdfParams, b: KdfParams): boolean {
  if (a.alg === 'pbkdf2-sha256' || b.alg === 'pbkdf2-sha256')
    return a.alg === b.alg && a.iterations === b.iterations;
  return a.memoryKiB === b.memoryKiB && a.iterations === b.iterations && a.parallelism === b.parallelism;
}

/** The server's salt and KDF for this account, when they are not the ones this device knows. Null otherwise. */
export async function changedServerParams(
  api: ApiClient,
  account: AccountRecord,
): Promise<{ salt: string; kdf: KdfParams } | null> {
  const pre = await api.prelogin(account.email);
  let kdf: KdfParams;
  try {
    // A server could send weak parameters to make a stolen auth key cheap to attack: refuse them.
    kdf = validateKdfParams(pre.kdf);
  } catch {
    throw new VaultError(ErrorCode.ServerError);
  }
  return pre.salt === account.salt && sameKdf(kdf, account.kdf) ? null : { salt: pre.salt, kdf };
}

/**
 * Signs in with the password under the server's current salt and KDF and opens the vault key the
 * login returns. The password is wrong for the server too: INVALID_CREDENTIALS (its field).
 */
export async function signInWithServerParams(
  api: ApiClient,
  account: AccountRecord,
  password: string,
  params: { salt: string; kdf: KdfParams },
): Promise<ServerCredentials> {
  const { authKey, wrappingKey, wrappingKeyRaw } = await deriveAccountKeys(
    password,
    fromBase64Url(params.salt),
    params.kdf,
  );
  let reply: Awaited<ReturnType<ApiClient['login']>>;
  try {
    reply = await api.login({ email: account.email, authKey: toBase64Url(authKey) });
  } catch (e) {
    authKey.fill(0);
    wrappingKeyRaw.fill(0);
    if (e instanceof ApiError && e.code === ErrorCode.InvalidCredentials)
      throw new VaultError(ErrorCode.InvalidCredentials, { field: 'password' });
    throw e;
  }
  if (reply.accountId !== account.accountId) throw new VaultError(ErrorCode.ServerError);
  let vaultKey: SymmetricKey;
  try {
    const ad = vaultKeyAd(account.accountId, reply.keyVersion);
    const opened = await unwrapKey(wrappingKey, reply.wrappedVaultKey, ad);
    opened.raw.fill(0);
    vaultKey = opened.key;
  } catch (e) {
    // The server accepted the key but hands out a wrapped key it does not open: tampered or corrupt.
    if (e instanceof CryptoError) throw new VaultError(ErrorCode.CorruptData);
    throw e;
  }
  return {
    account: {
      ...account,
      salt: params.salt,
      kdf: params.kdf,
      wrappedVaultKey: reply.wrappedVaultKey,
      keyVersion: reply.keyVersion,
    },
    authKey,
    wrappingKey,
    wrappingKeyRaw,
    vaultKey,
    reply,
  };
}

/** "Log in again" after PASSWORD_CHANGED_ELSEWHERE: the same sign-in, whatever the local parameters. */
export async function signInWithNewPassword(
  api: ApiClient,
  account: AccountRecord,
  password: string,
): Promise<ServerCredentials> {
  const params = (await changedServerParams(api, account)) ?? { salt: account.salt, kdf: account.kdf };
  return signInWithServerParams(api, account, password, params);
}

/**
 * What this device keeps when the vault key itself was replaced elsewhere (a vault reset, or a
 * rotation this device missed): only its own unsynced edits — every other item is pulled again
 * under the new key, from revision 0. Same key: everything stays as it is.
 */
export function carryOver(data: VaultData, sameKey: boolean): VaultData {
  if (sameKey) return data;
  const kept = emptyVault();
  for (const item of itemsOf(data)) if (item.dirty) kept.items[item.id] = item;
  return kept;
}

export const sameVaultKey = (a: SymmetricKey, b: SymmetricKey) =>
  a.id.length === b.id.length && a.id.every((byte, i) => byte === b.id[i]);

/**
 * The local cache under the vault key the new credentials opened: the vault as it was (same key),
 * or — when the cache was sealed by a key this device no longer has — an empty vault to pull into.
 */
export async function cacheUnder(account: AccountRecord, vaultKey: SymmetricKey): Promise<VaultData> {
  try {
    return (await openStoredVault(account.accountId, async () => vaultKey))?.data ?? emptyVault();
  } catch (e) {
    if (e instanceof CryptoError && e.code === 'WRONG_KEY') return emptyVault();
    if (e instanceof CryptoError) throw new VaultError(ErrorCode.CorruptData);
    throw e;
  }
}

/**
 * At unlock, when the password does not open this device's wrapped vault key: if the server's salt
 * or KDF changed (the password was changed elsewhere and the user typed the new one), sign in with
 * them. Null when there is nothing else to try — the same parameters, no server, or a password the
 * server refuses too — and the unlock stays WRONG_PASSWORD.
 */
export async function unlockWithServerCredentials(
  api: ApiClient,
  account: AccountRecord,
  password: string,
): Promise<ServerCredentials | null> {
  let params: { salt: string; kdf: KdfParams } | null;
  try {
    params = await changedServerParams(api, account);
  } catch {
    return null;
  }
  if (!params) return null;
  try {
    return await signInWithServerParams(api, account, password, params);
  } catch (e) {
    if (e instanceof VaultError && e.code === ErrorCode.InvalidCredentials) return null;
    if (e instanceof ApiError) return null;
    throw e;
  }
}
