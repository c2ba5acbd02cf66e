import type { AccountKeys } from '../../server/routes/accounts-schema.ts';
import type { PasswordChangeReason } from '../../server/routes/password-schema.ts';
import {
  deriveAccountKeys,
  fromBase64Url,
  importSymmetricKey,
  type KdfParams,
  randomBytes,
  type SymmetricKey,
  toBase64Url,
  wrapKey,
} from '../../shared-crypto/index.ts';
import { type KdfLevel, kdfForLevel } from '../messaging/kdf-levels.ts';
import { ErrorCode } from '../messaging/protocol.ts';
import { ApiError } from './api-client.ts';
import { vaultKeyAd } from './item-crypto.ts';
import { provenAuthKey } from './master-password-proof.ts';
import { requireAcceptablePassword } from './new-master-password.ts';
import {
  isReused,
  newPasswordHistory,
  openPasswordHistory,
  type PasswordHistory,
  sealPasswordHistory,
  withPassword,
} from './password-history.ts';
import { recordPasswordChanged } from './password-reminder.ts';
import { VaultError } from './vault-error.ts';
import type { OpenVault } from './vault-service.ts';

/**
 * Changing the master password while knowing the current one (Security screen), and the same
 * re-wrap with only stronger KDF parameters (kdf-upgrade.ts). The vault key stays; a new salt and
 * KDF give a new wrapping key and auth key, and the server swaps them atomically only if the
 * current auth key is right (docs/accounts.md "Changing the master password"). Every check that can
 * run here runs before anything is sent; a failure leaves this device as it was.
 */

export interface PasswordChange {
  currentPassword: string;
  newPassword: string;
  kdf: KdfLevel;
}

/** The server's view of the keys, read with the session (one retry with a renewed token). */
export async function serverKeys(v: OpenVault): Promise<AccountKeys> {
  return withFreshToken(v, (token) => v.api.accountKeys(token));
}

/** One call with the session's access token, retried once renewed when the server refuses it (401). */
export async function withFreshToken<T>(v: OpenVault, call: (token: string) => Promise<T>): Promise<T> {
  try {
    return await call(await v.accessToken());
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 401 && e.code !== ErrorCode.InvalidCredentials)) throw e;
    return call(await v.accessToken(true));
  }
}

/** The server's keys must be the ones this device holds: the same version, no rotation half-way. */
function requireCurrentKeys(v: OpenVault, keys: AccountKeys): number {
  const keyVersion = v.account.keyVersion ?? 1;
  if (keys.keyVersion !== keyVersion) throw new VaultError(ErrorCode.KeyVersionStale);
  if (keys.rotation) throw new VaultError(ErrorCode.RotationPending);
  return keyVersion;
}

/**
 * The account's password history. One that does not open (tampered, or sealed by a key this device
 * does not hold) is started afresh: it only spares the user a reused password, it guards nothing
 * against the server, and it must not make the password impossible to change.
 */
async function history(
  vaultKey: SymmetricKey,
  accountId: string,
  keyVersion: number,
  sealed: string | null,
): Promise<PasswordHistory | null> {
  if (sealed === null) return null;
  try {
    return await openPasswordHistory(sealed, vaultKey, accountId, keyVersion);
  } catch {
    return null;
  }
}

interface Rewrap {
  password: string;
  currentAuthKey: Uint8Array;
  kdf: KdfParams;
  keyVersion: number;
  passwordHistory: string | null;
  reason: PasswordChangeReason;
}

/**
 * New salt, the vault key re-wrapped under the password's new wrapping key, and the swap on the
 * server (`POST /v1/accounts/current/password`); then this device's record and auth key. A change
 * that lost a race with another device's — this session ended, or the current key no longer the
 * server's — is PASSWORD_CHANGED_ELSEWHERE, and nothing here changes.
 */
export async function rewrapCredentials(v: OpenVault, r: Rewrap): Promise<string> {
  const salt = randomBytes(16);
  const { authKey, wrappingKey } = await deriveAccountKeys(r.password, salt, r.kdf);
  const vaultKeyRaw = fromBase64Url(v.vaultKey);
  let wrappedVaultKey: string;
  try {
    wrappedVaultKey = await wrapKey(wrappingKey, vaultKeyRaw, vaultKeyAd(v.account.accountId, r.keyVersion));
  } finally {
    vaultKeyRaw.fill(0);
  }
  const body = {
    currentAuthKey: toBase64Url(r.currentAuthKey),
    authKey: toBase64Url(authKey),
    kdf: r.kdf,
    salt: toBase64Url(salt),
    wrappedVaultKey,
    keyVersion: r.keyVersion,
    passwordHistory: r.passwordHistory,
    reason: r.reason,
  };
  let passwordChangedAt: string;
  try {
    ({ passwordChangedAt } = await withFreshToken(v, (token) => v.api.changePassword(token, body)));
  } catch (e) {
    if (
      e instanceof ApiError &&
      (e.code === ErrorCode.InvalidCredentials || e.code === ErrorCode.CredentialsChanged)
    )
      throw new VaultError(ErrorCode.PasswordChangedElsewhere);
    if (e instanceof ApiError && e.code === ErrorCode.KdfTooWeak)
      throw new VaultError(e.code, { field: 'kdf' });
    throw e;
  } finally {
    authKey.fill(0);
    r.currentAuthKey.fill(0);
  }
  await v.saveCredentials({ ...v.account, salt: body.salt, kdf: r.kdf, wrappedVaultKey }, body.authKey);
  return passwordChangedAt;
}

/**
 * The whole change. The current password is checked on this device before anything is sent; then
 * the server's policy (`GET /v1/meta`) for the new one, its history, and the swap.
 */
export async function changeMasterPassword(v: OpenVault, change: PasswordChange): Promise<void> {
  const { account } = v;
  const currentAuthKey = await provenAuthKey(account, change.currentPassword, 'currentPassword');
  try {
    const { policy } = await v.api.checkServer();
    requireAcceptablePassword(change.newPassword, account.email, policy, 'newPassword');
    const same = change.newPassword.normalize('NFKC') === change.currentPassword.normalize('NFKC');
    if (same) throw new VaultError(ErrorCode.PasswordReused, { field: 'newPassword' });
    const keys = await serverKeys(v);
    const keyVersion = requireCurrentKeys(v, keys);
    const vaultKeyRaw = fromBase64Url(v.vaultKey);
    const vaultKey = await importSymmetricKey(vaultKeyRaw);
    vaultKeyRaw.fill(0);
    // An account from before the history existed starts one with the password it replaces.
    const past =
      (await history(vaultKey, account.accountId, keyVersion, keys.passwordHistory)) ??
      (await withPassword(newPasswordHistory(account.accountId), change.currentPassword));
    if (await isReused(past, change.newPassword))
      throw new VaultError(ErrorCode.PasswordReused, { field: 'newPassword' });
    const next = await withPassword(past, change.newPassword);
    const passwordChangedAt = await rewrapCredentials(v, {
      password: change.newPassword,
      currentAuthKey,
      kdf: kdfForLevel(change.kdf, account.kdf, policy.kdfFloor),
      keyVersion,
      passwordHistory: await sealPasswordHistory(next, vaultKey, keyVersion),
      reason: 'change',
    });
    await recordPasswordChanged(account.accountId, passwordChangedAt);
  } finally {
    currentAuthKey.fill(0);
  }
}
