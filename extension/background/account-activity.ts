import { type ActivityPage, ErrorCode } from '../messaging/protocol.ts';
import { ApiClient, ApiError } from './api-client.ts';
import { VaultError } from './vault-error.ts';
import type { VaultService } from './vault-service.ts';

/** Events per page: a popup's screenful or two; "Load older" asks for the next page. */
export const ACTIVITY_PAGE_SIZE = 20;

/** What this feature needs of the vault: the server it is signed in to and a usable access token. */
export type ActivityVault = Pick<VaultService, 'channelAuth' | 'hasAccount'>;

/**
 * The account's activity (its security events as the server's audit log recorded them), read
 * with the vault's session: only while unlocked, and only the signed-in account's own events
 * (`GET /v1/activity`, scope `account`). Failures are VaultErrors with the codes every other
 * server call uses (SERVER_UNREACHABLE, SESSION_EXPIRED, …).
 */
export class AccountActivity {
  constructor(
    private readonly vault: ActivityVault,
    private readonly makeApi: (baseUrl: string) => ApiClient = (baseUrl) => new ApiClient(baseUrl),
    /**
     * Opens the devices' sealed names (devices.ts, with the vault key). Without it a sealed name is
     * never shown: each device reads as unnamed.
     */
    private readonly openNames: ((page: ActivityPage) => Promise<ActivityPage>) | null = null,
  ) {}

  async page(before?: number): Promise<ActivityPage> {
    let page: ActivityPage;
    try {
      try {
        page = await this.fetchPage(before, false);
      } catch (e) {
        // The token looked valid to our clock but the server refused it (skew, a session ended
        // elsewhere): renew it once, as a sync does.
        if (!(e instanceof ApiError && e.status === 401)) throw e;
        page = await this.fetchPage(before, true);
      }
    } catch (e) {
      if (e instanceof ApiError) throw new VaultError(e.code, e.detail);
      throw e;
    }
    if (this.openNames) return this.openNames(page);
    return {
      ...page,
      events: page.events.map((e) => (e.device ? { ...e, device: { ...e.device, name: null } } : e)),
    };
  }

  private async fetchPage(before: number | undefined, renewToken: boolean): Promise<ActivityPage> {
    const auth = await this.vault.channelAuth(renewToken);
    if (!auth) {
      throw new VaultError((await this.vault.hasAccount()) ? ErrorCode.Locked : ErrorCode.NoAccount);
    }
    return this.makeApi(auth.serverUrl).activity(auth.accessToken, { before, limit: ACTIVITY_PAGE_SIZE });
  }
}
