import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { AccountActivity } from '../background/account-activity.ts';
import { ApiClient } from '../background/api-client.ts';
import { AutofillService } from '../background/autofill-service.ts';
import { createBrowserTabs, wireAutofill } from '../background/autofill-wiring.ts';
import { createHandlers, dispatch, isTrustedSender } from '../background/handlers.ts';
import { netErrorLog } from '../background/net-errors.ts';
import { PushChannel } from '../background/push-channel.ts';
import { RecoveryKeys } from '../background/recovery-key.ts';
import { VaultService } from '../background/vault-service.ts';
import { SCREEN_PORT } from '../messaging/protocol.ts';
import { settingsItem } from '../storage/items.ts';

const SYNC_ALARM = 'keyhold-sync';
const AUTOLOCK_ALARM = 'keyhold-autolock';

export default defineBackground(() => {
  // First, at the top level: names why a request to the sync server failed (certificate or network).
  netErrorLog.observe(browser.webRequest);
  const vault = new VaultService();
  const autofill = new AutofillService(vault, createBrowserTabs());
  const recovery = new RecoveryKeys(vault, {
    makeApi: (baseUrl) => new ApiClient(baseUrl),
    now: () => new Date(),
    // After a recovery the vault key is replaced (the old recovery key wrapped it).
    rotation: vault,
  });
  const handlers = createHandlers(vault, autofill, new AccountActivity(vault), recovery);
  const extensionOrigin = new URL(browser.runtime.getURL('/')).origin;
  const channel = new PushChannel({
    auth: (renew) => vault.channelAuth(renew),
    onRevision: (revision) => void vault.remoteRevision(revision).catch(() => undefined),
    fetch: (...args) => globalThis.fetch(...args),
    // Any extension API call resets the worker's idle timer: while the stream delivers (a ping
    // every 20 s), the worker — and so the channel — stays up.
    keepAlive: () => void browser.runtime.getPlatformInfo().catch(() => undefined),
  });

  const resetAutoLock = async () => {
    const { autoLockMinutes } = await settingsItem.getValue();
    await browser.alarms.create(AUTOLOCK_ALARM, { delayInMinutes: autoLockMinutes });
  };

  const fromContent = wireAutofill(autofill, vault);
  browser.runtime.onMessage.addListener((message: unknown, sender) => {
    if (isTrustedSender(sender, browser.runtime.id, extensionOrigin)) {
      void resetAutoLock();
      return dispatch(handlers, message).then((reply) => {
        const name = (message as { name?: unknown }).name;
        if (name === 'lock' || name === 'logout') channel.stop();
        else channel.ensureRunning();
        return reply;
      });
    }
    // Web pages' content scripts: a separate, narrow protocol; the page is taken from `sender`.
    return fromContent(message, sender);
  });

  // A popup screen holding a secret here (a recovery key shown, a recovery half-way) went away.
  browser.runtime.onConnect.addListener((port) => {
    if (
      !port.name.startsWith(SCREEN_PORT) ||
      !isTrustedSender(port.sender ?? {}, browser.runtime.id, extensionOrigin)
    )
      return;
    const screen = port.name.slice(SCREEN_PORT.length);
    port.onDisconnect.addListener(() => void recovery.screenClosed(screen));
  });

  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === SYNC_ALARM) {
      // The poll is the fallback when the channel is down; it also restarts the channel.
      void vault.syncNow();
      channel.ensureRunning();
    }
    if (alarm.name === AUTOLOCK_ALARM) {
      channel.stop();
      void vault
        .lock()
        .then(() => autofill.clear())
        .finally(() => recovery.forget());
    }
  });
  void browser.alarms.create(SYNC_ALARM, { periodInMinutes: 1 });
  channel.ensureRunning();
});
