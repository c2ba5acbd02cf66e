import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { AccountActivity } from '../background/account-activity.ts';
import { ApiClient } from '../background/api-client.ts';
import { AutoLock, isUse } from '../background/auto-lock.ts';
import { AutofillService } from '../background/autofill-service.ts';
import { createBrowserTabs, wireAutofill } from '../background/autofill-wiring.ts';
import { browserClipboardPort, CLIPBOARD_ALARM, ClipboardService } from '../background/clipboard.ts';
import { Devices } from '../background/devices.ts';
import { dpopAuthHeaders, rememberDpopNonce } from '../background/dpop-key.ts';
import { GeneratorService } from '../background/generator-service.ts';
import { createHandlers, dispatch, isTrustedSender } from '../background/handlers.ts';
import { sealedScoreStore } from '../background/health-scores.ts';
import { followUnlock, forgetKeptUnlock } from '../background/kept-unlock.ts';
import { netErrorLog } from '../background/net-errors.ts';
import { PushChannel } from '../background/push-channel.ts';
import { RecoveryKeys } from '../background/recovery-key.ts';
import { loadScorer, VaultHealth } from '../background/vault-health.ts';
import { VaultService, WORKER_READY_MARK } from '../background/vault-service.ts';
import { useLanguage } from '../i18n/index.ts';
import { SCREEN_PORT } from '../messaging/protocol.ts';
import { readSettings, settingsItem } from '../settings/stored-settings.ts';
import { accountItem, deviceSessionItem, unlockSessionItem } from '../storage/items.ts';

const SYNC_ALARM = 'keyhold-sync';

export default defineBackground(() => {
  // First, at the top level: names why a request to the sync server failed (certificate or network).
  netErrorLog.observe(browser.webRequest);
  const vault = new VaultService();
  const generator = new GeneratorService(vault);
  const autofill = new AutofillService(
    {
      isUnlocked: () => vault.isUnlocked(),
      hasAccount: () => vault.hasAccount(),
      markUsed: (id) => vault.markUsed(id),
      autofillLogins: () => vault.items.autofillLogins(),
      createLogin: (login) => vault.items.createLogin(login),
      updatePassword: (id, password) => vault.items.updatePassword(id, password),
    },
    createBrowserTabs(),
    generator,
  );
  const recovery = new RecoveryKeys(vault, {
    makeApi: (baseUrl) => new ApiClient(baseUrl),
    now: () => new Date(),
    // After a recovery the vault key is replaced (the old recovery key wrapped it).
    rotation: vault,
  });
  const devices = new Devices(vault);
  const activity = new AccountActivity(vault, undefined, (page) => devices.nameActivity(page));
  // Firefox: the background page plays the clipboard document, its timer calls back here directly.
  const clipboard: ClipboardService = new ClipboardService({
    port: browserClipboardPort(() => void clipboard.clearDue().catch(() => undefined)),
  });
  const health = new VaultHealth(loadScorer, sealedScoreStore(vault));
  const handlers = createHandlers(vault, autofill, activity, recovery, devices, generator, clipboard, health);
  // This device's sealed name follows its session: a new sign-in, a new vault key (devices.ts).
  const nameThisDevice = () => void devices.ensureName().catch(() => undefined);
  const extensionOrigin = new URL(browser.runtime.getURL('/')).origin;
  const channel = new PushChannel({
    auth: (renew) => vault.channelAuth(renew),
    onRevision: (revision) => void vault.remoteRevision(revision).catch(() => undefined),
    onSession: (event) => void devices.sessionEvent(event).catch(() => undefined),
    // The stream closed because the session ended: renewing the token asks the server why at once
    // (SESSION_ENDED locks the vault, session-ended.ts) rather than at the next reconnect.
    onBye: (reason) => {
      if (reason !== 'shutdown' && reason !== 'expired') void vault.channelAuth(true).catch(() => undefined);
    },
    fetch: (...args) => globalThis.fetch(...args),
    authHeaders: (url, accessToken) => dpopAuthHeaders('GET', url, accessToken),
    onResponse: rememberDpopNonce,
    // Any extension API call resets the worker's idle timer: while the stream delivers (a ping
    // every 20 s), the worker — and so the channel — stays up.
    keepAlive: () => void browser.runtime.getPlatformInfo().catch(() => undefined),
  });

  const autoLock = new AutoLock({
    alarms: browser.alarms,
    idle: browser.idle,
    minutes: async () => (await readSettings()).autoLockMinutes,
    lock: async () => {
      channel.stop();
      await vault
        .lock()
        .then(() => autofill.clear())
        .finally(async () => {
          health.clear();
          await recovery.forget();
          await forgetKeptUnlock();
        });
    },
    now: () => Date.now(),
  });
  const used = () => void autoLock.activity().catch(() => undefined);
  // The worker's own messages (errors) follow the chosen language, and auto-lock its minutes.
  const applySettings = async () => {
    const settings = await readSettings();
    await useLanguage(settings.language).catch(() => undefined);
    await autoLock.configure();
  };
  void applySettings();

  const fromContent = wireAutofill(autofill, vault);
  // A fill by keyboard shortcut or context menu is use too (autofill-wiring.ts does the fill).
  browser.commands?.onCommand.addListener(used);
  browser.contextMenus?.onClicked.addListener(used);
  browser.idle.onStateChanged.addListener((state) => void autoLock.onIdleState(state).catch(() => undefined));
  browser.runtime.onMessage.addListener((message: unknown, sender) => {
    if (isTrustedSender(sender, browser.runtime.id, extensionOrigin)) {
      // The clipboard document's timer is not the user's activity.
      if (isUse(message) && (message as { name?: unknown } | null)?.name !== 'clipboardDue') used();
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

  deviceSessionItem.watch((next, previous) => {
    if (next && (!next.sessionId || next.sessionId !== previous?.sessionId)) nameThisDevice();
  });
  accountItem.watch((next, previous) => {
    if (next && next.keyVersion !== previous?.keyVersion) nameThisDevice();
  });
  // However the vault locked — here too when the server signed this device out (session-ended.ts) —
  // nothing of it stays in memory and the channel stops.
  unlockSessionItem.watch((next) => {
    // "Lock on browser restart" off: the sealed copy follows the session (kept-unlock.ts).
    void followUnlock(next).catch(() => undefined);
    if (next) return;
    channel.stop();
    autofill.clear();
    void recovery.forget();
  });

  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === SYNC_ALARM) {
      // The poll is the fallback when the channel is down; it also restarts the channel.
      void vault.syncNow();
      channel.ensureRunning();
      nameThisDevice();
    }
    if (alarm.name === CLIPBOARD_ALARM) void clipboard.clearDue().catch(() => undefined);
    void autoLock.onAlarm(alarm.name).catch(() => undefined);
  });
  settingsItem.watch((next, previous) => {
    void applySettings();
    if (next?.lockOnBrowserRestart !== previous?.lockOnBrowserRestart)
      void unlockSessionItem
        .getValue()
        .then(followUnlock)
        .catch(() => undefined);
  });
  void browser.alarms.create(SYNC_ALARM, { periodInMinutes: 1 });
  channel.ensureRunning();
  performance.mark(WORKER_READY_MARK);
});
