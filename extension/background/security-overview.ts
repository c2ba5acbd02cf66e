import type { SecurityOverview } from '../messaging/protocol.ts';
import { serverKeys } from './password-change.ts';
import { recordPasswordAge } from './password-reminder.ts';
import type { OpenVault } from './vault-service.ts';

/**
 * What the Security screen shows and its forms need: the account's KDF, when the master password was
 * last set, and the server's policy (the new password's minimums, the KDF floor the choices respect).
 */
export async function securityOverview(v: OpenVault): Promise<SecurityOverview> {
  const [{ policy }, keys] = await Promise.all([v.api.checkServer(), serverKeys(v)]);
  await recordPasswordAge(v.account.accountId, keys.passwordChangedAt, policy);
  return {
    email: v.account.email,
    kdf: v.account.kdf,
    passwordChangedAt: keys.passwordChangedAt,
    policy,
  };
}
