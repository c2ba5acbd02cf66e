import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Device, isExtensionWorker, launchDevice } from './support/browser.ts';
import { PopupPage } from './support/popup-page.ts';
import { type RunningServer, startServer } from './support/server.ts';

/**
 * Settings through the popup's Settings tab, as a user changes them: auto-lock minutes, clipboard
 * time, default website match, a refused value with its message next to the field, and removing a
 * site from the "never for this site" list. The options page shows the same values; they survive
 * the service worker being stopped; auto-lock arms its alarm from them; and with "lock on browser
 * restart" off the vault is still open after the browser restarts (on: locked again).
 */

const MASTER = 'quiet orbit lantern 42 velvet';
const EMAIL = 'settings@example.test';

const LOCK = 'Lock after this many minutes without use';
const CLIPBOARD = 'Clear a copied secret after this many seconds';
const MATCH = 'Default website match';
const SERVER = 'Server address';
const RESTART = 'Lock when the browser restarts';

const aria = (name: string, role?: string) =>
  role ? `::-p-aria([name="${name}"][role="${role}"])` : `::-p-aria(${name})`;

const fieldValue = (page: Page, name: string) =>
  page
    .locator(aria(name))
    .map((e) => (e as HTMLInputElement | HTMLSelectElement).value)
    .wait();
const neverSites = (page: Page) =>
  page.$$eval('ul.never-sites .host', (els) => els.map((e) => e.textContent ?? ''));

async function openSettingsTab(popup: PopupPage) {
  await popup.click('Settings', 'tab');
  await popup.page.locator(aria(LOCK)).wait();
}

/** The "Settings saved." notice (a status, which takes no name from its text). */
const saved = (page: Page) => page.locator('.settings [role="status"]').wait();

async function save(page: Page) {
  await page.locator(aria('Save settings', 'button')).click();
}

/** The auto-lock alarm as the service worker armed it (minutes from now), or null. */
async function autoLockAlarmMinutes(device: Device): Promise<number | null> {
  const target = await device.browser.waitForTarget(isExtensionWorker, { timeout: 10_000 });
  const worker = await target.worker();
  if (!worker) throw new Error('no service worker');
  const when = await worker.evaluate(async () => {
    const chromeApi = (
      globalThis as unknown as {
        chrome: { alarms: { get(n: string): Promise<{ scheduledTime: number } | undefined> } };
      }
    ).chrome;
    const alarm = await chromeApi.alarms.get('keyhold-autolock');
    return alarm ? alarm.scheduledTime - Date.now() : null;
  });
  return when === null ? null : when / 60_000;
}

