import { ErrorCode } from '../messaging/protocol.ts';
import { type DeviceSessionRecord, deviceSessionItem } from '../storage/items.ts';
import { type ApiClient, ApiError } from './api-client.ts';
import { VaultError } from './vault-error.ts';

/**
 * This device's session on the server (a refresh token and its latest access token), apart from the
 * vault's lock state: locking wipes keys but keeps the session, unlock refreshes it, log out ends it.
 * A refresh token is single-use (the server revokes the whole session when a rotated one comes
 * back), so every call here runs inside the vault's queue and stores the new pair at once.
 */

export const DEVICE_NAME = 'Keyhold browser extension';

/** An access token younger than this before expiry is renewed first: it could expire in flight. */
const EXPIRY_MARGIN_MS = 30_000;

type Tokens = Pick<DeviceSessionRecord, 'accessToken' | 'refreshToken' | 'accessExpiresAt'>;

export interface SessionAccount {
  accountId: string;
  email: string;
}

export async function storeDeviceSession(accountId: string, tokens: Tokens): Promise<void> {
  const { accessToken, refreshToken, accessExpiresAt } = tokens;
  await deviceSessionItem.setValue({ accountId, accessToken, refreshToken, accessExpiresAt });
}

/** The stored session of this account, or null (none, or another account's leftover). */
export async function storedDeviceSession(accountId: string): Promise<DeviceSessionRecord | null> {
  const s = await deviceSessionItem.getValue();
  return s && s.accountId === accountId ? s : null;
}

export const forgetDeviceSession = () => deviceSessionItem.removeValue();

/**
 * Rotates the stored refresh token: true when the server still knows this device's session, false
 * when there is none or the server ended it (it is then forgotten). Throws ApiError when the server
 * cannot be asked (unreachable, rate limited…): that proves nothing either way.
 */
export async function refreshDeviceSession(api: ApiClient, accountId: string): Promise<boolean> {
  const s = await storedDeviceSession(accountId);
  if (!s) return false;
  try {
    await storeDeviceSession(accountId, await api.refresh(s.refreshToken));
    return true;
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 401)) throw e;
    await forgetDeviceSession();
    return false;
  }
}

/**
 * A new device session signed in with the auth key. INVALID_CREDENTIALS for a key that opened the
 * vault on this device means the master password changed elsewhere (or the account is gone: the
 * server answers both alike, so that no one can probe which emails have accounts).
 */
export async function signInDevice(
  api: ApiClient,
  account: SessionAccount,
  authKey: string,
): Promise<string> {
  try {
    const tokens = await api.login({ email: account.email, authKey, deviceName: DEVICE_NAME });
    await storeDeviceSession(account.accountId, tokens);
    return tokens.accessToken;
  } catch (e) {
    if (e instanceof ApiError && e.code === ErrorCode.InvalidCredentials)
      throw new VaultError(ErrorCode.PasswordChangedElsewhere);
    throw e;
  }
}

/**
 * A usable access token: the stored one while fresh (unless `renew`: the server just refused it),
 * else a refreshed one, else — with the auth key, i.e. while unlocked — a new sign-in. Without the
 * auth key and without a live session: SESSION_EXPIRED.
 */
export async function deviceAccessToken(opts: {
  api: ApiClient;
  account: SessionAccount;
  authKey: string | null;
  now: Date;
  renew?: boolean;
}): Promise<string> {
  const { api, account, authKey, now } = opts;
  const s = await storedDeviceSession(account.accountId);
  if (s && !opts.renew && Date.parse(s.accessExpiresAt) - now.getTime() > EXPIRY_MARGIN_MS)
    return s.accessToken;
  if (await refreshDeviceSession(api, account.accountId)) {
    const renewed = await storedDeviceSession(account.accountId);
    if (renewed) return renewed.accessToken;
  }
  if (authKey === null) throw new VaultError(ErrorCode.SessionExpired);
  return signInDevice(api, account, authKey);
}

/** Log out: ends the session on the server (best effort: unreachable or already ended is fine) and forgets it. */
export async function endDeviceSession(api: ApiClient, account: SessionAccount, now: Date): Promise<void> {
  try {
    await api.logout(await deviceAccessToken({ api, account, authKey: null, now }));
  } catch {
    // Unreachable or already ended: the tokens expire on their own; nothing local depends on it.
  }
  await forgetDeviceSession();
}
