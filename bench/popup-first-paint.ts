/**
 * Popup first paint, in real Chromium with the built extension (.output/chrome-mv3): a vault of
 * 1,000 items of mixed types, unlocked, the service worker running. Each run opens popup.html in a
 * new tab and times, in the page against its own navigation start, the first contentful paint and
 * "list ready": the frame that shows the first page of rows and the vault's total. The first run
 * is a warm-up and is not counted.
 *
 * Then what each extension page loads: the JS files it requested (the popup's until its list is
 * ready, so a chunk loaded on demand on that path would count), their bytes as built,
 * and whether zod or webextension-polyfill is among them (the markers e2e/bundle-contents.spec.ts
 * uses). The inline menu and the save prompt are opened without a session: what they load does
 * not depend on it.
 */
// Extension modules define WXT storage items on import; in Node they get WXT's fake browser.
import '../e2e/support/extension-modules.ts';
import { randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'puppeteer-core';
import { type Device, EXTENSION_PATH, launchDevice } from '../e2e/support/browser.ts';
import { PopupPage } from '../e2e/support/popup-page.ts';
import { startServer } from '../e2e/support/server.ts';
import { ApiClient } from '../extension/background/api-client.ts';
import { memoryDpopKeys } from '../extension/background/dpop-key.ts';
import { vaultKeyAd } from '../extension/background/item-crypto.ts';
import { pushDirty } from '../extension/background/sync-engine.ts';
import { VaultKeys } from '../extension/background/vault-keys.ts';
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

const ITEMS = 1_000;
const RUNS = 25;
const MASTER = 'bench master password first paint';
const PAGES = ['popup', 'inline-menu', 'save-prompt', 'options', 'transfer'] as const;
/** Strings that survive minification (e2e/bundle-contents.spec.ts). */
const ZOD = ['$ZodType', 'ZodError'];
const POLYFILL = ['__mozWebExtensionPolyfillReject__'];

/** Runs in the page: the list shows its first page of rows and the vault's total. */
const listReady = (n: number) =>
  document.querySelectorAll('ul[aria-label="Logins"] li').length > 0 &&
  (document.querySelector('main')?.textContent ?? '').includes(`of ${n} items`);

/**
 * Installed before the page's own scripts (a string: tsx would wrap named functions in a helper the
 * page does not have). `window.firstPaint` resolves to three times in ms since the navigation
 * started (performance.now()'s origin): the page's module scripts have run (DOMContentLoaded, which
 * waits for them), the first contentful paint, and the list ready.
 */
const TIMER = (n: number) => `
  window.firstPaint = new Promise((resolve) => {
    const fcp = new Promise((done) => {
      new PerformanceObserver((list) => {
        const entry = list.getEntriesByName('first-contentful-paint')[0];
        if (entry) done(entry.startTime);
      }).observe({ type: 'paint', buffered: true });
    });
    const ready = new Promise((done) => {
      const seen = new MutationObserver(() => {
        if (document.querySelectorAll('ul[aria-label="Logins"] li').length === 0) return;
        if (!(document.querySelector('main')?.textContent ?? '').includes('of ${n} items')) return;
        seen.disconnect();
        requestAnimationFrame(() => done(performance.now()));
      });
      seen.observe(document, { childList: true, subtree: true, characterData: true });
    });
    Promise.all([fcp, ready]).then(([fcpMs, listReadyMs]) => {
      const scriptsRunMs = performance.getEntriesByType('navigation')[0]?.domContentLoadedEventStart;
      resolve({ scriptsRunMs, fcpMs, listReadyMs });
    });
  });
`;

async function seedAndLogIn(device: Device, serverUrl: string): Promise<void> {
  const api = new ApiClient(serverUrl, undefined, undefined, memoryDpopKeys());
  const accountId = randomUUID();
  const email = `bench-${accountId}@example.test`;
  const salt = randomBytes(16);
  const { authKey, wrappingKey } = await deriveAccountKeys(MASTER, salt, DEFAULT_KDF);
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
  const popup = new PopupPage(await device.openPopup());
  await popup.logIn(serverUrl, email, MASTER);
  await popup.page.waitForFunction(listReady, { timeout: 120_000, polling: 'mutation' }, ITEMS);
  await popup.page.close();
}

async function newTab(device: Device): Promise<Page> {
  const page = await device.browser.newPage();
  await page.setViewport({ width: 400, height: 640 });
  return page;
}

/**
 * Opens an extension page and returns the paths of the extension's JS files it requested until
 * `ready` resolved (resource timing does not list chrome-extension: URLs; the requests do).
 */
async function scriptsLoaded(device: Device, file: string, ready: (page: Page) => Promise<unknown>) {
  const page = await newTab(device);
  const origin = `chrome-extension://${device.extensionId}/`;
  const files = new Set<string>();
  page.on('request', (request) => {
    const url = request.url();
    if (url.startsWith(origin) && url.endsWith('.js')) files.add(url.slice(origin.length));
  });
  await page.goto(`${origin}${file}`, { waitUntil: 'load' });
  await ready(page);
  await page.close();
  return [...files].sort();
}

async function describeLoad(files: string[]) {
  let bytes = 0;
  let zod = false;
  let polyfill = false;
  for (const file of files) {
    const full = path.join(EXTENSION_PATH, file);
    bytes += (await stat(full)).size;
    const code = await readFile(full, 'utf8');
    zod ||= ZOD.some((m) => code.includes(m));
    polyfill ||= POLYFILL.some((m) => code.includes(m));
  }
  return { jsFiles: files.length, jsBytes: bytes, zod, polyfill };
}

export async function benchPopupFirstPaint() {
  const server = await startServer({ AUTH_RATE_LIMIT_PER_MINUTE: '1000' });
  const device = await launchDevice();
  try {
    await seedAndLogIn(device, server.url);
    const base = `chrome-extension://${device.extensionId}`;

    const scriptsRunMs: number[] = [];
    const fcpMs: number[] = [];
    const listReadyMs: number[] = [];
    for (let run = 0; run <= RUNS; run++) {
      const page = await newTab(device);
      await page.evaluateOnNewDocument(TIMER(ITEMS));
      await page.goto(`${base}/popup.html`);
      const t = await page.evaluate(
        () =>
          (
            window as unknown as {
              firstPaint: Promise<Record<'scriptsRunMs' | 'fcpMs' | 'listReadyMs', number>>;
            }
          ).firstPaint,
      );
      await page.close();
      if (run === 0) continue;
      scriptsRunMs.push(t.scriptsRunMs);
      fcpMs.push(t.fcpMs);
      listReadyMs.push(t.listReadyMs);
    }

    const pages: Record<string, Awaited<ReturnType<typeof describeLoad>> & { files: string[] }> = {};
    for (const name of PAGES) {
      // The popup until its list is ready; the others until their load event, by which their module
      // scripts (entry, preloads and static imports) have run.
      const files = await scriptsLoaded(device, `${name}.html`, (page) =>
        name === 'popup'
          ? page.waitForFunction(listReady, { timeout: 30_000, polling: 'mutation' }, ITEMS)
          : Promise.resolve(),
      );
      pages[name] = { ...(await describeLoad(files)), files };
    }

    const round = (xs: number[]) => xs.map((x) => Math.round(x));
    return {
      name: 'popup-first-paint',
      items: ITEMS,
      runtime: 'chromium, built extension, vault unlocked, service worker running',
      scriptsRunMs: { median: Math.round(median(scriptsRunMs)), runs: round(scriptsRunMs) },
      firstContentfulPaintMs: { median: Math.round(median(fcpMs)), runs: round(fcpMs) },
      listReadyMs: { median: Math.round(median(listReadyMs)), runs: round(listReadyMs) },
      pages,
      note: 'times from popup.html navigation start, measured in the page; scripts run = DOMContentLoaded (module scripts evaluated); list ready = the frame showing the first 200 rows and the total; jsBytes = built size of the .js files the page fetched (popup: until list ready)',
    };
  } finally {
    await device.close();
    await server.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.stdout.write(`${JSON.stringify(await benchPopupFirstPaint(), null, 2)}\n`);
}
