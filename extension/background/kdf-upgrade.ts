import { fromBase64Url } from '../../shared-crypto/index.ts';
import { meetsKdfFloor, raiseToFloor } from '../messaging/kdf-levels.ts';
import type { PasswordPolicy } from '../messaging/password-policy.ts';
import { rewrapCredentials, serverKeys } from './password-change.ts';
import type { OpenVault } from './vault-service.ts';

/**
 * When the server's KDF floor rises above the account's parameters, the next unlock — the only
 * moment the password is at hand — re-wraps the vault key under parameters raised to the floor,
 * with a new salt (`reason: 'kdf-upgrade'`: same password, the history and every session kept,
 * `password_changed_at` unchanged). Returns whether it upgraded.
 */
export async function upgradeKdfIfBelowFloor(
  v: OpenVault,
  password: string,
  policy: PasswordPolicy,
): Promise<boolean> {
  if (meetsKdfFloor(v.account.kdf, policy.kdfFloor)) return false;
  const keys = await serverKeys(v);
  // Another device may have upgraded (or changed the password) already: nothing to do here.
  if (keys.keyVersion !== (v.account.keyVersion ?? 1) || keys.rotation || keys.salt !== v.account.salt)
    return false;
  await rewrapCredentials(v, {
    password,
    // The unlock just proved this password: its auth key is the one the vault was opened with.
    currentAuthKey: fromBase64Url(v.authKey),
    kdf: raiseToFloor(v.account.kdf, policy.kdfFloor),
    keyVersion: keys.keyVersion,
    passwordHistory: keys.passwordHistory,
    reason: 'kdf-upgrade',
  });
  return true;
}
