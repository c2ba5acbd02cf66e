import { toBase64Url } from '../../shared-crypto/index.ts';
import { ErrorCode } from '../messaging/protocol.ts';
import { ApiError } from './api-client.ts';
import { forgetDeviceToken } from './device-token.ts';
import { provenAuthKey } from './master-password-proof.ts';
import { VaultError } from './vault-error.ts';
import type { OpenVault } from './vault-service.ts';

/**
 * "Delete account" (Security screen). The master password is entered again and checked on this
 * device before anything is sent; the email is typed as a confirmation. The server deletes every row
 * of the account (its audit trail keeps an event without personal data) and ends every device
 * session; this device then forgets everything it held. Other devices find their session gone at
 * their next request and ask to log in again (docs/accounts.md "Deleting the account").
 */

const sameEmail = (typed: string, email: string) => typed.trim().toLowerCase() === email.trim().toLowerCase();

export async function deleteAccount(v: OpenVault, password: string, typedEmail: string): Promise<void> {
  if (!sameEmail(typedEmail, v.account.email)) {
    throw new VaultError(ErrorCode.EmailMismatch, { field: 'email' });
  }
  const authKey = await provenAuthKey(v.account, password, 'password');
  const body = { authKey: toBase64Url(authKey) };
  authKey.fill(0);
  const send = async (renew: boolean) => v.api.deleteAccount(await v.accessToken(renew), body);
  try {
    try {
      await send(false);
    } catch (e) {
      // A token the server no longer takes (clock skew, a session ended elsewhere): once more, renewed.
      if (!(e instanceof ApiError && e.status === 401 && e.code !== ErrorCode.InvalidCredentials)) throw e;
      await send(true);
    }
  } catch (e) {
    // The password opened this device's vault but the server no longer takes it: changed elsewhere.
    if (e instanceof ApiError && e.code === ErrorCode.InvalidCredentials)
      throw new VaultError(ErrorCode.PasswordChangedElsewhere);
    throw e;
  }
  await v.forgetAccount();
  // Nothing of the deleted account stays on this device, its device token included.
  await forgetDeviceToken(v.account.email);
}
