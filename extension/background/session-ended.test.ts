import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { startTestServer, type TestServer } from '../../server/test-support/in-process.ts';
import { loginFields } from '../messaging/item-schema.ts';
import { deviceSessionItem, sessionEndedItem, unlockSessionItem } from '../storage/items.ts';
import { ApiClient } from './api-client.ts';
import { createHandlers, dispatch } from './handlers.ts';
import { endPolicy } from './session-ended.ts';
import { VaultService } from './vault-service.ts';
import { readHead } from './vault-store.ts';

/**
 * A session the server ended (401 SESSION_ENDED with a reason): the device does not sign itself in
 * again with the auth key it holds; it forgets the session, locks and keeps its sealed cache and
 * unsynced edits; the master password typed again signs in and pushes them. Against the real
 * server in-process; the server's SESSION_ENDED answer is played by `ended` (any reason).
 */

const SERVER = 'http://keyhold.test';
const MASTER = 'copper-lichen-window-58';
const EMAIL = 'ada@example.test';

let server: TestServer;
let online = true;
/** Requests the worker sent, as `METHOD /path`. */
let asked: string[] = [];
/** When set: every authenticated request and refresh answers 401 SESSION_ENDED with this reason. */
let ended: string | null = null;
/** When set: only the refresh answers 401 SESSION_ENDED with this reason. */
let refreshEnded: string | null = null;

const sessionEnded = (reason: string) =>
  new Response(
    JSON.stringify({ error: { code: 'SESSION_ENDED', message: 'This device session has ended.', reason } }),
    { status: 401, headers: { 'content-type': 'application/json' } },
  );

const api = (baseUrl: string) =>
  new ApiClient(baseUrl, async (input, init) => {
    if (!online) throw new TypeError('fetch failed');
    const request = new Request(input, init);
    const { pathname } = new URL(request.url);
    asked.push(`${request.method} ${pathname}`);
    const authenticated = request.headers.has('authorization') || pathname === '/v1/sessions/refresh';
    if (ended && authenticated) return sessionEnded(ended);
    if (refreshEnded && pathname === '/v1/sessions/refresh') return sessionEnded(refreshEnded);
    return server.fetch(request);
  });

const workers: VaultService[] = [];
function device() {
  const vault = new VaultService({ makeApi: api, now: () => new Date(), newId: () => crypto.randomUUID() });
  workers.push(vault);
  return vault;
}

const logins = () => asked.filter((r) => r === 'POST /v1/sessions').length;
const fields = (title: string) =>
  loginFields({ title, username: 'ada', password: 'pw', uris: [], notes: '', totp: '' });

beforeAll(async () => {
  server = await startTestServer();
}, 60_000);
afterAll(async () => {
  await server?.close();
});
beforeEach(async () => {
  online = true;
  asked = [];
  ended = null;
  refreshEnded = null;
  fakeBrowser.reset();
  await server.reset();
});
afterEach(async () => {
  for (const worker of workers.splice(0)) await worker.lock().catch(() => undefined);
});

/** A device with one edit the server has not seen, and a device session whose access token is renewed next. */
async function deviceWithUnsyncedEdit() {
  const vault = device();
  await vault.register(SERVER, EMAIL, MASTER);
  online = false;
  await vault.items.saveItem(undefined, fields('Made offline'));
  // The sync the edit queued runs (and fails) while offline.
  await vault.syncNow();
  online = true;
  expect((await vault.state()).sync.pending).toBe(1);
  return vault;
}

describe('endPolicy', () => {
  it('signs out for a remote logout, the limits and unknown reasons; asks a new password after one changed; follows a rotation', () => {
    for (const r of [
      'remote-logout',
      'others-logged-out',
      'idle',
      'absolute',
      'session-cap',
      'refresh-reuse',
      'operator',
    ])
      expect(endPolicy(r), r).toBe('sign-out');
    expect(endPolicy('something-new')).toBe('sign-out');
    expect(endPolicy(undefined)).toBe('sign-out');
    for (const r of ['password-change', 'recovery', 'vault-reset', 'account-deleted'])
      expect(endPolicy(r), r).toBe('new-password');
    expect(endPolicy('key-rotation')).toBe('follow');
  });
});

