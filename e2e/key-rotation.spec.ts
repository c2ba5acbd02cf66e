import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Device, launchDevice } from './support/browser.ts';
import { type GatedProxy, startGatedProxy } from './support/gated-proxy.ts';
import { PopupPage } from './support/popup-page.ts';
import { type RunningServer, startServer } from './support/server.ts';
import { waitFor } from './support/wait.ts';

/**
 * "Rotate encryption key" interrupted half-way — the service worker killed, then the whole browser
 * closed, each while the re-wrapped items are on their way to the server — and resumed: through
 * the popup only. A proxy in front of the server holds that push, so the interruption lands at the
 * same point every time without sleeps.
 */

const MASTER = 'amber-cistern-falcon-58';
const EMAIL = 'rosa@example.test';
const LOGINS = ['Archive', 'Bank', 'Chess club', 'Dentist', 'Email'];
const ROTATION = '/v1/accounts/current/rotation';
const COMPLETE = `${ROTATION}/complete`;

describe('key rotation killed half-way, then resumed', () => {
  let server: RunningServer;
  let proxy: GatedProxy;
  let a: Device;
  let b: Device;

  beforeAll(async () => {
    server = await startServer();
    [proxy, a, b] = await Promise.all([startGatedProxy(server.url), launchDevice(), launchDevice()]);
  });

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await proxy?.close();
    await server?.stop();
  });

  /** Completions the server accepted so far. */
  const completions = () => proxy.log.filter((r) => r.path === COMPLETE && r.status === 200).length;

  /** Security → master password → "Rotate encryption key", without waiting for the answer. */
  async function startRotation(popup: PopupPage) {
    await popup.click('Security');
    await popup.page.locator('::-p-aria([name="Security"][role="heading"])').wait();
    await popup.click('Rotate encryption key…');
    const field = await popup.page
      .locator('::-p-aria([name="Master password, to rotate the key"])')
      .waitHandle();
    await field.type(MASTER);
    await popup.click('Rotate encryption key');
  }

  /** Every login's password as the popup shows it, opening each one. */
  async function passwords(popup: PopupPage) {
    await popup.waitForList();
    const out: Record<string, string> = {};
    for (const title of (await popup.titles()).filter((t): t is string => t !== null)) {
      out[title] = (await popup.openItem(title)).password;
      await popup.closeItem();
    }
    return out;
  }
  const expected = Object.fromEntries(LOGINS.map((t) => [t, `pw-${t}`]));

  /** Device B (signed in before any rotation) syncs and reads every login, without its password. */
  async function secondDeviceReadsAll() {
    const popup = new PopupPage(await b.openPopup());
    await popup.waitForList();
    await popup.syncNow();
    const status = await popup.page.$eval('p.status', (p) => p.textContent ?? '');
    expect(status).toMatch(/^Synced /);
    expect(await passwords(popup)).toEqual(expected);
    await popup.page.close();
  }

  it('sets up two devices with the same logins', async () => {
    const popup = new PopupPage(await a.openPopup());
    await popup.createAccount(proxy.url, EMAIL, MASTER);
    for (const title of LOGINS) await popup.addLogin({ title, username: 'rosa', password: `pw-${title}` });
    await popup.syncNow();
    await popup.page.close();

    const onB = new PopupPage(await b.openPopup());
    await onB.logIn(proxy.url, EMAIL, MASTER);
    expect(await passwords(onB)).toEqual(expected);
    await onB.page.close();
  });

  it('resumes after the service worker is killed mid-rotation, without asking for the password', async () => {
    const popup = new PopupPage(await a.openPopup());
    await popup.waitForList();
    const held = proxy.holdNext('POST', '/v1/sync/push');
    await startRotation(popup);
    // The rotation is recorded and its re-wrapped items are in flight: kill the worker now.
    const push = await held;
    expect(proxy.log.some((r) => r.path === ROTATION && r.status === 201)).toBe(true);
    await popup.page.close();
    await a.stopServiceWorker();
    // The push reaches the server after all; its answer is lost with the worker.
    await push.release();
    expect(completions()).toBe(0);

    // Reopened: the worker restarts from storage (still unlocked) and finishes the rotation.
    const reopened = new PopupPage(await a.openPopup());
    await reopened.waitForList();
    expect(
      await waitFor(
        async () => completions(),
        (n) => n === 1,
        30_000,
      ),
    ).toBe(1);
    expect(await passwords(reopened)).toEqual(expected);
    await reopened.page.close();
    await secondDeviceReadsAll();
  });

  it('resumes on unlock after the browser is closed mid-rotation', async () => {
    const popup = new PopupPage(await a.openPopup());
    await popup.waitForList();
    const held = proxy.holdNext('POST', '/v1/sync/push');
    await startRotation(popup);
    const push = await held;
    // The browser goes away with the push in flight (session storage, and the keys in it, too).
    const profile = a.profileDir;
    await a.browser.close();
    await push.release();
    expect(completions()).toBe(1);

    a = await launchDevice(profile);
    const reopened = new PopupPage(await a.openPopup());
    await reopened.page.locator('::-p-aria([name="Unlock Keyhold"][role="heading"])').wait();
    await reopened.unlock(MASTER);
    await reopened.waitForList();
    expect(
      await waitFor(
        async () => completions(),
        (n) => n === 2,
        30_000,
      ),
    ).toBe(2);
    expect(await passwords(reopened)).toEqual(expected);

    // Nothing lost or duplicated, and a new login after the rotation reaches the other device.
    await reopened.addLogin({ title: 'Fresh', username: 'rosa', password: 'pw-Fresh' });
    await reopened.syncNow();
    await reopened.page.close();
    expected.Fresh = 'pw-Fresh';
    await secondDeviceReadsAll();
  });

  it('says a new recovery key is needed when a rotation finishes in front of the user', async () => {
    const popup = new PopupPage(await a.openPopup());
    await popup.waitForList();
    await startRotation(popup);
    const done = await popup.page.locator('::-p-aria([role="status"])').waitHandle();
    const text = await done.evaluate((e) => e.textContent ?? '');
    expect(text).toContain('version 4');
    expect(text).toMatch(/recovery key/i);
    await popup.page.close();
    await secondDeviceReadsAll();
  });
});
