import type { ActivityPage } from '../messaging/protocol.ts';
import { ApiClient } from './api-client.ts';
import { type SessionVault, withSession } from './session-call.ts';

/** Events per page: a popup's screenful or two; "Load older" asks for the next page. */
export const ACTIVITY_PAGE_SIZE = 20;

/** What this feature needs of the vault: the server it is signed in to and a usable access token. */
export type ActivityVault = SessionVault;

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
    const page = await withSession(this.vault, this.makeApi, (api, token) =>
      api.activity(token, { before, limit: ACTIVITY_PAGE_SIZE }),
    );
    if (this.openNames) return this.openNames(page);
    return {
      ...page,
      events: page.events.map((e) => (e.device ? { ...e, device: { ...e.device, name: null } } : e)),
    };
  }
}
