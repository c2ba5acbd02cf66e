import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { startTestServer, type TestServer } from '../../server/test-support/in-process.ts';
import { deviceSessionItem, signInNoticeItem, unlockSessionItem } from '../storage/items.ts';
import { AccountActivity } from './account-activity.ts';
import { ApiClient, ApiError } from './api-client.ts';
import { Devices, unnamedDevice } from './devices.ts';
import { type DpopKeys, memoryDpopKeys } from './dpop-key.ts';
import { VaultService } from './vault-service.ts';

/**
 * Devices against the real server in-process: this device's name sealed and opened with the vault
 * key, the list with this device marked, a rename, a name the server moved to another session, the
 * new sign-in notice, remote logout, and the activity's device names.
 */

const SERVER = 'http://keyhold.test';
const MASTER = 'copper-lichen-window-58';
const EMAIL = 'ada@example.test';
const BROWSER = 'Chrome on Linux';

let server: TestServer;
const api = (baseUrl: string, dpopKeys?: DpopKeys) =>
  new ApiClient(baseUrl, async (input, init) => server.fetch(new Request(input, init)), undefined, dpopKeys);

const workers: VaultService[] = [];
async function signedIn() {
  const vault = new VaultService({ makeApi: api, now: () => new Date(), newId: () => crypto.randomUUID() });
  workers.push(vault);
  await vault.register(SERVER, EMAIL, MASTER);
  const devices = new Devices(vault, () => BROWSER);
  return { vault, devices };
}

/** Another device of the account, signing in with the auth key as it would. */
async function laptop() {
  const s = await unlockSessionItem.getValue();
  if (!s) throw new Error('locked');
  // Its own DPoP key, as another device holds one: the worker's stays the worker's.
  const client = api(SERVER, memoryDpopKeys());
  const reply = await client.login({ email: EMAIL, authKey: s.authKey });
  return { client, ...reply };
}

beforeAll(async () => {
  server = await startTestServer();
}, 60_000);
afterAll(async () => {
  await server?.close();
});
beforeEach(async () => {
  fakeBrowser.reset();
  await server.reset();
});
afterEach(async () => {
  for (const worker of workers.splice(0)) await worker.lock().catch(() => undefined);
});

describe('Devices', () => {
  it('names this device with its sealed name and lists it, marked; a rename is sealed too', async () => {
    const { devices } = await signedIn();
    const own = (await deviceSessionItem.getValue())?.sessionId;
    expect(own).toMatch(/^[0-9a-f-]{36}$/);
    await devices.ensureName();
    const list = await devices.list();
    expect(list).toMatchObject({ label: '', browser: BROWSER });
    expect(list.devices).toEqual([
      expect.objectContaining({ id: own, name: BROWSER, current: true, createdIp: null }),
    ]);

    const renamed = await devices.rename('  Work   laptop ');
    expect(renamed.label).toBe('Work laptop');
    expect(renamed.devices[0]?.name).toBe('Work laptop (Chrome on Linux)');
    // The server holds only the envelope.
    const l = await laptop();
    const { sessions } = await l.client.deviceSessions(l.accessToken);
    const stored = sessions.find((s) => s.id === own)?.name ?? '';
    expect(stored).toMatch(/^k1\./);
    expect(stored).not.toContain('Work');
  });

  it('shows a name the server moved from another session as "Unnamed device"', async () => {
    const { devices } = await signedIn();
    await devices.rename('Work laptop');
    const l = await laptop();
    const { sessions } = await l.client.deviceSessions(l.accessToken);
    const mine = sessions.find((s) => !s.current);
    // The laptop stores this device's sealed name as its own (what a dishonest server could do).
    await l.client.nameDeviceSession(l.accessToken, mine?.name ?? '');
    const list = await devices.list();
    expect(list.devices.map((d) => [d.current, d.name])).toEqual([
      [true, 'Work laptop (Chrome on Linux)'],
      [false, unnamedDevice()],
    ]);
  });

  it('keeps a notice of another device signing in, never of its own session; dismissed, it goes', async () => {
    const { devices } = await signedIn();
    const own = (await deviceSessionItem.getValue())?.sessionId ?? '';
    await devices.sessionEvent({ sessionId: own, kind: 'signed-in' });
    expect(await devices.notice()).toBeNull();

    const l = await laptop();
    // A name set for a session with no notice shown is no news.
    await devices.sessionEvent({ sessionId: l.sessionId, kind: 'named' });
    expect(await devices.notice()).toBeNull();
    await devices.sessionEvent({ sessionId: l.sessionId, kind: 'signed-in' });
    const notice = await devices.notice();
    expect(notice).toMatchObject({ sessionId: l.sessionId, name: unnamedDevice(), ip: null });
    // Stored sealed (or null), never as a readable name.
    expect((await signInNoticeItem.getValue())?.name ?? null).toBeNull();

    // An unknown session (already gone) leaves nothing.
    await devices.dismissNotice();
    await devices.sessionEvent({ sessionId: crypto.randomUUID(), kind: 'signed-in' });
    expect(await devices.notice()).toBeNull();
  });

  it('logs another device out: its next refresh is refused with the reason; "all others" ends the rest', async () => {
    const { devices } = await signedIn();
    const [one, two] = [await laptop(), await laptop()];
    const after = await devices.logOut(one.sessionId);
    expect(after.devices.map((d) => d.id)).not.toContain(one.sessionId);
    await expect(one.client.refresh(one.refreshToken)).rejects.toMatchObject({
      code: 'SESSION_ENDED',
      detail: { endReason: 'remote-logout' },
    });
    const { ended, devices: left } = await devices.logOutOthers();
    expect(ended).toBe(1);
    expect(left.map((d) => d.current)).toEqual([true]);
    const refused = await two.client.refresh(two.refreshToken).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).detail.endReason).toBe('others-logged-out');
  });

  it('opens the device names of the account activity', async () => {
    const { vault, devices } = await signedIn();
    await devices.rename('Desk');
    const activity = new AccountActivity(vault, api, (page) => devices.nameActivity(page));
    const { events } = await activity.page();
    const signIn = events.find((e) => e.type === 'login.succeeded');
    expect(signIn?.device).toMatchObject({ name: 'Desk (Chrome on Linux)', current: true });
  });
});
