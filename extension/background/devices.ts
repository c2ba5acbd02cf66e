import { fromBase64Url, importSymmetricKey, type SymmetricKey } from '../../shared-crypto/index.ts';
import { t } from '../i18n/index.ts';
import type { ActivityPage, DeviceInfo, DeviceList, SignInNotice } from '../messaging/protocol.ts';
import {
  deviceLabelItem,
  deviceNameSentItem,
  deviceSessionItem,
  type SignInNoticeRecord,
  signInNoticeItem,
} from '../storage/items.ts';
import { ApiError, type ServerDeviceSession } from './api-client.ts';
import {
  cleanLabel,
  type DeviceName,
  displayName,
  openDeviceName,
  sealDeviceName,
  thisBrowser,
} from './device-name.ts';
import { storedDeviceSession } from './device-session.ts';
import { currentVersion } from './vault-keys.ts';
import type { OpenVault, VaultService } from './vault-service.ts';

/**
 * "Devices" (docs/sessions.md "In the extension"): the account's device sessions with the names
 * the devices sealed, this device's own name kept sealed on the server, remote logout, and the
 * notice of a new sign-in elsewhere. Everything runs in the vault's queue with the open vault: a
 * name is sealed and opened with the vault key, so only while unlocked.
 */

/** Shown for a session whose name is absent or does not open (sealed by another key or tampered). */
export const unnamedDevice = (): string => t('activity.unnamedDevice');

export type DevicesVault = Pick<VaultService, 'withOpenVault'>;

/** What a push `session` event says: another session signed in, or named itself. */
export interface SessionEvent {
  sessionId: string;
  kind: 'signed-in' | 'named';
}

/** A call with the device's access token, renewed once when the server refuses it (as a sync does). */
async function withToken<T>(v: OpenVault, call: (token: string) => Promise<T>): Promise<T> {
  try {
    return await call(await v.accessToken());
  } catch (e) {
    // A session ended meanwhile: renewing it records why and locks (session-ended.ts), and throws.
    if (!(e instanceof ApiError && e.status === 401)) throw e;
    return call(await v.accessToken(true));
  }
}

async function currentKey(v: OpenVault): Promise<SymmetricKey> {
  const raw = fromBase64Url(v.vaultKey);
  try {
    return await importSymmetricKey(raw);
  } finally {
    raw.fill(0);
  }
}

export class Devices {
  constructor(
    private readonly vault: DevicesVault,
    private readonly browserName: () => string = thisBrowser,
  ) {}

  /** The account's live sessions, this device first, then the most recently seen. */
  list(): Promise<DeviceList> {
    return this.vault.withOpenVault((v) => this.listIn(v));
  }

  /** Names this device ("" for no name of its own) and stores the sealed name on the server. */
  rename(label: string): Promise<DeviceList> {
    return this.vault.withOpenVault(async (v) => {
      await deviceLabelItem.setValue(cleanLabel(label));
      await this.nameIn(v);
      return this.listIn(v);
    });
  }

  /** Ends another device's session: its next request is refused and its push stream closes. */
  logOut(sessionId: string): Promise<DeviceList> {
    return this.vault.withOpenVault(async (v) => {
      await withToken(v, (t) => v.api.endDeviceSession(t, sessionId));
      return this.listIn(v);
    });
  }

  /** Ends every session of the account but this device's. */
  logOutOthers(): Promise<{ ended: number; devices: DeviceInfo[] }> {
    return this.vault.withOpenVault(async (v) => {
      const { ended } = await withToken(v, (t) => v.api.endOtherDeviceSessions(t));
      return { ended, devices: (await this.listIn(v)).devices };
    });
  }

  /**
   * Stores this session's sealed name unless the server already has it as it is now: after every
   * sign-in (a new session id), a key rotation (a new key version), a rename or a browser update.
   */
  ensureName(): Promise<void> {
    return this.vault.withOpenVault((v) => this.nameIn(v));
  }

  /**
   * The push channel's `session` event: another device signed in (or named itself). Recorded for
   * the popup's banner with what GET /v1/sessions says of it; this device's own session is skipped.
   */
  sessionEvent(event: SessionEvent): Promise<void> {
    return this.vault.withOpenVault(async (v) => {
      const own = (await storedDeviceSession(v.account.accountId))?.sessionId;
      if (own === event.sessionId) return;
      const shown = await signInNoticeItem.getValue();
      // A name set later updates a notice already shown; a rename of some other session is no news.
      if (event.kind === 'named' && shown?.sessionId !== event.sessionId) return;
      const { sessions } = await withToken(v, (t) => v.api.deviceSessions(t));
      const s = sessions.find((x) => x.id === event.sessionId);
      if (!s || s.current) return;
      const notice: SignInNoticeRecord = {
        accountId: v.account.accountId,
        sessionId: s.id,
        name: s.name,
        ip: s.createdIp ?? s.lastIp,
        at: s.createdAt,
      };
      await signInNoticeItem.setValue(notice);
    });
  }

