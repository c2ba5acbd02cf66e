import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The worker's words in English, read from extension/locales/en.yml as the unit tests do.
import '../extension/test-support/i18n.ts';
import { SIGNED_OUT_REASONS } from '../extension/messaging/error-messages.ts';
import { openPostgres } from '../server/db/client.ts';
import { appRoleUrl } from '../server/test-support/db.ts';
import { dpopProof, newDpopKey } from '../server/test-support/dpop.ts';
import { deriveAccountKeys, fromBase64Url, toBase64Url, validateKdfParams } from '../shared-crypto/index.ts';
import { syncLine } from './support/account-pages.ts';
import { type Device, launchDevice } from './support/browser.ts';
import { type GatedProxy, startGatedProxy } from './support/gated-proxy.ts';
import { PopupPage } from './support/popup-page.ts';
import { type RunningServer, startServer } from './support/server.ts';
import { waitFor } from './support/wait.ts';

/**
 * "Devices" in the real popup, two browsers (devices A and B) against the real server on PostgreSQL
 * with a cap of two sessions per account. A sees B (names opened, itself marked) and a banner when B
 * signs in; A logs B out and B's popup says why, keeping an edit the server never got until B logs
 * in again; a third sign-in ends the least recently used session and that device says so. B talks to
 * the server through a proxy that can refuse its pushes (so its edit stays unsynced); the third
 * device signs in by calling the server directly, as any client would.
 */

const EMAIL = 'noor@example.test';
const MASTER = 'amber-falcon-ledger-42';
/** Browser and OS as the worker detects them in this Chromium. */
const BROWSER = /^(Chromium|Chrome) on Linux$/;

