/**
 * Unlock → popup list ready, worker cold start → popup list ready and row → item detail shown,
 * with 10,000 items of mixed types, in the
 * real built extension in Chromium (DESIGN.md §9: ≤ 150 ms KDF excluded; ≤ 300 ms cold start).
 * The vault is seeded through the real server with the real key hierarchy, then pulled by the
 * popup's "Log in" like a new device. Unlock includes the KDF (Argon2id 64 MiB, ~410 ms in the
 * worker per DESIGN.md); the KDF share is reported separately from a Node measurement.
 */
// Extension modules define WXT storage items on import; in Node they get WXT's fake browser.
import '../e2e/support/extension-modules.ts';
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import type { Page } from 'puppeteer-core';
import { type Device, isExtensionWorker, launchDevice } from '../e2e/support/browser.ts';
import { PopupPage } from '../e2e/support/popup-page.ts';
import { startServer } from '../e2e/support/server.ts';
import { ApiClient } from '../extension/background/api-client.ts';
import { memoryDpopKeys } from '../extension/background/dpop-key.ts';
import { vaultKeyAd } from '../extension/background/item-crypto.ts';
import { pushDirty } from '../extension/background/sync-engine.ts';
import { VaultKeys } from '../extension/background/vault-keys.ts';
import { UNLOCK_KDF_MEASURE, WORKER_READY_MARK } from '../extension/background/vault-service.ts';
import {
  DEFAULT_KDF,
  deriveAccountKeys,
  generateKeyBytes,
  importSymmetricKey,
  randomBytes,
  toBase64Url,
  wrapKey,
} from '../shared-crypto/index.ts';
import { makeVault, median } from './fixtures.ts';

const ITEMS = 10_000;
const RUNS = 7;
const MASTER = 'bench master password 10k';

/** Runs in the page: the list shows its first page of rows and the total count of the vault. */
const listReady = (n: number) =>
  document.querySelectorAll('ul[aria-label="Logins"] li').length > 0 &&
  (document.querySelector('main')?.textContent ?? '').includes(`of ${n} items`);

/**
 * Runs in the page: from now on, `window.listShown` resolves with the page's clock at the frame
 * after the list is ready (`n` items). With `fromPress`, it resolves with the time since the next
 * mouse press instead. Measured inside the page, so the figure is what the user waits for and not
 * puppeteer's round trips (its click alone waits for the button to be visible and stable).
 */
const watchListShown = (n: number, fromPress: boolean) => {
  const w = window as unknown as { listShown?: Promise<number> };
  w.listShown = new Promise<number>((resolve) => {
    let pressed = 0;
    if (fromPress)
      document.addEventListener(
        'mousedown',
        () => {
          pressed = performance.now();
        },
        { capture: true, once: true },
      );
    // Inline (no named function): tsx would wrap a named one in a helper the page does not have.
    const seen = new MutationObserver(() => {
      const rows = document.querySelectorAll('ul[aria-label="Logins"] li').length > 0;
      if (!rows || !(document.querySelector('main')?.textContent ?? '').includes(`of ${n} items`)) return;
      seen.disconnect();
      requestAnimationFrame(() => resolve(performance.now() - pressed));
    });
    seen.observe(document, { childList: true, subtree: true, characterData: true });
  });
};
const listShownMs = (page: Page) =>
  page.evaluate(() => (window as unknown as { listShown: Promise<number> }).listShown);

/**
 * Runs in the page before its scripts: records when the page first sends the worker a message —
 * popup-wake.js, the earliest of the popup's own code — as `window.wokeAt` on the page's clock.
 */
const recordWake = () => {
  const api = (
    globalThis as unknown as { chrome: { runtime: { sendMessage: (...args: unknown[]) => unknown } } }
  ).chrome.runtime;
  const send = api.sendMessage.bind(api);
  api.sendMessage = (...args: unknown[]) => {
    const w = window as unknown as { wokeAt?: number };
    w.wokeAt ??= performance.now();
    return send(...args);
  };
};
const wokeAtMs = (page: Page) =>
  page.evaluate(() => (window as unknown as { wokeAt?: number }).wokeAt ?? Number.NaN);

/**
 * A figure the running worker recorded on its own clock: the last performance entry `name` of
 * `type` — its start for a mark (from the worker's start), its duration for a measure.
 */
