import { ErrorCode } from '../messaging/protocol.ts';
import { type ApiClient, ApiError } from './api-client.ts';
import { VaultError } from './vault-error.ts';
import type { VaultService } from './vault-service.ts';

export type SessionVault = Pick<VaultService, 'channelAuth' | 'hasAccount'>;

/**
 * A server call with this device's session (account activity, recording an export): the token is
 * renewed once when the server refuses it — our clock thought it valid, but the server skewed or a
 * session ended elsewhere — as a sync does. LOCKED / NO_ACCOUNT without a session; a refusal from the
 * server comes back as a VaultError with its code.
 */
export async function withSession<T>(
  vault: SessionVault,
  makeApi: (baseUrl: string) => ApiClient,
  call: (api: ApiClient, accessToken: string) => Promise<T>,
): Promise<T> {
  const once = async (renew: boolean) => {
    const auth = await vault.channelAuth(renew);
    if (!auth) throw new VaultError((await vault.hasAccount()) ? ErrorCode.Locked : ErrorCode.NoAccount);
    return call(makeApi(auth.serverUrl), auth.accessToken);
  };
  try {
    try {
      return await once(false);
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) throw e;
      return await once(true);
    }
  } catch (e) {
    if (e instanceof ApiError) throw new VaultError(e.code, e.detail);
    throw e;
  }
}