const ADMIN_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const dbName = `keyhold_e2e_devices_${randomBytes(5).toString('hex')}`;
const dbUrl = (() => {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${dbName}`;
  return u.toString();
})();
const admin = postgres(ADMIN_URL, { onnotice: () => {}, max: 1 });
let db: postgres.Sql | null = null;

interface Entry {
  name: string;
  thisDevice: boolean;
  text: string;
}

/** The Devices list as the popup shows it. */
const entries = (popup: PopupPage): Promise<Entry[]> =>
  popup.page.$$eval('ul[aria-label="Signed-in devices"] > li', (lis) =>
    lis.map((li) => ({
      name: li.querySelector('.name')?.textContent ?? '',
      thisDevice: li.querySelector('.badge')?.textContent === 'This device',
      text: li.textContent ?? '',
    })),
  );

const text = (popup: PopupPage, selector: string) =>
  popup.page.$eval(selector, (e) => e.textContent ?? '').catch(() => '');

async function openDevices(popup: PopupPage) {
  await popup.click('Security');
  await popup.click('Devices…');
  await popup.page.waitForSelector('ul[aria-label="Signed-in devices"] > li');
}

describe('devices and sessions', () => {
  let server: RunningServer;
  let proxy: GatedProxy;
  let deviceA: Device;
  let deviceB: Device;
  let a: PopupPage;
  let b: PopupPage;
  let nameOfB = '';

  beforeAll(async () => {
    await admin.unsafe(`create database "${dbName}"`);
    const migrated = await openPostgres(dbUrl, { migrate: true });
    await migrated.close();
    db = postgres(dbUrl, { onnotice: () => {}, max: 1 });
    [server, deviceA, deviceB] = await Promise.all([
      startServer({
        DATABASE_URL: appRoleUrl(dbUrl),
        SESSION_MAX_PER_ACCOUNT: '2',
        AUTH_RATE_LIMIT_PER_MINUTE: '1000',
      }),
      launchDevice(),
      launchDevice(),
    ]);
    proxy = await startGatedProxy(server.url);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([deviceA?.close(), deviceB?.close()]);
    await proxy?.close();
    await server?.stop();
    await db?.end();
    await admin.unsafe(`drop database if exists "${dbName}" with (force)`);
    await admin.end();
  });

  it('A sees a banner when B signs in, and B in Devices with its name opened; A is marked', async () => {
    a = new PopupPage(await deviceA.openPopup());
    await a.createAccount(server.url, EMAIL, MASTER);
    await a.addLogin({ title: 'Bank', username: 'noor', password: 'bank-1' });
    await a.syncNow();

    b = new PopupPage(await deviceB.openPopup());
    await b.logIn(proxy.url, EMAIL, MASTER);
    // B names itself right after signing in; A's banner follows (push channel: signed-in, then named).
    const banner = await waitFor(
      () => text(a, '#sign-in-notice-title'),
      (t) => /^New sign-in: (Chromium|Chrome) on Linux from 127\.0\.0\.1, just now$/.test(t),
      20_000,
    );
    expect(banner).toMatch(/^New sign-in: (Chromium|Chrome) on Linux from 127\.0\.0\.1, just now$/);

    // B gives itself a name of its own.
    await openDevices(b);
    await b.fill('Name of this device', 'Work laptop');
    await b.click('Save name');
    await b.page.waitForSelector('p.done-notice');
    const onB = await entries(b);
    expect(onB.filter((e) => e.thisDevice).map((e) => e.name)).toEqual([
      expect.stringMatching(/^Work laptop \(/),
    ]);
    nameOfB = onB.find((e) => e.thisDevice)?.name ?? '';
    await b.click('Back');
    await b.waitForList();

    await a.click('Review devices');
    await a.page.waitForSelector('ul[aria-label="Signed-in devices"] > li');
    const list = await waitFor(
      () => entries(a),
      (l) => l.some((e) => e.name === nameOfB),
      10_000,
    );
    expect(list.map((e) => e.thisDevice)).toEqual([true, false]);
    expect(list[0]?.name).toMatch(BROWSER);
    expect(list[1]?.name).toBe(nameOfB);
    for (const e of list) {
      expect(e.text).toContain('Signed in');
      expect(e.text).toContain('from 127.0.0.1');
      expect(e.text).toContain('Last seen');
    }
    // Dismissed by "Review devices": the banner stays gone.
    expect(await a.page.$('#sign-in-notice-title')).toBeNull();
  });

  it('A logs B out: B says why, keeps its unsynced edit, and sends it after logging in again', async () => {
    // B's pushes do not get through: its edit stays on B only.
    const allowPushes = proxy.refuse('POST', '/v1/sync/push');
    await b.editItem('Bank', { password: 'bank-from-B' });
    await waitFor(
      () => syncLine(b),
      (l) => l.startsWith('Offline'),
      15_000,
    );

    await a.click(`Log out ${nameOfB}`);
    await a.page.waitForSelector('p.done-notice');
    expect(await text(a, 'p.done-notice')).toBe(`${nameOfB} is logged out.`);
    expect((await entries(a)).map((e) => e.thisDevice)).toEqual([true]);

    // B's open popup turns to its unlock screen and says why (push stream's bye, then the refusal).
    await b.page.waitForSelector('#signed-out-title', { timeout: 20_000 });
    expect(await text(b, 'p.signed-out')).toBe(
      'You were signed out from another device. Log in again to keep using this vault; your unsynced change is kept and will sync after you log in.',
    );

    allowPushes();
    await b.fill('Master password', MASTER);
    await b.click('Log in again');
    await b.waitForList();
    await waitFor(
      () => syncLine(b),
      (l) => l.startsWith('Synced'),
      20_000,
    );
    expect(await b.page.$('#signed-out-title')).toBeNull();

    await a.click('Back');
    await a.waitForList();
    await a.syncNow();
    expect((await a.openItem('Bank')).password).toBe('bank-from-B');
    await a.closeItem();
  });

  it('a third sign-in ends the least recently used session (the cap is two); that device says why', async () => {
    // B was last used an hour ago; A just now.
    const stored = await b.page.evaluate(() =>
      (
        globalThis as unknown as {
          chrome: { storage: { local: { get(k: string): Promise<Record<string, { sessionId?: string }>> } } };
        }
      ).chrome.storage.local.get('device-session'),
    );
    const sessionOfB = stored['device-session']?.sessionId ?? '';
    expect(sessionOfB).toMatch(/^[0-9a-f-]{36}$/);
    // A third device: its keys first, so that nothing runs between the backdating and its login.
    const dpopKey = await newDpopKey();
    const post = async (path: string, body: unknown) =>
      fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          dpop: await dpopProof(dpopKey, { method: 'POST', url: `${server.url}${path}` }),
        },
        body: JSON.stringify(body),
      });
    const pre = (await (await post('/v1/accounts/prelogin', { email: EMAIL })).json()) as {
      kdf: unknown;
      salt: string;
    };
    const keys = await deriveAccountKeys(MASTER, fromBase64Url(pre.salt), validateKdfParams(pre.kdf));
    await db?.unsafe(`update device_sessions set last_seen_at = now() - interval '1 hour' where id = $1`, [
      sessionOfB,
    ]);
    const third = await post('/v1/sessions', { email: EMAIL, authKey: toBase64Url(keys.authKey) });
    expect(third.status).toBe(200);

    await b.page.waitForSelector('#signed-out-title', { timeout: 20_000 });
    expect(await text(b, 'p.signed-out')).toBe(
      `${SIGNED_OUT_REASONS['session-cap']} Log in again to keep using this vault.`,
    );

    // A keeps its session, hears of the new one, and lists it.
    const banner = await waitFor(
      () => text(a, '#sign-in-notice-title'),
      (t) => t.startsWith('New sign-in: Unnamed device'),
      20_000,
    );
    expect(banner).toBe('New sign-in: Unnamed device from 127.0.0.1, just now');
    await openDevices(a);
    const list = await entries(a);
    expect(list.map((e) => [e.thisDevice, e.name.replace(BROWSER, 'A')])).toEqual([
      [true, 'A'],
      [false, 'Unnamed device'],
    ]);
  });
});
