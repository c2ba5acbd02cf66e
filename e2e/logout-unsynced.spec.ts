import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Device, launchDevice } from './support/browser.ts';
import { PopupPage } from './support/popup-page.ts';
import { type RunningServer, startServer } from './support/server.ts';

/**
 * "Log out of this device" must never silently drop edits that were made offline and never
 * reached the server. Everything here goes through the popup, as a user does it.
 */

const MASTER = 'quiet-lantern-meadow-73';
const EMAIL = 'lin@example.test';

describe('logging out with changes the server never received', () => {
  let server: RunningServer;
  let device: Device;
  let popup: PopupPage;

  beforeAll(async () => {
    [server, device] = await Promise.all([startServer(), launchDevice()]);
  });

  afterAll(async () => {
    await device?.close();
    await server?.stop();
  });

  /** The same server (address and data) back after it was stopped. */
  async function restartServer() {
    const { port } = new URL(server.url);
    server = await startServer({ PORT: port, DATA_DIR: server.dataDir });
  }

  /** With the server down: unlock from the local cache, add a login (pending), lock. */
  async function addWhileOffline(title: string) {
    await server.stop();
    await popup.unlock(MASTER);
    await popup.waitForList();
    await popup.addLogin({ title, username: 'lin', password: `pw-${title}` });
    await popup.page.locator('::-p-text(pending)').wait();
    await popup.lock();
  }

  const dialogText = () =>
    popup.page.$eval('[role="alertdialog"]', (d) => d.textContent ?? '').catch(() => null);

  it('keeps offline edits by default, and they reach the server once it is back', async () => {
    popup = new PopupPage(await device.openPopup());
    await popup.createAccount(server.url, EMAIL, MASTER);
    await popup.addLogin({ title: 'Synced first', username: 'lin', password: 'pw-synced' });
    await popup.syncNow();
    await popup.lock();

    await addWhileOffline('Made offline');
    await popup.click('Log out of this device');
    await popup.page.locator('::-p-aria([role="alertdialog"])').wait();
    expect(await dialogText()).toContain('1 change made on this device has not reached the server');
    // Keeping is the default: it has the focus, so Enter keeps.
    const focused = await popup.page.evaluate(() => document.activeElement?.textContent);
    expect(focused).toBe('Keep them and stay logged in');
    await popup.page.keyboard.press('Enter');
    await popup.page.waitForFunction(() => !document.querySelector('[role="alertdialog"]'));
    await popup.page.locator('::-p-aria([name="Unlock Keyhold"][role="heading"])').wait();

    // A popup opened later (the worker may have restarted) still has the account and the edit.
    await popup.page.close();
    await device.stopServiceWorker();
    popup = new PopupPage(await device.openPopup());
    await restartServer();
    await popup.unlock(MASTER);
    await popup.waitForList();
    await popup.page.waitForFunction(() => !document.body.textContent?.includes('pending'));
    await popup.lock();

    // Everything reached the server: logging out asks nothing.
    await popup.click('Log out of this device');
    await popup.page.locator('::-p-aria([name="Create account"][role="tab"])').wait();
    await popup.logIn(server.url, EMAIL, MASTER);
    expect(await popup.titles()).toEqual(['Made offline', 'Synced first']);
    await popup.lock();
  });

  it('discards only after the user explicitly chooses to, and says how much', async () => {
    await addWhileOffline('Thrown away');
    await popup.click('Log out of this device');
    await popup.page.locator('::-p-aria([role="alertdialog"])').wait();
    await popup.click('Log out and discard 1 change');
    await popup.page.locator('::-p-aria([name="Create account"][role="tab"])').wait();

    await restartServer();
    await popup.logIn(server.url, EMAIL, MASTER);
    expect(await popup.titles()).toEqual(['Made offline', 'Synced first']);
  });
});
