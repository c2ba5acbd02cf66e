import {
  DEFAULT_KDF,
  deriveAccountKeys,
  generateKeyBytes,
  importSymmetricKey,
  randomBytes,
  type SymmetricKey,
  toBase64Url,
  wrapKey,
} from '../../shared-crypto/index.ts';
import { raiseToFloor } from '../messaging/kdf-levels.ts';
import type { PasswordPolicy } from '../messaging/password-policy.ts';
import { ErrorCode } from '../messaging/protocol.ts';
import type { AccountRecord } from '../storage/items.ts';
import { ApiError } from './api-client.ts';
import { refreshDeviceSession } from './device-session.ts';
import { vaultKeyAd } from './item-crypto.ts';
import { requireAcceptablePassword } from './new-master-password.ts';
import { newPasswordHistory, sealPasswordHistory, withPassword } from './password-history.ts';
import { VaultError } from './vault-error.ts';
import type { LockedAccount } from './vault-service.ts';

/**
 * Vault reset: the user forgot the master password and lost the recovery key. Allowed only from a
 * device whose session is still valid (the proof; the email alone never is), it deletes every item
 * and key on the server and starts a fresh, empty vault under a new master password and a new vault
 * key one version up, so that every other device's writes under the old key are refused
 * (docs/accounts.md "Leaving").
 */

/** Whether the unlock screen may offer the reset: this device's session is refreshed to prove it is alive. */
export async function vaultResetAvailable(l: LockedAccount): Promise<boolean> {
  try {
    return await refreshDeviceSession(l.api, l.account.accountId);
  } catch (e) {
    // Unreachable, rate limited…: nothing proves the session is alive, so nothing is offered.
    // Ended by the server: not alive either (its reason is recorded for the unlock screen).
    if (e instanceof ApiError) return false;
    if (e instanceof VaultError && e.code === ErrorCode.SessionEnded) return false;
    throw e;
  }
}

export interface FreshVault {
  account: AccountRecord;
  authKey: Uint8Array;
  wrappingKey: SymmetricKey;
  /** Raw, for session storage while unlocked. */
  wrappingKeyRaw: Uint8Array;
}

export async function resetVault(
  l: LockedAccount,
  typedEmail: string,
  newPassword: string,
  policy: PasswordPolicy,
): Promise<FreshVault> {
  const { account, api } = l;
  if (typedEmail.trim().toLowerCase() !== account.email.toLowerCase())
    throw new VaultError(ErrorCode.EmailMismatch, { field: 'email' });
  requireAcceptablePassword(newPassword, account.email, policy, 'newPassword');
  const token = await l.accessToken();
  const { keyVersion: current } = await api.accountKeys(token);
  const keyVersion = current + 1;

  const salt = randomBytes(16);
  const kdf = raiseToFloor(DEFAULT_KDF, policy.kdfFloor);
  const { authKey, wrappingKey, wrappingKeyRaw } = await deriveAccountKeys(newPassword, salt, kdf);
  const vaultKeyRaw = generateKeyBytes();
  let wrappedVaultKey: string;
  let passwordHistory: string;
  try {
    wrappedVaultKey = await wrapKey(wrappingKey, vaultKeyRaw, vaultKeyAd(account.accountId, keyVersion));
    const vaultKey = await importSymmetricKey(vaultKeyRaw);
    passwordHistory = await sealPasswordHistory(
      await withPassword(newPasswordHistory(account.accountId), newPassword),
      vaultKey,
      keyVersion,
    );
  } finally {
    vaultKeyRaw.fill(0);
  }
  try {
    await api.resetVault(token, {
      kdf,
      salt: toBase64Url(salt),
      authKey: toBase64Url(authKey),
      wrappedVaultKey,
      keyVersion,
      passwordHistory,
    });
  } catch (e) {
    authKey.fill(0);
    wrappingKeyRaw.fill(0);
    throw e;
  }
  return {
    account: { ...account, salt: toBase64Url(salt), kdf, wrappedVaultKey, keyVersion, rotation: null },
    authKey,
    wrappingKey,
    wrappingKeyRaw,
  };
}
