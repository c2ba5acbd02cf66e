import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser, type Frame, type Page } from 'puppeteer-core';
import { waitFor } from './wait.ts';

/**
 * Firefox ESR with the Firefox build (MV2, `wxt build -b firefox`) installed, driven over WebDriver
 * BiDi. What differs from Chromium, and why each setting is here:
 * - the add-on gets a fixed internal UUID (`extensions.webextensions.uuids`), so its pages have
 *   known `moz-extension://` addresses;
 * - `--remote-allow-system-access`: since Firefox 153 WebDriver may navigate only to http(s), file,
 *   blob and about:blank pages without it;
 * - navigating to an extension page never reports its load as finished, so `openPopup` starts the
 *   navigation and waits for the page's own document instead;
 * - an extension page framed into a web page is listed with the URL `about:blank`: `extensionFrame`
 *   asks each frame where it is.
 */
export const FIREFOX_EXTENSION_PATH = path.resolve(import.meta.dirname, '../../.output/firefox-mv2');
const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
const ADDON_ID = 'keyhold@keyhold.dev';
const ADDON_UUID = '6f1a3c2e-0b7d-4c1e-9a55-2d3b4c5d6e7f';
export const FIREFOX_EXTENSION_ORIGIN = `moz-extension://${ADDON_UUID}`;

export interface FirefoxDevice {
  browser: Browser;
  openPopup(): Promise<Page>;
  close(): Promise<void>;
}

/** A fresh Firefox profile with the extension installed; `hosts` resolve to 127.0.0.1. */
export async function launchFirefox(hosts: string[]): Promise<FirefoxDevice> {
  const profileDir = await mkdtemp(path.join(tmpdir(), 'keyhold-e2e-firefox-'));
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    userDataDir: profileDir,
    args: ['--remote-allow-system-access'],
    extraPrefsFirefox: {
      'extensions.webextensions.uuids': JSON.stringify({ [ADDON_ID]: ADDON_UUID }),
      'network.dns.localDomains': hosts.join(','),
    },
  });
  try {
    await browser.installExtension(FIREFOX_EXTENSION_PATH);
  } catch (error) {
    await browser.close();
    throw error;
  }
  return {
    browser,
    async openPopup() {
      const page = await browser.newPage();
      await page.setViewport({ width: 400, height: 640 });
      const url = `${FIREFOX_EXTENSION_ORIGIN}/popup.html`;
      // The navigation's promise never settles on success (see above): not awaited.
      page.goto(url, { timeout: 60_000 }).catch(() => undefined);
      const state = await waitFor(
        () => page.evaluate(() => `${location.href} ${document.readyState}`).catch(() => 'navigating'),
        (s) => s === `${url} complete`,
        15_000,
      );
      if (state !== `${url} complete`) throw new Error(`the popup did not load: ${state}`);
      return page;
    },
    async close() {
      await browser.close();
      await rm(profileDir, { recursive: true, force: true });
    },
  };
}

/** The frame of `page` that shows the extension page `file` (e.g. `inline-menu.html`). */
export async function extensionFrame(page: Page, file: string, timeoutMs = 5_000): Promise<Frame> {
  const wanted = `${FIREFOX_EXTENSION_ORIGIN}/${file}`;
  const find = async () => {
    for (const frame of page.frames()) {
      const href = await frame.evaluate(() => location.href).catch(() => '');
      if (href.startsWith(wanted)) return frame;
    }
    return null;
  };
  const found = await waitFor(find, (frame) => frame !== null, timeoutMs);
  if (!found) throw new Error(`${file} did not appear in ${page.url()}`);
  return found;
}
