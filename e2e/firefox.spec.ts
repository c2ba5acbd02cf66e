import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFields, waitForValue } from './support/autofill.ts';
import { extensionFrame, type FirefoxDevice, launchFirefox } from './support/firefox.ts';
import { PopupPage } from './support/popup-page.ts';
import { type RunningServer, startServer } from './support/server.ts';
import { type Sites, startSites } from './support/sites.ts';

/**
 * The Firefox build (MV2: a background page instead of a service worker, `browser.*` promises, no
 * offscreen document) in Firefox ESR, through the same popup as a user: sign-up, a login saved and
 * synced, lock and unlock, a popup opened again, and a fill from the inline menu on a login page.
 * The Chromium specs cover each feature in depth; this one proves the other build works at all.
 */

const MASTER = 'firefox master password 42';
let server: RunningServer;
let sites: Sites;
let firefox: FirefoxDevice;

beforeAll(async () => {
  [server, sites, firefox] = await Promise.all([startServer(), startSites(), launchFirefox(['bank.test'])]);
}, 120_000);

afterAll(async () => {
  await firefox?.close();
  await sites?.close();
  await server?.stop();
});

describe('the Firefox build', () => {
  it('creates an account, saves a login, locks, unlocks and opens again on the list', async () => {
    const popup = new PopupPage(await firefox.openPopup());
    await popup.createAccount(server.url, `firefox-${Date.now()}@example.test`, MASTER);
    await popup.addLogin({
      title: 'Bank',
      username: 'ada@bank.test',
      password: 'pw-firefox-1',
      uris: [{ url: 'http://bank.test' }],
    });
    const titles = () =>
      popup.page.$$eval('ul[aria-label="Logins"] li', (rows) => rows.map((r) => r.textContent));
    expect((await titles()).join(' ')).toContain('Bank');

    await popup.lock();
    await popup.unlock(MASTER);
    await popup.waitForList();
    expect((await titles()).join(' ')).toContain('Bank');
    await popup.page.close();

    // A popup opened again finds the vault open, as after a click on the toolbar button.
    const again = new PopupPage(await firefox.openPopup());
    await again.waitForList();
    expect((await again.page.$$eval('ul[aria-label="Logins"] li', (r) => r.length)) > 0).toBe(true);
    await again.page.close();
  });

  it('fills a login page from the inline menu', async () => {
    const page = await firefox.browser.newPage();
    try {
      await page.goto(sites.url('bank.test', '/simple.html'));
      await page.click('#username');
      const menu = await extensionFrame(page, 'inline-menu.html');
      const suggestion = await menu.waitForSelector('::-p-aria([name="Bank"][role="button"])', {
        timeout: 5_000,
      });
      // The menu ignores clicks until it has been visibly on screen for a moment (clickjacking guard).
      await new Promise((r) => setTimeout(r, 700));
      await suggestion?.click();
      await waitForValue(page, 'password', 'pw-firefox-1');
      expect(await readFields(page)).toEqual({ username: 'ada@bank.test', password: 'pw-firefox-1' });
    } finally {
      await page.close();
    }
  });
});
