import { ErrorCode } from '../messaging/protocol.ts';
import {
  type DeviceSessionRecord,
  deviceNameSentItem,
  deviceSessionItem,
  sessionEndedItem,
  signInNoticeItem,
} from '../storage/items.ts';
import { type ApiClient, ApiError } from './api-client.ts';
import { forgetDpopKey } from './dpop-key.ts';
import { endPolicy, recordSessionEnded } from './session-ended.ts';
import { VaultError } from './vault-error.ts';

/**
 * This device's session on the server (a refresh token and its latest access token), apart from the
 * vault's lock state: locking wipes keys but keeps the session, unlock refreshes it, log out ends it.
 * A refresh token is single-use (the server revokes the whole session when a rotated one comes
 * back), so every call here runs inside the vault's queue and stores the new pair at once.
 */

/** An access token younger than this before expiry is renewed first: it could expire in flight. */
const EXPIRY_MARGIN_MS = 30_000;

type Tokens = Pick<DeviceSessionRecord, 'accessToken' | 'refreshToken' | 'accessExpiresAt'> & {
  /** A login's reply names the new session; a refresh keeps the stored one. */
  sessionId?: string;
};
type LoginReply = Awaited<ReturnType<ApiClient['login']>>;

export interface SessionAccount {
  accountId: string;
  email: string;
}

export async function storeDeviceSession(accountId: string, tokens: Tokens): Promise<void> {
  const { accessToken, refreshToken, accessExpiresAt } = tokens;
  const sessionId = tokens.sessionId ?? (await storedDeviceSession(accountId))?.sessionId;
  await deviceSessionItem.setValue({
    accountId,
    ...(sessionId ? { sessionId } : {}),
    accessToken,
    refreshToken,
    accessExpiresAt,
  });
}

/** The stored session of this account, or null (none, or another account's leftover). */
export async function storedDeviceSession(accountId: string): Promise<DeviceSessionRecord | null> {
  const s = await deviceSessionItem.getValue();
  return s && s.accountId === accountId ? s : null;
}

/** Forgets the session and its DPoP key (a new sign-in makes a new one). */
export const forgetDeviceSession = async () => {
  await deviceSessionItem.removeValue();
  await forgetDpopKey();
};

/**
 * What this device noted about the account's sessions (its sealed name sent, a new sign-in
 * elsewhere, why it was signed out): forgotten with the account. The user's own label for this
 * device (`local:device-label`) is about the device and stays.
 */
export const forgetSessionNotes = () =>
  Promise.all([
    deviceNameSentItem.removeValue(),
    signInNoticeItem.removeValue(),
    sessionEndedItem.removeValue(),
  ]);

/**
 * Rotates the stored refresh token: true when the server still knows this device's session, false
 * when there is none or it is unknown to the server (it is then forgotten). Throws ApiError when
 * the server cannot be asked (unreachable, rate limited…): that proves nothing either way. A
 * session the server says it ended (SESSION_ENDED) is forgotten too, the reason recorded for the
 * popup (session-ended.ts), and thrown as VaultError SESSION_ENDED: never a cue to sign in again.
 */
export async function refreshDeviceSession(
  api: ApiClient,
  accountId: string,
  now = new Date(),
): Promise<boolean> {
  const s = await storedDeviceSession(accountId);
  if (!s) return false;
  try {
    await storeDeviceSession(accountId, await api.refresh(s.refreshToken));
    return true;
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 401)) throw e;
    await forgetDeviceSession();
    if (e.code !== ErrorCode.SessionEnded) return false;
    const reason = e.detail.endReason;
    // Only a sign-out is explained on the unlock screen; a new password is asked for by "Log in again".
    if (endPolicy(reason) === 'sign-out') await recordSessionEnded(accountId, reason ?? 'unknown', now);
    throw new VaultError(ErrorCode.SessionEnded, { endReason: reason ?? 'unknown' });
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
  onSignIn?: (reply: LoginReply) => void,
): Promise<string> {
  try {
    const tokens = await api.login({ email: account.email, authKey });
    await storeDeviceSession(account.accountId, tokens);
    onSignIn?.(tokens);
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
 * auth key and without a live session: SESSION_EXPIRED. A session the server ended (SESSION_ENDED)
 * is signed in again only when the end asks for it (a key rotation elsewhere) or when the master
 * password was just typed (`afterPassword`: unlock, log in): never silently after a remote logout.
 */
export async function deviceAccessToken(opts: {
  api: ApiClient;
  account: SessionAccount;
  authKey: string | null;
  now: Date;
  renew?: boolean;
  /** The auth key comes from the master password the user just typed. */
  afterPassword?: boolean;
  /** Told the login reply when a new sign-in was needed (it says which vault key is current). */
  onSignIn?: (reply: LoginReply) => void;
}): Promise<string> {
  const { api, account, authKey, now } = opts;
  const s = await storedDeviceSession(account.accountId);
  if (s && !opts.renew && Date.parse(s.accessExpiresAt) - now.getTime() > EXPIRY_MARGIN_MS)
    return s.accessToken;
  try {
    if (await refreshDeviceSession(api, account.accountId, now)) {
      const renewed = await storedDeviceSession(account.accountId);
      if (renewed) return renewed.accessToken;
    }
  } catch (e) {
    const ended = e instanceof VaultError && e.code === ErrorCode.SessionEnded;
    if (!ended || authKey === null) throw e;
    if (!opts.afterPassword && endPolicy(e.detail.endReason) !== 'follow') throw e;
  }
  if (authKey === null) throw new VaultError(ErrorCode.SessionExpired);
  return signInDevice(api, account, authKey, opts.onSignIn);
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
