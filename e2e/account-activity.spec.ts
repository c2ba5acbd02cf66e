import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DpopKey, dpopHeaders, dpopProof, newDpopKey } from '../server/test-support/dpop.ts';
import { deriveAccountKeys, fromBase64Url, toBase64Url, validateKdfParams } from '../shared-crypto/index.ts';
import { type Device, launchDevice } from './support/browser.ts';
import { PopupPage } from './support/popup-page.ts';
import { type RunningServer, startServer } from './support/server.ts';

/**
 * "Account activity" in the real popup in Chromium, against the real server: what happened, when,
 * on which device and from where, newest first, a page at a time. One browser; the tests run in
 * order on one account. What other devices do (a wrong key, a laptop signing in) is set up by
 * calling the server directly, as those devices would.
 */

const MASTER = 'amber-falcon-ledger-42';
const EMAIL = 'noor@example.test';
/** The worker's page size (background/account-activity.ts). */
const PAGE = 20;

describe('account activity in the popup', () => {
  let server: RunningServer;
  let device: Device;
  let popup: PopupPage;

  beforeAll(async () => {
    // Other devices sign in many times to fill pages: more than the default per-IP limit allows.
    [server, device] = await Promise.all([
      startServer({ AUTH_RATE_LIMIT_PER_MINUTE: '1000' }),
      launchDevice(),
    ]);
  });

  afterAll(async () => {
    await device?.close();
    await server?.stop();
  });

  const post = async (path: string, body: unknown, key?: DpopKey) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(key ? { dpop: await dpopProof(key, { method: 'POST', url: `${server.url}${path}` }) } : {}),
      },
      body: JSON.stringify(body),
    });

  let authKey: string | null = null;
  /** Another device signs in to the account with the right master password (and out again). */
  async function signInElsewhere(deviceName: string, { signOut = false } = {}) {
    if (!authKey) {
      const pre = (await (await post('/v1/accounts/prelogin', { email: EMAIL })).json()) as {
        kdf: unknown;
        salt: string;
      };
      const keys = await deriveAccountKeys(MASTER, fromBase64Url(pre.salt), validateKdfParams(pre.kdf));
      authKey = toBase64Url(keys.authKey);
    }
    const key = await newDpopKey();
    const res = await post('/v1/sessions', { email: EMAIL, authKey, deviceName }, key);
    expect(res.status).toBe(200);
    if (!signOut) return;
    const { accessToken } = (await res.json()) as { accessToken: string };
    const out = await fetch(`${server.url}/v1/sessions/current`, {
      method: 'DELETE',
      headers: await dpopHeaders(key, 'DELETE', `${server.url}/v1/sessions/current`, accessToken),
    });
    expect(out.status).toBe(204);
  }

  it('says what happened, when, on which device and from where, newest first', async () => {
    popup = new PopupPage(await device.openPopup());
    await popup.createAccount(server.url, EMAIL, MASTER);
    // Someone tries the account with a wrong master password on another device: the server sees it.
    const wrong = await post(
      '/v1/sessions',
      {
        email: EMAIL,
        authKey: randomBytes(32).toString('base64url'),
        deviceName: 'Unknown device',
      },
      await newDpopKey(),
    );
    expect(wrong.status).toBe(401);
    await signInElsewhere('Work laptop');

    await popup.lock();
    // A wrong master password at unlock is checked on this device and never reaches the server.
    await popup.unlock('not the master password');
    expect(await popup.alertText()).toContain('That master password is not right.');
    await popup.unlock(MASTER);
    await popup.waitForList();

    await popup.openActivity();
    const entries = await popup.activityEntries();
    // Locking kept this device's session and unlocking refreshed it: no sign-out, no new sign-in.
    expect(entries.map((e) => e.what)).toEqual([
      'Signed in',
      'Wrong master password entered',
      'Recovery key created',
      'Signed in',
      'Account created',
    ]);
    const [laptop, failed, recoveryKey, now, created] = entries;
    // The recovery key saved right after sign-up, in this device's session.
    expect(recoveryKey?.device).toBe(now?.device);
    expect(now?.device).toMatch(/^This device · session [0-9a-f]{8}$/);
    // It signed in by calling the server and never sealed a name for its session (devices.ts does).
    expect(laptop?.device).toMatch(/^Unnamed device · session [0-9a-f]{8}$/);
    // A failed sign-in and the account's creation belong to no device session.
    expect([failed?.device, created?.device]).toEqual([null, null]);
    for (const e of entries) expect(e.from).toBe('from 127.0.0.1');
    // Newest first, with the local date and time shown.
    const times = entries.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    for (const e of entries) {
      expect(e.when).toBe(
        await popup.page.evaluate(
          (at) =>
            new Date(at).toLocaleString(undefined, {
              dateStyle: 'medium',
              timeStyle: 'medium',
            }),
          e.at,
        ),
      );
    }
    expect(await popup.page.$('::-p-aria([name="Load older"][role="button"])')).toBeNull();

    await popup.click('Back');
    await popup.waitForList();
  });

  it('pages back with "Load older" to the account\'s first event', async () => {
    // Lock and unlock rounds add nothing: the device session lives on, refreshed at each unlock.
    for (let round = 0; round < 3; round++) {
      await popup.lock();
      await popup.unlock(MASTER);
      await popup.waitForList();
    }
    // A phone signs in and out 9 times: two events a round.
    for (let round = 0; round < 9; round++) await signInElsewhere('Phone', { signOut: true });
    await popup.openActivity();
    const first = await popup.activityEntries();
    expect(first).toHaveLength(PAGE);
    expect(first[0]).toMatchObject({ what: 'Signed out' });
    expect(first[0]?.device).toMatch(/^Unnamed device · session [0-9a-f]{8} \(signed out\)$/);
    expect(first.map((e) => e.what)).not.toContain('Account created');

    await popup.loadOlderActivity();
    const all = await popup.activityEntries();
    // 5 events before, 18 from the phone: the second page holds the three oldest.
    expect(all).toHaveLength(23);
    expect(all.slice(0, PAGE)).toEqual(first);
    expect(all.slice(PAGE).map((e) => e.what)).toEqual([
      'Recovery key created',
      'Signed in',
      'Account created',
    ]);
    expect(all.at(-2)?.device).toMatch(/^This device · /);
    const times = all.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(all.filter((e) => e.what === 'Wrong master password entered')).toHaveLength(1);
    // This device's sign-in and the recovery key it saved.
    expect(all.filter((e) => e.device?.startsWith('This device'))).toHaveLength(2);
    expect(await popup.page.$('::-p-aria([name="Load older"][role="button"])')).toBeNull();

    await popup.click('Back');
    await popup.waitForList();
  });

  it('says so when the server cannot be reached, and loads once it is back', async () => {
    await server.stop();
    await popup.openActivity();
    expect(await popup.alertText()).toBe(
      `Keyhold cannot reach a server at ${server.url}. Check the address and your connection.`,
    );
    expect(await popup.activityEntries()).toEqual([]);

    // The same server (address and data) back.
    const { port } = new URL(server.url);
    server = await startServer({ PORT: port, DATA_DIR: server.dataDir, AUTH_RATE_LIMIT_PER_MINUTE: '1000' });
    await popup.click('Try again');
    await popup.page.waitForSelector('ul[aria-label="Account activity"] > li');
    expect(await popup.page.$('[role="alert"]')).toBeNull();
    expect(await popup.activityEntries()).toHaveLength(PAGE);
    await popup.click('Back');
    await popup.waitForList();
  });
});