describe('settings', () => {
  let server: RunningServer;
  let device: Device;
  let popup: PopupPage;

  beforeAll(async () => {
    [server, device] = await Promise.all([startServer(), launchDevice()]);
    popup = new PopupPage(await device.openPopup());
    await popup.createAccount(server.url, EMAIL, MASTER);
    // Two sites where the user once chose "Never for this site" on a save prompt.
    await popup.page.evaluate(async () => {
      const chromeApi = (
        globalThis as unknown as {
          chrome: { storage: { local: { set(v: object): Promise<void> } } };
        }
      ).chrome;
      await chromeApi.storage.local.set({ 'autofill-never': ['shop.example', 'bank.example'] });
    });
  });

  afterAll(async () => {
    await device?.close();
    await server?.stop();
  });

  it('changes auto-lock, clipboard time and default match in the popup', async () => {
    await openSettingsTab(popup);
    expect(await fieldValue(popup.page, LOCK)).toBe('15');
    expect(await fieldValue(popup.page, CLIPBOARD)).toBe('30');
    expect(await fieldValue(popup.page, MATCH)).toBe('domain');

    await popup.fill(LOCK, '5');
    await popup.fill(CLIPBOARD, '45');
    await popup.page.select(aria(MATCH), 'host');
    await save(popup.page);
    await saved(popup.page);

    const minutes = await autoLockAlarmMinutes(device);
    expect(minutes).toBeGreaterThan(4.5);
    expect(minutes).toBeLessThanOrEqual(5);
  });

  it('refuses a bad value with a message next to its field, keeping what was stored', async () => {
    await popup.fill(LOCK, '5000');
    await save(popup.page);
    const error = await popup.page
      .locator('#settings-autoLockMinutes-error')
      .map((e) => e.textContent)
      .wait();
    expect(error).toBe('Auto-lock takes whole minutes from 0 (never) to 1440 (one day).');
    expect(await popup.page.$eval(aria(LOCK), (e) => e.getAttribute('aria-describedby'))).toBe(
      'settings-autoLockMinutes-error',
    );

    await popup.fill(LOCK, '5');
    await popup.fill(SERVER, 'vault.example.com');
    await save(popup.page);
    const serverError = await popup.page
      .locator('#settings-serverUrl-error')
      .map((e) => e.textContent)
      .wait();
    expect(serverError).toBe(
      'Enter the server address with http:// or https://, e.g. http://127.0.0.1:8787.',
    );
    await popup.fill(SERVER, server.url);
    await save(popup.page);
    await saved(popup.page);
  });

  it('removes a site from the never-for-this-site list', async () => {
    await popup.page.locator('ul.never-sites .host').wait();
    expect(await neverSites(popup.page)).toEqual(['bank.example', 'shop.example']);
    await popup.click('Remove shop.example from the list');
    await popup.page.waitForFunction(() => document.querySelectorAll('ul.never-sites .host').length === 1);
    expect(await neverSites(popup.page)).toEqual(['bank.example']);
  });

  it('shows the same values on the options page, and after the worker restarts', async () => {
    const options = await device.browser.newPage();
    await options.goto(`chrome-extension://${device.extensionId}/options.html`);
    await options.locator(aria('Keyhold settings', 'heading')).wait();
    expect(await fieldValue(options, LOCK)).toBe('5');
    expect(await fieldValue(options, CLIPBOARD)).toBe('45');
    expect(await fieldValue(options, MATCH)).toBe('host');
    await options.locator('ul.never-sites .host').wait();
    expect(await neverSites(options)).toEqual(['bank.example']);
    await options.close();

    await device.stopServiceWorker();
    const again = new PopupPage(await device.openPopup());
    await openSettingsTab(again);
    expect(await fieldValue(again.page, LOCK)).toBe('5');
    expect(await fieldValue(again.page, CLIPBOARD)).toBe('45');
    expect(await fieldValue(again.page, MATCH)).toBe('host');
    await again.page.close();
  });

  it('switches the language at once, the worker’s messages included, and back', async () => {
    await openSettingsTab(popup);
    await popup.page.select(aria('Language'), 'ja');
    await save(popup.page);
    // The open popup renders again in Japanese, on the same tab.
    await popup.page.locator(aria('設定を保存', 'button')).wait();
    await popup.page.locator(aria('設定', 'tab')).wait();
    expect(await popup.page.evaluate(() => document.documentElement.lang)).toBe('ja');

    await popup.fill('操作がないときにロックするまでの分数', '-1');
    await popup.page.locator(aria('設定を保存', 'button')).click();
    const error = await popup.page
      .locator('#settings-autoLockMinutes-error')
      .map((e) => e.textContent)
      .wait();
    expect(error).toBe('自動ロックは 0 (しない) から 1440 (1 日) までの整数の分数で指定してください。');

    await popup.fill('操作がないときにロックするまでの分数', '5');
    await popup.page.select(aria('言語'), 'en');
    await popup.page.locator(aria('設定を保存', 'button')).click();
    await popup.page.locator(aria('Save settings', 'button')).wait();
    expect(await popup.page.evaluate(() => document.documentElement.lang)).toBe('en');
  });

  it('keeps the vault unlocked across a browser restart only when asked, with a warning', async () => {
    // On (default): a restarted browser is locked.
    const restart = async () => {
      const profile = device.profileDir;
      await device.browser.close();
      device = await launchDevice(profile);
      return new PopupPage(await device.openPopup());
    };
    popup = await restart();
    await popup.page.locator(aria('Unlock Keyhold', 'heading')).wait();
    await popup.unlock(MASTER);

    await openSettingsTab(popup);
    await popup.page.locator(aria(RESTART)).click();
    await popup.page.locator('#settings-restart-warning').wait();
    await save(popup.page);
    await saved(popup.page);

    popup = await restart();
    await popup.waitForList();

    // A lock wipes the kept copy: the next restart asks for the master password again.
    await popup.lock();
    popup = await restart();
    await popup.page.locator(aria('Unlock Keyhold', 'heading')).wait();
  });
});
