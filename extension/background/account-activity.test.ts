import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { startTestServer, type TestServer } from '../../server/test-support/in-process.ts';
import type { ActivityEvent } from '../messaging/protocol.ts';
import { deviceSessionItem, unlockSessionItem } from '../storage/items.ts';
import { ACTIVITY_PAGE_SIZE, AccountActivity } from './account-activity.ts';
import { ApiClient } from './api-client.ts';
import { type DpopKeys, memoryDpopKeys } from './dpop-key.ts';
import { VaultService } from './vault-service.ts';

/**
 * Account activity read through the vault's session, against the real server app in-process
 * (its audit log and `GET /v1/activity`), as the popup's "Activity" screen asks for it.
 */

const SERVER = 'http://keyhold.test';
const MASTER = 'copper-lichen-window-58';
const EMAIL = 'ada@example.test';

let server: TestServer;
let online = true;
/** Paths the worker asked the server for, in order. */
let asked: string[] = [];
/** Answers in place of the server for a path, when set. */
let intercept: ((path: string) => Response | null) | null = null;

const api = (baseUrl: string, dpopKeys?: DpopKeys) =>
  new ApiClient(
    baseUrl,
    async (input, init) => {
      if (!online) throw new TypeError('fetch failed');
      const { pathname, search } = new URL(String(input));
      asked.push(pathname + search);
      return intercept?.(pathname) ?? server.fetch(new Request(input, init));
    },
    undefined,
    dpopKeys,
  );

const workers: VaultService[] = [];
function device() {
  const vault = new VaultService({ makeApi: api, now: () => new Date(), newId: () => crypto.randomUUID() });
  workers.push(vault);
  return { vault, activity: new AccountActivity(vault, api) };
}

/** The device session's access token and the auth key, as the worker keeps them while unlocked. */
async function session() {
  const [s, device] = await Promise.all([unlockSessionItem.getValue(), deviceSessionItem.getValue()]);
  if (!s || !device) throw new Error('not signed in');
  return { accessToken: device.accessToken, authKey: s.authKey };
}

const types = (events: ActivityEvent[]) => events.map((e) => e.type);

beforeAll(async () => {
  server = await startTestServer();
}, 60_000);
afterAll(async () => {
  await server?.close();
});
beforeEach(async () => {
  online = true;
  asked = [];
  intercept = null;
  fakeBrowser.reset();
  await server.reset();
});
afterEach(async () => {
  for (const worker of workers.splice(0)) await worker.lock().catch(() => undefined);
});