describe('a session the server ended', () => {
  it('is not signed in again behind the user: the vault locks, the cache and its unsynced edit stay', async () => {
    const vault = await deviceWithUnsyncedEdit();
    const before = logins();
    ended = 'remote-logout';
    const state = await vault.syncNow();

    expect(state.status).toBe('locked');
    expect(logins()).toBe(before);
    expect(await deviceSessionItem.getValue()).toBeNull();
    expect(await unlockSessionItem.getValue()).toBeNull();
    expect(await sessionEndedItem.getValue()).toMatchObject({ reason: 'remote-logout', pending: 1 });
    expect((await readHead())?.pending).toBe(1);
    // The push channel asks too: nothing to listen with, nothing sent.
    expect(await vault.channelAuth(true)).toBeNull();
    expect(logins()).toBe(before);
  });

  it('says why in the reply of whatever ran into it', async () => {
    const vault = await deviceWithUnsyncedEdit();
    ended = 'session-cap';
    const handlers = createHandlers(
      vault,
      { clear: () => undefined } as never,
      {} as never,
      {} as never,
      {} as never,
    );
    await dispatch(handlers, { name: 'syncNow', request: {} });
    const reply = await dispatch(handlers, { name: 'listItems', request: {} });
    expect(reply).toMatchObject({ ok: false, code: 'LOCKED' });
    const record = await sessionEndedItem.getValue();
    expect(record?.reason).toBe('session-cap');
  });

  it('signs in again once the master password is typed; the unsynced edit is pushed and the notice goes', async () => {
    const vault = await deviceWithUnsyncedEdit();
    ended = 'remote-logout';
    await vault.syncNow();
    ended = null;
    const before = logins();
    const handlers = createHandlers(
      vault,
      { clear: () => undefined } as never,
      {} as never,
      {} as never,
      {} as never,
    );
    const reply = await dispatch(handlers, { name: 'unlock', request: { password: MASTER } });
    expect(reply).toMatchObject({ ok: true, value: { status: 'unlocked' } });
    expect(logins()).toBe(before + 1);
    const synced = await vault.syncNow();
    expect(synced.sync).toMatchObject({ pending: 0, error: null });
    expect(await sessionEndedItem.getValue()).toBeNull();
    // The edit reached the server: a second device sees it.
    fakeBrowser.reset();
    const other = device();
    await other.login(SERVER, EMAIL, MASTER);
    expect((await other.listItems()).map((i) => i.title)).toEqual(['Made offline']);
  });

  it('after a password change elsewhere: asks for the new password, never sends the old auth key, stays open', async () => {
    const vault = await deviceWithUnsyncedEdit();
    const before = logins();
    ended = 'password-change';
    const state = await vault.syncNow();
    expect(state.status).toBe('unlocked');
    expect(state.sync.error).toBe('PASSWORD_CHANGED_ELSEWHERE');
    await vault.syncNow();
    expect(logins()).toBe(before);
    // Explained by the "Log in again" form, not by the unlock screen.
    expect(await sessionEndedItem.getValue()).toBeNull();
  });

  it('after a key rotation elsewhere: follows it by signing in again (nobody asked to sign it out)', async () => {
    const vault = await deviceWithUnsyncedEdit();
    const before = logins();
    refreshEnded = 'key-rotation';
    const auth = await vault.channelAuth(true);
    refreshEnded = null;
    expect(auth?.accessToken).toBeTruthy();
    expect(logins()).toBe(before + 1);
    expect(await sessionEndedItem.getValue()).toBeNull();
    expect((await vault.state()).status).toBe('unlocked');
  });

  it('a locked device learns it too, without signing in (vault reset is then not offered)', async () => {
    const vault = await deviceWithUnsyncedEdit();
    await vault.lock();
    ended = 'idle';
    const before = logins();
    const handlers = createHandlers(
      vault,
      { clear: () => undefined } as never,
      {} as never,
      {} as never,
      {} as never,
    );
    const reply = await dispatch(handlers, { name: 'vaultResetAvailable', request: {} });
    expect(reply).toEqual({ ok: true, value: { available: false } });
    expect(logins()).toBe(before);
    expect(await sessionEndedItem.getValue()).toMatchObject({ reason: 'idle', pending: 1 });
  });
});