  /** The new sign-in to show, its name opened; null when there is none (or it is another account's). */
  notice(): Promise<SignInNotice | null> {
    return this.vault.withOpenVault(async (v) => {
      const n = await signInNoticeItem.getValue();
      if (!n || n.accountId !== v.account.accountId) return null;
      return { sessionId: n.sessionId, name: await this.nameOf(v, n.sessionId, n.name), ip: n.ip, at: n.at };
    });
  }

  async dismissNotice(): Promise<void> {
    await signInNoticeItem.removeValue();
  }

  /** The activity page with each device's sealed name opened (or "Unnamed device"). */
  nameActivity(page: ActivityPage): Promise<ActivityPage> {
    return this.vault.withOpenVault(async (v) => {
      const events = [];
      for (const e of page.events) {
        events.push(
          e.device
            ? { ...e, device: { ...e.device, name: await this.nameOf(v, e.device.sessionId, e.device.name) } }
            : e,
        );
      }
      return { ...page, events };
    });
  }

  private async nameOf(v: OpenVault, sessionId: string, sealed: string | null): Promise<string> {
    if (sealed === null) return unnamedDevice();
    const key = await currentKey(v);
    const name = await openDeviceName(
      [{ version: currentVersion(v.account), key }],
      v.account.accountId,
      sessionId,
      sealed,
    );
    return name ? displayName(name) : unnamedDevice();
  }

  private async listIn(v: OpenVault): Promise<DeviceList> {
    const { sessions } = await withToken(v, (t) => v.api.deviceSessions(t));
    await this.rememberSessionId(v, sessions);
    const devices: DeviceInfo[] = [];
    for (const s of sessions) devices.push(await this.describe(v, s));
    // This device first; the server's order (most recently seen first) for the others.
    devices.sort((a, b) => Number(b.current) - Number(a.current));
    const label = await deviceLabelItem.getValue();
    return { devices, label: label ?? '', browser: this.browserName() };
  }

  private async describe(v: OpenVault, s: ServerDeviceSession): Promise<DeviceInfo> {
    return {
      id: s.id,
      name: await this.nameOf(v, s.id, s.name),
      current: s.current,
      createdAt: s.createdAt,
      lastSeenAt: s.lastSeenAt,
      createdIp: s.createdIp,
      lastIp: s.lastIp,
      expiresAt: s.expiresAt,
    };
  }

  /** A device session stored before login replies named it learns its id from the list. */
  private async rememberSessionId(v: OpenVault, sessions: readonly ServerDeviceSession[]): Promise<void> {
    const current = sessions.find((s) => s.current);
    const stored = await storedDeviceSession(v.account.accountId);
    if (current && stored && !stored.sessionId)
      await deviceSessionItem.setValue({ ...stored, sessionId: current.id });
  }

  private async nameIn(v: OpenVault): Promise<void> {
    const accountId = v.account.accountId;
    let stored = await storedDeviceSession(accountId);
    if (!stored) return;
    if (!stored.sessionId) {
      const { sessions } = await withToken(v, (t) => v.api.deviceSessions(t));
      await this.rememberSessionId(v, sessions);
      stored = await storedDeviceSession(accountId);
    }
    const sessionId = stored?.sessionId;
    if (!sessionId) return;
    const name: DeviceName = { device: this.browserName(), label: await deviceLabelItem.getValue() };
    const keyVersion = currentVersion(v.account);
    const sent = await deviceNameSentItem.getValue();
    if (
      sent?.accountId === accountId &&
      sent.sessionId === sessionId &&
      sent.keyVersion === keyVersion &&
      sent.device === name.device &&
      sent.label === name.label
    )
      return;
    const sealed = await sealDeviceName(await currentKey(v), accountId, sessionId, keyVersion, name);
    await withToken(v, (t) => v.api.nameDeviceSession(t, sealed));
    // Renewing the token may have signed in anew (a key rotation elsewhere): that session is named next.
    if ((await storedDeviceSession(accountId))?.sessionId !== sessionId) return;
    await deviceNameSentItem.setValue({ accountId, sessionId, keyVersion, ...name });
  }
}