describe('AccountActivity', () => {
  it("reads the account's own events newest first, marking this device's session", async () => {
    const { vault, activity } = device();
    await vault.register(SERVER, EMAIL, MASTER);
    const page = await activity.page();
    expect(types(page.events)).toEqual(['login.succeeded', 'account.created']);
    const [signedIn, created] = page.events;
    // No way to open sealed names given (devices.ts does it in the worker): never shown as they are.
    expect(signedIn?.device).toMatchObject({
      name: null,
      current: true,
      ended: false,
    });
    expect(created?.device).toBeNull();
    expect(signedIn && created && signedIn.seq > created.seq).toBe(true);
    expect(page.next).toBeNull();
    expect(asked.at(-1)).toBe(`/v1/activity?limit=${ACTIVITY_PAGE_SIZE}`);

    // Another account on another device sees its own two events, none of the first one's.
    fakeBrowser.reset();
    const other = device();
    await other.vault.register(SERVER, 'bob@example.test', MASTER);
    const theirs = await other.activity.page();
    expect(types(theirs.events)).toEqual(['login.succeeded', 'account.created']);
    expect(theirs.events[0]?.device?.sessionId).not.toBe(signedIn?.device?.sessionId);
  });

  it('pages back with `next` to the first event, each event once, and names other devices', async () => {
    const { vault, activity } = device();
    await vault.register(SERVER, EMAIL, MASTER);
    // Another device signs in and out ten times: twenty more events.
    const { authKey } = await session();
    // Its own DPoP key: the worker's stays the worker's.
    const laptop = api(SERVER, memoryDpopKeys());
    for (let i = 0; i < 10; i++) {
      const { accessToken } = await laptop.login({ email: EMAIL, authKey, deviceName: 'Work laptop' });
      await laptop.logout(accessToken);
    }

    const first = await activity.page();
    expect(first.events).toHaveLength(ACTIVITY_PAGE_SIZE);
    expect(first.next).not.toBeNull();
    expect(first.events[0]).toMatchObject({
      type: 'session.revoked',
      details: { reason: 'logout' },
      // The server keeps no readable name; without the vault key (devices.ts) none is shown.
      device: { name: null, current: false, ended: true },
    });
    const older = await activity.page(first.next ?? undefined);
    expect(asked.at(-1)).toBe(`/v1/activity?before=${first.next}&limit=${ACTIVITY_PAGE_SIZE}`);
    expect(older.next).toBeNull();
    const all = [...first.events, ...older.events];
    expect(all.map((e) => e.seq)).toEqual(Array.from({ length: 22 }, (_, i) => 22 - i));
    expect(types(all).slice(-2)).toEqual(['login.succeeded', 'account.created']);
    expect(all.at(-2)?.device).toMatchObject({ current: true, ended: false });
  });

  it('records a wrong master password the server saw as a failed sign-in without a device', async () => {
    const { vault, activity } = device();
    await vault.register(SERVER, EMAIL, MASTER);
    const wrongKey = Buffer.alloc(32, 7).toString('base64url');
    await expect(
      api(SERVER).login({ email: EMAIL, authKey: wrongKey, deviceName: 'x' }),
    ).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
    });
    const [failed] = (await activity.page()).events;
    expect(failed).toMatchObject({ type: 'login.failed', device: null, details: { reason: 'wrong-key' } });
  });

  it('shows an export this device recorded (ApiClient.recordExport), with its format and count', async () => {
    const { vault, activity } = device();
    await vault.register(SERVER, EMAIL, MASTER);
    const { accessToken } = await session();
    const reply = await api(SERVER).recordExport(accessToken, { format: 'keyhold', items: 120 });
    expect(asked.at(-1)).toBe('/v1/accounts/current/exports');
    const [exported] = (await activity.page()).events;
    expect(exported).toMatchObject({
      type: 'vault.exported',
      at: reply.recordedAt,
      device: { current: true, ended: false },
      details: { format: 'keyhold', items: 120 },
    });
    await expect(api(SERVER).recordExport(accessToken, { format: 'csv', items: -1 })).rejects.toMatchObject({
      name: 'ApiError',
      status: 400,
      serverCode: 'VALIDATION',
      serverField: 'items',
    });
  });

  it('renews a refused token once (SESSION_EXPIRED if that fails too); a session the server ended locks, never signs in again', async () => {
    const { vault, activity } = device();
    await vault.register(SERVER, EMAIL, MASTER);
    // A server that refuses every token: one retry with a renewed one, then a clear code.
    intercept = (path) =>
      path === '/v1/activity'
        ? new Response(JSON.stringify({ error: { code: 'INVALID_TOKEN', message: 'No.' } }), { status: 401 })
        : null;
    asked = [];
    await expect(activity.page()).rejects.toMatchObject({ name: 'VaultError', code: 'SESSION_EXPIRED' });
    expect(asked.filter((p) => p.startsWith('/v1/activity'))).toHaveLength(2);
    intercept = null;

    // The session ends on the server (logged out with a copy of its token): the token still looks
    // fresh to the worker. It is told why and locks; no new session is signed in behind the user.
    const before = await session();
    await api(SERVER).logout(before.accessToken);
    asked = [];
    await expect(activity.page()).rejects.toMatchObject({
      name: 'VaultError',
      code: 'SESSION_ENDED',
      detail: { endReason: 'logout' },
    });
    expect(asked).not.toContain('/v1/sessions');
    expect(await vault.isUnlocked()).toBe(false);
    expect(await deviceSessionItem.getValue()).toBeNull();
  });

  it('says the server cannot be reached, naming it, when offline', async () => {
    const { vault, activity } = device();
    await vault.register(SERVER, EMAIL, MASTER);
    online = false;
    await expect(activity.page()).rejects.toMatchObject({
      name: 'VaultError',
      code: 'SERVER_UNREACHABLE',
      detail: { serverUrl: SERVER },
    });
  });

  it('refuses a reply that is not an activity page', async () => {
    const { vault, activity } = device();
    await vault.register(SERVER, EMAIL, MASTER);
    intercept = (path) =>
      path === '/v1/activity'
        ? new Response(JSON.stringify({ events: [{ seq: 'one' }] }), { status: 200 })
        : null;
    await expect(activity.page()).rejects.toMatchObject({ name: 'VaultError', code: 'NOT_KEYHOLD' });
  });

  it('needs an unlocked vault: LOCKED when locked, NO_ACCOUNT without an account, and asks no server', async () => {
    const { vault, activity } = device();
    await expect(activity.page()).rejects.toMatchObject({ name: 'VaultError', code: 'NO_ACCOUNT' });
    await vault.register(SERVER, EMAIL, MASTER);
    await vault.lock();
    asked = [];
    await expect(activity.page()).rejects.toMatchObject({ name: 'VaultError', code: 'LOCKED' });
    expect(asked.filter((p) => p.startsWith('/v1/activity'))).toEqual([]);
  });
});
