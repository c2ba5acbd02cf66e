import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Device, launchDevice } from './support/browser.ts';
import { PopupPage } from './support/popup-page.ts';
import { type RunningServer, startServer } from './support/server.ts';

/**
 * Light and dark: the popup follows the system's colour scheme by default, and the Theme setting
 * (chosen in the popup's Settings tab) overrides it at once, on the open popup and on pages opened
 * later. Checked on the computed colours a user sees: the page background and the text.
 */

const MASTER = 'quiet orbit lantern 42 velvet';
const EMAIL = 'theme@example.test';

const LIGHT_BG = 'rgb(255, 255, 255)';
const DARK_BG = 'rgb(21, 23, 28)';
const DARK_FG = 'rgb(230, 232, 238)';

const colours = (page: Page) =>
  page.evaluate(() => {
    const body = getComputedStyle(document.body);
    return { background: body.backgroundColor, text: body.color };
  });
const systemScheme = (page: Page, value: 'light' | 'dark') =>
  page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value }]);

async function chooseTheme(popup: PopupPage, theme: 'system' | 'light' | 'dark') {
  await popup.click('Settings', 'tab');
  // The tab panel renders after the click: wait for the field before choosing in it.
  await popup.page.locator('::-p-aria(Theme)').wait();
  await popup.page.select('::-p-aria(Theme)', theme);
  await popup.page.locator('::-p-aria([name="Save settings"][role="button"])').click();
  await popup.page.locator('.settings [role="status"]').wait();
  // The page applies the stored choice as soon as storage says it changed.
  await popup.page.waitForFunction(
    (t) => (document.documentElement.dataset.theme ?? 'system') === t,
    {},
    theme,
  );
}

describe('theme', () => {
  let server: RunningServer;
  let device: Device;
  let popup: PopupPage;

  beforeAll(async () => {
    [server, device] = await Promise.all([startServer(), launchDevice()]);
    popup = new PopupPage(await device.openPopup());
    await popup.createAccount(server.url, EMAIL, MASTER);
  });

  afterAll(async () => {
    await device?.close();
    await server?.stop();
  });

  it('follows the system: light, then dark', async () => {
    await systemScheme(popup.page, 'light');
    expect((await colours(popup.page)).background).toBe(LIGHT_BG);
    await systemScheme(popup.page, 'dark');
    expect(await colours(popup.page)).toEqual({ background: DARK_BG, text: DARK_FG });
  });

  it('the Light setting overrides a dark system at once, and on pages opened later', async () => {
    await chooseTheme(popup, 'light');
    expect((await colours(popup.page)).background).toBe(LIGHT_BG);
    expect(await popup.page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');

    const options = await device.browser.newPage();
    await systemScheme(options, 'dark');
    await options.goto(`chrome-extension://${device.extensionId}/options.html`);
    await options.locator('::-p-aria([name="Keyhold settings"][role="heading"])').wait();
    expect((await colours(options)).background).toBe(LIGHT_BG);
    await options.close();
  });

  it('the Dark setting overrides a light system; System follows it again', async () => {
    await systemScheme(popup.page, 'light');
    await chooseTheme(popup, 'dark');
    expect(await colours(popup.page)).toEqual({ background: DARK_BG, text: DARK_FG });
    await chooseTheme(popup, 'system');
    expect((await colours(popup.page)).background).toBe(LIGHT_BG);
  });
});