async function workerTiming(device: Device, name: string, type: 'mark' | 'measure'): Promise<number> {
  const target = await device.browser.waitForTarget(isExtensionWorker, { timeout: 10_000 });
  const worker = await target.worker();
  if (!worker) throw new Error('no service worker');
  return worker.evaluate(
    (n, t) => {
      const entry = performance.getEntriesByName(n, t).at(-1);
      if (!entry) return Number.NaN;
      return t === 'mark' ? entry.startTime : entry.duration;
    },
    name,
    type,
  );
}

/** When the running worker had run its script and registered its listeners, from its own start. */
const workerReadyMs = (device: Device) => workerTiming(device, WORKER_READY_MARK, 'mark');
/** How long the worker's last unlock spent in the KDF (its UNLOCK_KDF_MEASURE). */
const lastUnlockKdfMs = (device: Device) => workerTiming(device, UNLOCK_KDF_MEASURE, 'measure');

export async function benchBrowserUnlock() {
  const server = await startServer({ AUTH_RATE_LIMIT_PER_MINUTE: '1000' });
  const device = await launchDevice();
  try {
    const api = new ApiClient(server.url, undefined, undefined, memoryDpopKeys());
    const accountId = randomUUID();
    const email = `bench-${accountId}@example.test`;
    const salt = randomBytes(16);
    const t0 = performance.now();
    const { authKey, wrappingKey } = await deriveAccountKeys(MASTER, salt, DEFAULT_KDF);
    const kdfNodeMs = performance.now() - t0;
    const vaultRaw = generateKeyBytes();
    const vaultKey = await importSymmetricKey(vaultRaw);
    await api.register({
      accountId,
      email,
      kdf: DEFAULT_KDF,
      salt: toBase64Url(salt),
      authKey: toBase64Url(authKey),
      wrappedVaultKey: await wrapKey(wrappingKey, vaultRaw, vaultKeyAd(accountId)),
    });
    const { accessToken } = await api.login({ email, authKey: toBase64Url(authKey), deviceName: 'seed' });
    const vault = makeVault(ITEMS);
    for (const item of Object.values(vault.items)) Object.assign(item, { revision: 0, dirty: true });
    vault.revision = 0;
    await pushDirty(
      {
        api,
        accessToken,
        accountId,
        keys: VaultKeys.only(vaultKey),
        refreshKeys: async () => VaultKeys.only(vaultKey),
        now: () => new Date(),
        newId: randomUUID,
      },
      vault,
    );

    let popup = new PopupPage(await device.openPopup());
    // The form is filled before the clock starts: the user waits from the press on "Log in", and
    // puppeteer's typing (over a second here) is not part of what the budget measures.
    await popup.click('Log in', 'tab');
    await popup.fill('Server address', server.url);
    await popup.fill('Email', email);
    await popup.fill('Master password', MASTER);
    await popup.page.evaluate(watchListShown, ITEMS, true);
    await popup.click('Log in');
    const firstLoginMs = await listShownMs(popup.page);

    const unlockMs: number[] = [];
    const kdfWorkerMs: number[] = [];
    const coldMs: number[] = [];
    const coldFromWakeMs: number[] = [];
    const readyMs: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      await popup.lock();
      await popup.page.locator('::-p-aria(Master password)').fill(MASTER);
      await popup.page.evaluate(watchListShown, ITEMS, true);
      await popup.page.locator('::-p-aria([name="Unlock"][role="button"])').click();
      unlockMs.push(await listShownMs(popup.page));
      kdfWorkerMs.push(await lastUnlockKdfMs(device));

      // As after a user's 30 s away: the popup closed, then the idle worker stopped (an open page
      // would wake it again before the next popup is even opened).
      await popup.page.close();
      await device.stopServiceWorker();
      // The tab is made before the clock starts: a user's popup has no tab to create.
      const page = await device.browser.newPage();
      await page.setViewport({ width: 400, height: 640 });
      // From the navigation's start (the page's clock starts there) to the frame after the list.
      const watching = await page.evaluateOnNewDocument(watchListShown, ITEMS, false);
      const wake = await page.evaluateOnNewDocument(recordWake);
      await page.goto(`chrome-extension://${device.extensionId}/popup.html`);
      const shown = await listShownMs(page);
      coldMs.push(shown);
      coldFromWakeMs.push(shown - (await wokeAtMs(page)));
      await page.removeScriptToEvaluateOnNewDocument(watching.identifier);
      await page.removeScriptToEvaluateOnNewDocument(wake.identifier);
      readyMs.push(await workerReadyMs(device));
      // The next round locks and unlocks in this popup.
      popup = new PopupPage(page);
    }
    // Item detail opens: press on a row → the read-only view's heading is on screen (budget ≤ 50 ms).
    const detailMs: number[] = [];
    const detailPopup = await device.openPopup();
    await detailPopup.waitForFunction(listReady, { timeout: 60_000, polling: 'mutation' }, ITEMS);
    for (let n = 1; n <= 7; n++) {
      const rowSelector = `ul[aria-label="Logins"] li:nth-child(${n}) button.open`;
      await detailPopup.waitForSelector(rowSelector);
      // Timed inside the page, from the mouse press to the frame after the heading appears, so
      // the figure is what the user waits for and not puppeteer's round trips.
      await detailPopup.evaluate(() => {
        const w = window as unknown as { detailOpened?: Promise<number> };
        w.detailOpened = new Promise<number>((resolve) => {
          let pressed = 0;
          // Inline (no named function): tsx would wrap a named one in a helper the page does not have.
          document.addEventListener(
            'mousedown',
            () => {
              pressed = performance.now();
            },
            {
              capture: true,
              once: true,
            },
          );
          const seen = new MutationObserver(() => {
            if (!document.querySelector('h1.detail-title')) return;
            seen.disconnect();
            requestAnimationFrame(() => resolve(performance.now() - pressed));
          });
          seen.observe(document.body, { childList: true, subtree: true });
        });
      });
      await detailPopup.click(rowSelector);
      detailMs.push(
        await detailPopup.evaluate(
          () => (window as unknown as { detailOpened: Promise<number> }).detailOpened,
        ),
      );
      await detailPopup.keyboard.press('Escape');
      await detailPopup.waitForFunction(listReady, { timeout: 60_000, polling: 'mutation' }, ITEMS);
    }
    await detailPopup.close();
    // The worker's JS heap with the 10,000 items open (after a full GC), as DevTools reports it.
    const workerTarget = await device.browser.waitForTarget(isExtensionWorker, { timeout: 10_000 });
    const cdp = await workerTarget.createCDPSession();
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = await cdp.send('Runtime.getHeapUsage');
    await cdp.detach();
    return {
      name: 'browser-unlock-10k',
      loadAverage: loadavg().map((n) => Number(n.toFixed(2))),
      workerHeapUsedMb: Number((heap.usedSize / 2 ** 20).toFixed(1)),
      workerHeapBudgetMb: 60,
      itemDetailOpenMs: { median: Math.round(median(detailMs)), runs: detailMs.map(Math.round) },
      itemDetailBudgetMs: 50,
      items: ITEMS,
      runtime: 'chromium service worker + popup page',
      firstLoginAndFullSyncMs: Math.round(firstLoginMs),
      unlockToListReadyMs: { median: Math.round(median(unlockMs)), runs: unlockMs.map(Math.round) },
      kdfArgon2idNodeMs: Math.round(kdfNodeMs),
      // The worker's own KDF time for each unlock (its performance measure), subtracted run by run.
      kdfWorkerMs: { median: Math.round(median(kdfWorkerMs)), runs: kdfWorkerMs.map(Math.round) },
      unlockMinusKdfMs: {
        median: Math.round(median(unlockMs.map((u, i) => u - (kdfWorkerMs[i] ?? 0)))),
        runs: unlockMs.map((u, i) => Math.round(u - (kdfWorkerMs[i] ?? 0))),
      },
      unlockBudgetMsKdfExcluded: 150,
      // From the popup's navigation (in a tab made beforehand) to the list ready; the popup was
      // closed and the worker stopped before.
      workerColdStartToListReadyMs: { median: Math.round(median(coldMs)), runs: coldMs.map(Math.round) },
      // Of which the popup's own share: from popup-wake.js's message (its first code) to the list.
      // Before it: Chromium starting a renderer for the page and parsing it.
      workerColdStartFromWakeMs: {
        median: Math.round(median(coldFromWakeMs)),
        runs: coldFromWakeMs.map(Math.round),
      },
      // Of which: the worker's start until its script has run (its own clock; no storage read yet).
      workerScriptReadyMs: { median: Math.round(median(readyMs)), runs: readyMs.map(Math.round) },
      coldStartBudgetMs: 300,
      note: "list ready = the frame after the list's first rows and the total are shown; unlock is timed in the page from the press on Unlock, cold start in the page from the popup's navigation start (the popup closed and the worker stopped before); first login likewise from the press on Log in (form filled before)",
    };
  } finally {
    await device.close();
    await server.stop();
  }
}
