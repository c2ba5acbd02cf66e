import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser, type Page, type Target } from 'puppeteer-core';

export const EXTENSION_PATH = path.resolve(import.meta.dirname, '../../.output/chrome-mv3');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The extension's service worker, once the browser has started it. */
export const isExtensionWorker = (t: Target) =>
  t.type() === 'service_worker' && t.url().startsWith('chrome-extension://');

/** Launch options shared by the e2e devices and the benches: headless Debian Chromium, this extension. */
export function chromiumOptions(profileDir: string, extraArgs: string[] = []) {
  return {
    executablePath: CHROMIUM,
    headless: true,
    pipe: true,
    enableExtensions: [EXTENSION_PATH],
    userDataDir: profileDir,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--enable-unsafe-extension-debugging',
      ...extraArgs,
    ],
  };
}

export interface Device {
  browser: Browser;
  extensionId: string;
  profileDir: string;
  openPopup(): Promise<Page>;
  /** Kills the extension's service worker, as Chrome does when it is idle. */
  stopServiceWorker(): Promise<void>;
  close(): Promise<void>;
}

/** How a device's browser is started beyond the defaults. */
export interface LaunchOptions {
  /** The browser's UI language (`--lang`), e.g. `ja`: the extension's strings follow it. */
  lang?: string;
  /** More Chromium switches. */
  args?: string[];
}

/**
 * A browser with its own fresh profile and the built extension loaded: one "device". Given the
 * profile of a device that was closed, the same device after a browser restart (local storage
 * kept, session storage gone).
 */
export async function launchDevice(existingProfile?: string, options: LaunchOptions = {}): Promise<Device> {
  const profileDir = existingProfile ?? (await mkdtemp(path.join(tmpdir(), 'keyhold-e2e-profile-')));
  const lang = options.lang ? [`--lang=${options.lang}`] : [];
  const browser = await puppeteer.launch({
    // Test sites (e2e/sites) answer on 127.0.0.1 under realistic names: bank.test, other.test…
    ...chromiumOptions(profileDir, [
      '--host-resolver-rules=MAP *.test 127.0.0.1',
      ...lang,
      ...(options.args ?? []),
    ]),
    // On Linux, Chromium also reads the UI language from the environment.
    ...(options.lang
      ? { env: { ...process.env, LANGUAGE: options.lang, LANG: `${options.lang}.UTF-8` } }
      : {}),
  });
  // launch() does not wait for the extension: wait for its service worker.
  const worker = await browser.waitForTarget(isExtensionWorker, { timeout: 30_000 });
  const extensionId = new URL(worker.url()).host;
  return {
    browser,
    extensionId,
    profileDir,
    async openPopup() {
      const page = await browser.newPage();
      await page.setViewport({ width: 400, height: 640 });
      await page.goto(`chrome-extension://${extensionId}/popup.html`);
      return page;
    },
    async stopServiceWorker() {
      const target = await browser.waitForTarget(isExtensionWorker, { timeout: 10_000 });
      const gone = new Promise<void>((resolve) =>
        browser.on('targetdestroyed', (t) => {
          if (t === target) resolve();
        }),
      );
      await (await target.worker())?.close();
      await gone;
    },
    async close() {
      await browser.close();
      await rm(profileDir, { recursive: true, force: true });
    },
  };
}
