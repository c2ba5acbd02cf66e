import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { startTestServer, type TestServer } from '../../server/test-support/in-process.ts';
import { type LoginFields, loginFields as newLogin } from '../messaging/item-schema.ts';
import { asLogin } from '../messaging/protocol.ts';
import { deviceSessionItem, syncErrorItem, vaultCacheItem } from '../storage/items.ts';
import { deviceSwitches, putVaultRecords, storageFull, vaultRecords } from '../test-support/vault-store.ts';
import { ApiClient } from './api-client.ts';
import { dpopAuthHeaders } from './dpop-key.ts';
import { VaultService } from './vault-service.ts';
import { readHead, shardOf } from './vault-store.ts';

/**
 * The service worker's vault against the real server app in-process (no port): two "devices"
 * are two storage snapshots swapped in and out of WXT's fake browser.
 */

const SERVER = 'http://keyhold.test';
const MASTER = 'orange-kettle-harbour-91';
const EMAIL = 'grace@example.test';
const fields = (title: string, password = 'pw-1'): LoginFields =>
  newLogin({
    title,
    username: 'grace',
    password,
    uris: [{ url: 'https://bank.example', match: 'domain' }],
    totp: '',
    notes: '',
  });

let server: TestServer;
let online = true;
/** Holds a request (by path) until the promise it returns settles; a rejection is the fetch's. */
let gate: ((path: string) => Promise<void> | undefined) | null = null;

const api = () =>
  new ApiClient(SERVER, async (input, init) => {
    if (!online) throw new TypeError('fetch failed');
    const request = new Request(input, init);
    await gate?.(new URL(request.url).pathname);
    return server.fetch(request);
  });

/** Every worker a test made: locked after the test, so none of its queued syncs writes into the next one. */
const workers: VaultService[] = [];
const newWorker = () => {
  const worker = new VaultService({ makeApi: api, now: () => new Date(), newId: () => crypto.randomUUID() });
  workers.push(worker);
  return worker;
};

/**
 * The worker restarted: the old one's queued work (the sync a save or an unlock started) ends
 * first. In the browser only one worker runs, and a stopped one never writes after the next one
 * has started; two live workers here would share one vault store and overwrite each other.
 */
async function restart(old: VaultService): Promise<VaultService> {
  await old.syncNow();
  return newWorker();
}

/** Device switches wait for every worker's queue (a sign-in seals after it answered). */
const { snapshot, restore: restoreSnapshot } = deviceSwitches(() => workers);

/** This device's session on the server, as the worker keeps it (local storage: it outlives a lock). */
async function deviceSession() {
  const s = await deviceSessionItem.getValue();
  if (!s) throw new Error('no device session');
  return s;
}

/** The device session an access token belongs to, as the account's activity names it. */
async function sessionIdOf(accessToken: string): Promise<string> {
  const res = await server.fetch(
    new Request(`${SERVER}/v1/activity?limit=100`, {
      headers: await dpopAuthHeaders('GET', `${SERVER}/v1/activity`, accessToken),
    }),
  );
  const page = (await res.json()) as { events: { device: { sessionId: string; current: boolean } | null }[] };
  const current = page.events.find((e) => e.device?.current)?.device?.sessionId;
  if (!current) throw new Error('token of no known session');
  return current;
}

/** How many sign-ins (new device sessions) the account's activity lists. */
async function signIns(): Promise<number> {
  const { accessToken } = await deviceSession();
  const res = await server.fetch(
    new Request(`${SERVER}/v1/activity?limit=100`, {
      headers: await dpopAuthHeaders('GET', `${SERVER}/v1/activity`, accessToken),
    }),
  );
  const page = (await res.json()) as { events: { type: string }[] };
  return page.events.filter((e) => e.type === 'login.succeeded').length;
}

/** Device A registers and syncs one item; returns A's storage and leaves a fresh device B in place. */
async function deviceAWithSyncedItem(title: string) {
  const a = newWorker();
  await a.register(SERVER, EMAIL, MASTER);
  const item = await a.items.saveItem(undefined, fields(title));
  await a.syncNow();
  const deviceA = await snapshot();
  fakeBrowser.reset();
  return { item, deviceA };
}

/**
 * Holds back the store's reads of the parts `holds` names until `release()`: as if they were still
 * being read (IndexedDB stays open meanwhile). `restore()` puts the real reads back.
 */
function holdReads(holds: (name: string) => boolean) {
  let release = () => {};
  const held = new Promise<void>((r) => {
    release = r;
  });
  const realGet = IDBObjectStore.prototype.get;
  const get = vi.spyOn(IDBObjectStore.prototype, 'get').mockImplementation(function (
    this: IDBObjectStore,
    query: IDBValidKey | IDBKeyRange,
  ) {
    const req = realGet.call(this, query);
    if (typeof query !== 'string' || !holds(query)) return req;
    // The request's success is delayed until released.
    const proxy = { onsuccess: null as (() => void) | null, onerror: null as (() => void) | null };
    req.onsuccess = () => void held.then(() => proxy.onsuccess?.());
    return new Proxy(req, {
      get: (target, prop) => (prop === 'result' ? target.result : Reflect.get(target, prop)),
      set: (_t, prop, value) => {
        if (prop === 'onsuccess' || prop === 'onerror') proxy[prop] = value;
        return true;
      },
    });
  });
  return {
    release: () => release(),
    restore: () => {
      release();
      get.mockRestore();
    },
  };
}

/** Whether `p` is still unsettled after 100 ms (a read it needs is held back). */
async function stillWaiting(p: Promise<unknown>): Promise<boolean> {
  const waiting = Symbol('waiting');
  const first = await Promise.race([
    p.then(
      () => 'settled',
      () => 'settled',
    ),
    new Promise((r) => setTimeout(() => r(waiting), 100)),
  ]);
  return first === waiting;
}

beforeAll(async () => {
  server = await startTestServer();
}, 120_000);
afterAll(async () => {
  await server?.close();
});
afterEach(async () => {
  // lock() waits for the worker's queue; after it, a late syncSoon finds the vault locked.
  for (const worker of workers.splice(0)) await worker.lock().catch(() => undefined);
});
beforeEach(async () => {
  online = true;
  gate = null;
  fakeBrowser.reset();
  await server.reset();
});

describe('VaultService', () => {
  it('registers, saves, survives a worker restart, locks and unlocks', async () => {
    const worker = newWorker();
    expect((await worker.state()).status).toBe('no-account');
    const state = await worker.register(SERVER, EMAIL, MASTER);
    expect(state).toMatchObject({ status: 'unlocked', email: EMAIL });

    const saved = await worker.items.saveItem(undefined, fields('Bank'));
    await worker.syncNow();
    expect((await worker.state()).sync).toMatchObject({ pending: 0, error: null });

    // The worker is killed and restarted: session storage still holds the key.
    const restarted = newWorker();
    expect((await restarted.state()).status).toBe('unlocked');
    expect(await restarted.items.getItem(saved.id)).toMatchObject(fields('Bank'));

    await restarted.lock();
    expect(await fakeBrowser.storage.session.get(null)).toEqual({});
    expect((await newWorker().state()).status).toBe('locked');
    await expect(restarted.listItems()).rejects.toMatchObject({ code: 'LOCKED' });

    await expect(restarted.unlock('wrong password')).rejects.toMatchObject({ code: 'WRONG_PASSWORD' });
    expect((await restarted.state()).status).toBe('locked');
    await restarted.unlock(MASTER);
    expect((await restarted.listItems()).map((i) => i.title)).toEqual(['Bank']);
  });

  it('carries an item to a second device and an edit back, without losing either', async () => {
    const { item, deviceA } = await deviceAWithSyncedItem('Mail');
    const b = newWorker();
    await expect(b.login(SERVER, EMAIL, 'not it')).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    await b.login(SERVER, EMAIL, MASTER);
    expect(await b.items.getItem(item.id)).toMatchObject(fields('Mail'));
    await b.items.saveItem(item.id, fields('Mail', 'pw-from-B'));
    await b.syncNow();
    const deviceB = await snapshot();

    await restoreSnapshot(deviceA);
    const a2 = newWorker();
    await a2.syncNow();
    expect(asLogin(await a2.items.getItem(item.id)).password).toBe('pw-from-B');

    // Both edit the same item while offline; B syncs first. The server's copy (B's) stays in
    // place and A's edit becomes a marked conflict copy: nothing is lost.
    online = false;
    await a2.items.saveItem(item.id, fields('Mail', 'pw-A-offline'));
    // Let the sync that saving queued fail while still offline, so it cannot fire after we reconnect.
    await a2.syncNow();
    const deviceA2 = await snapshot();
    await restoreSnapshot(deviceB);
    const b2 = newWorker();
    await b2.items.saveItem(item.id, fields('Mail', 'pw-B-offline'));
    await b2.syncNow();
    online = true;
    await b2.syncNow();
    await restoreSnapshot(deviceA2);
    const a3 = newWorker();
    await a3.syncNow();
    const list = await a3.listItems();
    expect(list).toHaveLength(2);
    const passwords = await Promise.all(
      list.map(async (i) => asLogin(await a3.items.getItem(i.id)).password),
    );
    expect(passwords.sort()).toEqual(['pw-A-offline', 'pw-B-offline']);
    expect(list.find((i) => i.conflict)).toBeDefined();
    expect(asLogin(await a3.items.getItem(item.id)).password).toBe('pw-B-offline');
  });

  it('merges edits of different fields made on two devices without a conflict copy', async () => {
    const { item, deviceA } = await deviceAWithSyncedItem('Forum');
    const b = newWorker();
    await b.login(SERVER, EMAIL, MASTER);
    online = false;
    await b.items.saveItem(item.id, { ...fields('Forum'), password: 'changed-on-B' });
    await b.syncNow();
    const deviceB = await snapshot();

    await restoreSnapshot(deviceA);
    const a2 = newWorker();
    await a2.items.saveItem(item.id, { ...fields('Forum'), title: 'Forum (renamed on A)' });
    online = true;
    await a2.syncNow();

    await restoreSnapshot(deviceB);
    const b2 = newWorker();
    await b2.syncNow();
    expect(await b2.listItems()).toHaveLength(1);
    expect(await b2.items.getItem(item.id)).toMatchObject({
      title: 'Forum (renamed on A)',
      password: 'changed-on-B',
    });

    await restoreSnapshot(deviceA);
    const a3 = newWorker();
    await a3.syncNow();
    expect(await a3.items.getItem(item.id)).toMatchObject({
      title: 'Forum (renamed on A)',
      password: 'changed-on-B',
    });
  });

  it('never lets a slow rebuild after a worker restart undo a lock or drop an edit', async () => {
    const first = newWorker();
    await first.register(SERVER, EMAIL, MASTER);
    await first.items.saveItem(undefined, fields('Kept'));

    // Restarted worker: the popup lists while auto-lock fires.
    const racing = await restart(first);
    const listing = racing.listItems().catch(() => null);
    await racing.lock();
    await listing;
    expect((await racing.state()).status).toBe('locked');
    await expect(racing.listItems()).rejects.toMatchObject({ code: 'LOCKED' });

    // Restarted worker: a save and a list race; both edits must survive.
    await racing.unlock(MASTER);
    const again = await restart(racing);
    const [saved] = await Promise.all([
      again.items.saveItem(undefined, fields('Also kept')),
      again.listItems(),
    ]);
    expect(saved.title).toBe('Also kept');
    const next = await restart(again);
    expect((await next.listItems()).map((i) => i.title)).toEqual(['Also kept', 'Kept']);
    // The whole vault, not only its list part, opens with the edit in it.
    expect(await next.items.getItem(saved.id)).toMatchObject(fields('Also kept'));
  });

  it('keeps the device session across lock and unlock (refreshed, not signed in again), ends it on logout', async () => {
    const worker = newWorker();
    await worker.register(SERVER, EMAIL, MASTER);
    const pullWith = async (token: string) =>
      server.fetch(
        new Request(`${SERVER}/v1/sync/changes?since=0`, {
          headers: await dpopAuthHeaders('GET', `${SERVER}/v1/sync/changes`, token),
        }),
      );

    const beforeLock = await deviceSession();
    expect((await pullWith(beforeLock.accessToken)).status).toBe(200);
    await worker.lock();
    // Locked: the keys are gone from session storage, the server session is not.
    expect(await fakeBrowser.storage.session.get(null)).toEqual({});
    expect(await deviceSession()).toEqual(beforeLock);
    expect((await pullWith(beforeLock.accessToken)).status).toBe(200);

    await worker.unlock(MASTER);
    // The unlock answers once the vault is open; its server part (the device session's refresh)
    // follows in the worker's queue, and a sync waits for it.
    await worker.syncNow();
    const afterUnlock = await deviceSession();
    // Unlock refreshed the same session: a new token pair, no new sign-in.
    expect(afterUnlock.refreshToken).not.toBe(beforeLock.refreshToken);
    expect(await sessionIdOf(afterUnlock.accessToken)).toBe(await sessionIdOf(beforeLock.accessToken));
    expect(await signIns()).toBe(1);

    expect(await worker.logout()).toMatchObject({ status: 'logged-out' });
    expect((await pullWith(afterUnlock.accessToken)).status).toBe(401);
    expect((await worker.state()).status).toBe('no-account');
    const local = await fakeBrowser.storage.local.get(null);
    expect(local).not.toHaveProperty('vault-cache');
    expect(await vaultRecords()).toEqual([]);
    expect(local).not.toHaveProperty('device-session');
  });

  it('ends the device session on logout while locked too', async () => {
    const worker = newWorker();
    await worker.register(SERVER, EMAIL, MASTER);
    const { accessToken } = await deviceSession();
    await worker.lock();
    expect(await worker.logout()).toMatchObject({ status: 'logged-out' });
    const pull = await server.fetch(
      new Request(`${SERVER}/v1/sync/changes?since=0`, {
        headers: await dpopAuthHeaders('GET', `${SERVER}/v1/sync/changes`, accessToken),
      }),
    );
    expect(pull.status).toBe(401);
    expect(await fakeBrowser.storage.local.get(null)).not.toHaveProperty('device-session');
  });

  it('signs in with the auth key at unlock only when the server ended the device session', async () => {
    const worker = newWorker();
    await worker.register(SERVER, EMAIL, MASTER);
    const before = await deviceSession();
    const endedSession = await sessionIdOf(before.accessToken);
    await worker.lock();
    // "Log out everywhere" from another device ends this one while it is locked.
    await server.fetch(
      new Request(`${SERVER}/v1/sessions/current`, {
        method: 'DELETE',
        headers: await dpopAuthHeaders('DELETE', `${SERVER}/v1/sessions/current`, before.accessToken),
      }),
    );
    await worker.unlock(MASTER);
    // The unlock answers once the vault is open; the device session's refresh follows it, and the
    // next sync waits for it.
    await worker.syncNow();
    expect((await worker.state()).sync.error).toBeNull();
    const after = await deviceSession();
    expect(await sessionIdOf(after.accessToken)).not.toBe(endedSession);
    expect(await signIns()).toBe(2);
  });

  it('skips a tampered item from the server without stalling sync', async () => {
    const a = newWorker();
    await a.register(SERVER, EMAIL, MASTER);
    const good = await a.items.saveItem(undefined, fields('Good'));
    const bad = await a.items.saveItem(undefined, fields('Bad'));
    await a.syncNow();
    const session = await deviceSession();
    // The server (or someone with its database) rewrites one item's ciphertext.
    const pulled = await (
      await server.fetch(
        new Request(`${SERVER}/v1/sync/changes?since=0`, {
          headers: await dpopAuthHeaders('GET', `${SERVER}/v1/sync/changes`, session.accessToken),
        }),
      )
    ).json();
    const original = pulled.items.find((i: { id: string }) => i.id === bad.id);
    const ct: string = original.ciphertext;
    const tampered = `${ct.slice(0, -4)}${ct.at(-4) === 'A' ? 'B' : 'A'}${ct.slice(-3)}`;
    const push = await server.fetch(
      new Request(`${SERVER}/v1/sync/push`, {
        method: 'POST',
        headers: {
          ...(await dpopAuthHeaders('POST', `${SERVER}/v1/sync/push`, session.accessToken)),
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          changes: [
            {
              id: bad.id,
              baseRevision: original.revision,
              deleted: false,
              keyVersion: 1,
              ciphertext: tampered,
            },
          ],
        }),
      }),
    );
    expect(push.status).toBe(200);

    fakeBrowser.reset();
    const b = newWorker();
    await b.login(SERVER, EMAIL, MASTER);
    expect((await b.state()).sync).toMatchObject({ error: null, unreadable: 1 });
    expect((await b.listItems()).map((i) => i.id)).toEqual([good.id]);
  });

  describe('never drops changes the server has not received', () => {
    /** The steps: unlock offline, add a login (pending), lock. */
    async function lockedWithOfflineEdit() {
      const worker = newWorker();
      await worker.register(SERVER, EMAIL, MASTER);
      await worker.items.saveItem(undefined, fields('Synced'));
      await worker.syncNow();
      await worker.lock();
      online = false;
      await worker.unlock(MASTER);
      await worker.items.saveItem(undefined, fields('Made offline'));
      await worker.lock();
      return worker;
    }

    it('refuses to log out while locked and says how many changes would be lost', async () => {
      const worker = await lockedWithOfflineEdit();
      const before = await snapshot();
      const refused = await worker.logout();
      expect(refused).toMatchObject({ status: 'unsynced', pending: 1, state: { status: 'locked' } });
      // Nothing was cleared: a fresh worker (the restarted browser) unlocks the same vault.
      expect(await snapshot()).toEqual(before);
      online = true;
      const again = newWorker();
      await again.unlock(MASTER);
      await again.syncNow();
      expect((await again.state()).sync.pending).toBe(0);
      await again.lock();
      expect(await again.logout()).toMatchObject({ status: 'logged-out', state: { status: 'no-account' } });
      await again.login(SERVER, EMAIL, MASTER);
      expect((await again.listItems()).map((i) => i.title)).toEqual(['Made offline', 'Synced']);
    });

    it('pushes first when unlocked, and logs out once the server has everything', async () => {
      const worker = newWorker();
      await worker.register(SERVER, EMAIL, MASTER);
      online = false;
      await worker.items.saveItem(undefined, fields('Pushed at logout'));
      online = true;
      expect(await worker.logout()).toMatchObject({ status: 'logged-out' });
      await worker.login(SERVER, EMAIL, MASTER);
      expect((await worker.listItems()).map((i) => i.title)).toEqual(['Pushed at logout']);
    });

    it('refuses while unlocked and offline too, and discards only when told to', async () => {
      const worker = newWorker();
      await worker.register(SERVER, EMAIL, MASTER);
      online = false;
      await worker.items.saveItem(undefined, fields('One'));
      await worker.items.saveItem(undefined, fields('Two'));
      expect(await worker.logout()).toMatchObject({ status: 'unsynced', pending: 2 });
      expect((await worker.state()).status).toBe('unlocked');
      expect(await worker.listItems()).toHaveLength(2);

      expect(await worker.logout(true)).toMatchObject({
        status: 'logged-out',
        state: { status: 'no-account' },
      });
      online = true;
      await worker.login(SERVER, EMAIL, MASTER);
      expect(await worker.listItems()).toEqual([]);
    });

    it('treats a cache written before the count existed as possibly holding changes', async () => {
      const worker = newWorker();
      await worker.register(SERVER, EMAIL, MASTER);
      await worker.lock();
      // The single-blob cache of an earlier release, from before the count existed.
      const head = await readHead();
      if (!head) throw new Error('no vault');
      await putVaultRecords([]);
      await vaultCacheItem.setValue({ accountId: head.accountId, sealed: 'k1.older' });
      expect(await worker.logout()).toMatchObject({ status: 'unsynced', pending: null });
    });

    it('refuses to sign another account in over one with unsynced changes', async () => {
      const worker = await lockedWithOfflineEdit();
      online = true;
      const before = await snapshot();
      await expect(worker.register(SERVER, 'someone-else@example.test', MASTER)).rejects.toMatchObject({
        code: 'UNSYNCED_CHANGES',
      });
      await expect(worker.login(SERVER, 'someone-else@example.test', MASTER)).rejects.toMatchObject({
        code: 'UNSYNCED_CHANGES',
      });
      expect(await snapshot()).toEqual(before);
    });
  });

  it('keeps offline edits pending and flushes them when the server is back', async () => {
    const worker = newWorker();
    await worker.register(SERVER, EMAIL, MASTER);
    online = false;
    await worker.items.saveItem(undefined, fields('Offline one'));
    await worker.syncNow();
    expect((await worker.state()).sync).toMatchObject({ pending: 1, error: 'SERVER_UNREACHABLE' });
    expect((await worker.listItems())[0]).toMatchObject({ title: 'Offline one', pending: true });

    // The server is back: the push channel's reconnect reports a revision we already have, and
    // that alone flushes what is pending.
    online = true;
    await worker.remoteRevision(0);
    expect((await worker.state()).sync).toMatchObject({ pending: 0, error: null });
    // Pushing again (e.g. the acknowledgement was lost) does not duplicate anything.
    await worker.syncNow();
    expect(await worker.listItems()).toHaveLength(1);
  });

  it('pages and filters the list in the worker, and sees each change at once', async () => {
    const worker = newWorker();
    await worker.register(SERVER, EMAIL, MASTER);
    online = false;
    for (const t of ['Zeta', 'alpha', 'Beta 10', 'Beta 9']) await worker.items.saveItem(undefined, fields(t));
    const mail = await worker.items.saveItem(undefined, {
      ...fields('Mail'),
      username: 'ada@mail.example',
      uris: [{ url: 'https://webmail.example.org', match: 'domain' }],
    });

    expect(await worker.items.listPage({ query: '', limit: 3, view: 'all', folder: '' })).toMatchObject({
      matching: 5,
      total: 5,
    });
    expect(
      (await worker.items.listPage({ query: '', limit: 3, view: 'all', folder: '' })).items.map(
        (i) => i.title,
      ),
    ).toEqual(['alpha', 'Beta 9', 'Beta 10']);
    // Title, username and website addresses are searched, case-insensitively.
    expect(
      (await worker.items.listPage({ query: 'BETA', limit: 10, view: 'all', folder: '' })).items.map(
        (i) => i.title,
      ),
    ).toEqual(['Beta 9', 'Beta 10']);
    expect(
      (await worker.items.listPage({ query: 'ada@', limit: 10, view: 'all', folder: '' })).items.map(
        (i) => i.id,
      ),
    ).toEqual([mail.id]);
    expect(
      (await worker.items.listPage({ query: 'webmail', limit: 10, view: 'all', folder: '' })).items.map(
        (i) => i.id,
      ),
    ).toEqual([mail.id]);
    expect(
      await worker.items.listPage({ query: 'nothing like it', limit: 10, view: 'all', folder: '' }),
    ).toEqual({
      items: [],
      matching: 0,
      total: 5,
      trashed: 0,
    });

    // The cached list follows every change.
    await worker.items.saveItem(mail.id, { ...fields('Aardvark mail'), username: 'ada@mail.example' });
    expect(
      (await worker.items.listPage({ query: '', limit: 1, view: 'all', folder: '' })).items[0],
    ).toMatchObject({
      title: 'Aardvark mail',
      pending: true,
    });
    await worker.items.deleteItem(mail.id);
    expect(await worker.items.listPage({ query: 'ada@', limit: 10, view: 'all', folder: '' })).toEqual({
      items: [],
      matching: 0,
      total: 4,
      trashed: 1,
    });
    // Deleting moved it to the trash: listed there, restorable, never filled.
    const trash = await worker.items.listPage({ query: 'ada@', limit: 10, view: 'trash', folder: '' });
    expect(trash.items.map((i) => i.id)).toEqual([mail.id]);
    expect((await worker.items.autofillLogins()).map((l) => l.id)).not.toContain(mail.id);
    await expect(worker.items.deleteForever((await worker.listItems())[0]?.id ?? '')).rejects.toMatchObject({
      code: 'NOT_IN_TRASH',
    });
    expect((await worker.items.restoreItem(mail.id)).trashedAt).toBeNull();
    expect((await worker.items.autofillLogins()).map((l) => l.id)).toContain(mail.id);
    await worker.items.deleteItem(mail.id);
    await worker.items.deleteForever(mail.id);
    await expect(worker.items.getItem(mail.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await worker.items.listPage({ query: '', limit: 10, view: 'trash', folder: '' })).toMatchObject({
      matching: 0,
      trashed: 0,
    });
  });

  it('keeps the replaced password with its date, newest first, and carries types, folders and favorites', async () => {
    const worker = newWorker();
    await worker.register(SERVER, EMAIL, MASTER);
    online = false;
    const item = await worker.items.saveItem(undefined, {
      ...fields('Bank', 'first'),
      folder: ' Money / Banks ',
    });
    expect(item.folder).toBe('Money/Banks');
    await worker.items.saveItem(item.id, { ...fields('Bank', 'second'), folder: 'Money/Banks' });
    const third = asLogin(
      await worker.items.saveItem(item.id, { ...fields('Bank', 'third'), folder: 'Money/Banks' }),
    );
    expect(third.passwordHistory.map((h) => h.password)).toEqual(['second', 'first']);
    // A title-only edit adds nothing to the history.
    const retitled = await worker.items.saveItem(item.id, {
      ...fields('Bank (old)', 'third'),
      folder: 'Money/Banks',
    });
    expect(retitled.passwordHistory).toHaveLength(2);

    const card = await worker.items.saveItem(undefined, {
      type: 'card',
      title: 'Visa',
      notes: '',
      folder: 'Money',
      favorite: true,
      customFields: [{ name: 'PIN', kind: 'hidden', value: '1234' }],
      cardholder: 'Grace Hopper',
      brand: 'Visa',
      number: '4111111111111111',
      expMonth: '12',
      expYear: '2099',
      code: '123',
    });
    expect(card).toMatchObject({ type: 'card', favorite: true, passwordHistory: [], trashedAt: null });
    const page = await worker.items.listPage({ query: '', limit: 10, view: 'all', folder: '' });
    // Favorites first; a card's second line is its last four digits, never the number.
    expect(page.items.map((i) => [i.title, i.subtitle])).toEqual([
      ['Visa', '•••• 1111'],
      ['Bank (old)', 'grace'],
    ]);
    expect(await worker.items.listFolders()).toEqual([
      { path: 'Money', count: 2 },
      { path: 'Money/Banks', count: 1 },
    ]);
    const banks = await worker.items.listPage({ query: '', limit: 10, view: 'all', folder: 'Money/Banks' });
    expect(banks.items.map((i) => i.id)).toEqual([item.id]);
    const favorites = await worker.items.listPage({ query: '', limit: 10, view: 'favorites', folder: '' });
    expect(favorites.items.map((i) => i.id)).toEqual([card.id]);
    // Only logins are offered to autofill.
    expect((await worker.items.autofillLogins()).map((l) => l.id)).toEqual([item.id]);
  });

  it('changes nothing and says so when the device storage is full', async () => {
    const worker = newWorker();
    await worker.register(SERVER, EMAIL, MASTER);
    const kept = await worker.items.saveItem(undefined, fields('Kept'));
    await worker.syncNow();
    const roomAgain = storageFull();

    await expect(worker.items.saveItem(undefined, fields('New'))).rejects.toMatchObject({
      code: 'STORAGE_FAILED',
    });
    await expect(worker.items.saveItem(kept.id, fields('Kept, renamed'))).rejects.toMatchObject({
      code: 'STORAGE_FAILED',
    });
    await expect(worker.items.deleteItem(kept.id)).rejects.toMatchObject({ code: 'STORAGE_FAILED' });
    // Memory and disk agree: the vault is exactly as before, nothing pending to push.
    expect(await worker.listItems()).toEqual([expect.objectContaining({ title: 'Kept', pending: false })]);
    expect((await worker.state()).sync.pending).toBe(0);

    roomAgain();
    await worker.items.saveItem(undefined, fields('New'));
    expect((await (await restart(worker)).listItems()).map((i) => i.title)).toEqual(['Kept', 'New']);
  });

  it('answers a sign-in with the pulled vault, seals it after; a seal that fails is reported and done again', async () => {
    const first = newWorker();
    await first.register(SERVER, EMAIL, MASTER);
    await first.items.saveItem(undefined, fields('On the server'));
    await first.syncNow();
    fakeBrowser.reset();

    // This device's vault store refuses writes (a full disk) while the sign-in pulls and seals.
    const put = IDBObjectStore.prototype.put;
    const full = vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (
      this: IDBObjectStore,
      ...args: Parameters<IDBObjectStore['put']>
    ) {
      if (this.name === 'vault') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return put.apply(this, args);
    });
    const worker = newWorker();
    try {
      const state = await worker.login(SERVER, EMAIL, MASTER);
      // The sign-in answered with the vault in memory: the seal was not part of it.
      expect(state.status).toBe('unlocked');
      expect(state.sync.error).toBeNull();
      expect((await worker.listItems()).map((i) => i.title)).toEqual(['On the server']);
      // The seal followed, failed, and says so to the state and to an open popup.
      await vi.waitFor(async () => expect(await syncErrorItem.getValue()).toBe('STORAGE_FAILED'));
      expect((await worker.state()).sync.error).toBe('STORAGE_FAILED');
      expect(await readHead()).toBeNull();
    } finally {
      full.mockRestore();
    }
    // Room again: the next sync seals it, though it pulled nothing new.
    expect((await worker.syncNow()).sync.error).toBeNull();
    expect(await readHead()).not.toBeNull();
    online = false;
    const restarted = await restart(worker);
    expect((await restarted.listItems()).map((i) => i.title)).toEqual(['On the server']);
  });

  it('after a worker restart, answers the list and state from the list part before the items are open', async () => {
    const worker = newWorker();
    await worker.register(SERVER, EMAIL, MASTER);
    // Offline: the four stay pending, so the count the list part carries is known.
    online = false;
    for (const t of ['Bank', 'Mail', 'Shop', 'Offline']) await worker.items.saveItem(undefined, fields(t));

    // Reading the item parts is held back: only the list parts can be read.
    const held = holdReads((name) => name.startsWith('items/'));
    const restarted = newWorker();
    try {
      const state = await restarted.state();
      expect(state).toMatchObject({ status: 'unlocked', sync: { pending: 4 } });
      expect((await restarted.listItems()).map((i) => i.title)).toEqual(['Bank', 'Mail', 'Offline', 'Shop']);
      // A search needs the list part, not the items.
      const found = await restarted.items.listPage({ query: 'sho', limit: 10, view: 'all', folder: '' });
      expect(found.items.map((i) => i.title)).toEqual(['Shop']);
      // An item's detail needs its part: it waits for the rest of the vault.
      const detail = restarted.items.getItem((await restarted.listItems())[0]?.id ?? '');
      expect(await stillWaiting(detail)).toBe(true);
      held.release();
      expect(asLogin(await detail).title).toBe('Bank');
    } finally {
      held.restore();
    }
    expect((await restarted.state()).sync.pending).toBe(4);
  });

  it("after a worker restart, answers the state and the popup's first page before even the list part is open", async () => {
    const worker = newWorker();
    await worker.register(SERVER, EMAIL, MASTER);
    online = false;
    for (const t of ['Bank', 'Mail', 'Shop']) await worker.items.saveItem(undefined, fields(t));
    await worker.items.deleteItem((await worker.listItems())[1]?.id ?? '');

    // The list part and the items are held back: only head, meta and the first page can be read.
    const held = holdReads((name) => name === 'index' || name.startsWith('items/'));
    const restarted = newWorker();
    try {
      expect(await restarted.state()).toMatchObject({ status: 'unlocked', sync: { pending: 3 } });
      const first = await restarted.items.listPage({ query: '', limit: 200, view: 'all', folder: '' });
      expect(first).toMatchObject({ matching: 2, total: 2, trashed: 1 });
      expect(first.items.map((i) => i.title)).toEqual(['Bank', 'Shop']);
      // Fewer rows than stored: cut. Any other page (a search, the trash, a folder) waits for the list.
      const one = await restarted.items.listPage({ query: ' ', limit: 1, view: 'all', folder: '' });
      expect(one.items.map((i) => i.title)).toEqual(['Bank']);
      const search = restarted.items.listPage({ query: 'sho', limit: 200, view: 'all', folder: '' });
      const trash = restarted.items.listPage({ query: '', limit: 200, view: 'trash', folder: '' });
      expect(await stillWaiting(search)).toBe(true);
      expect(await stillWaiting(trash)).toBe(true);
      held.release();
      expect((await search).items.map((i) => i.title)).toEqual(['Shop']);
      expect((await trash).items.map((i) => i.title)).toEqual(['Mail']);
    } finally {
      held.restore();
    }
    // Once open, the list is read from the vault itself: an edit shows at once.
    await restarted.items.saveItem(undefined, fields('Atlas'));
    expect((await restarted.listItems()).map((i) => i.title)).toEqual(['Atlas', 'Bank', 'Shop']);
  });

  it('after an unlock, answers the first page from the stored one until the list changes', async () => {
    const worker = newWorker();
    await worker.register(SERVER, EMAIL, MASTER);
    for (const t of ['Bank', 'Mail', 'Shop']) await worker.items.saveItem(undefined, fields(t));
    await worker.syncNow();
    await worker.lock();

    const gets = vi.spyOn(IDBObjectStore.prototype, 'get');
    await worker.unlock(MASTER);
    const first = await worker.items.listPage({ query: '', limit: 200, view: 'all', folder: '' });
    expect(gets.mock.calls.map(([name]) => name)).toContain('first');
    gets.mockRestore();
    expect(first).toMatchObject({ matching: 3, total: 3, trashed: 0 });
    expect(first.items.map((i) => i.title)).toEqual(['Bank', 'Mail', 'Shop']);
    expect(await worker.items.listPage({ query: 'ma', limit: 200, view: 'all', folder: '' })).toMatchObject({
      matching: 1,
    });
    // After an edit (or a sync that changes the list: the same `changed`) the page follows at once.
    await worker.lock();
    await worker.unlock(MASTER);
    await worker.items.saveItem(undefined, fields('Atlas'));
    expect((await worker.listItems()).map((i) => i.title)).toEqual(['Atlas', 'Bank', 'Mail', 'Shop']);
  });

  it('reads the sealed vault ahead while the locked popup is shown, and the unlock opens that read', async () => {
    const worker = newWorker();
    await worker.register(SERVER, EMAIL, MASTER);
    for (const t of ['Bank', 'Mail']) await worker.items.saveItem(undefined, fields(t));
    await worker.syncNow();
    await worker.lock();
    // Locking reads nothing ahead; the popup asking for the state to show does.
    const gets = vi.spyOn(IDBObjectStore.prototype, 'get');
    await worker.state();
    expect(gets.mock.calls.map(([name]) => name)).not.toContain('items/0');
    expect((await worker.shownState()).status).toBe('locked');
    await vi.waitFor(() => expect(gets.mock.calls.map(([name]) => name)).toContain('items/0'));
    gets.mockRestore();
    // The item parts leave the disk after the read ahead: the unlock needs only the head from it.
    const records = await vaultRecords();
    await putVaultRecords(records.filter(([name]) => !String(name).startsWith('items/')));
    online = false;
    await worker.unlock(MASTER);
    expect((await worker.listItems()).map((i) => i.title)).toEqual(['Bank', 'Mail']);
    // Taken once: the next unlock reads the disk again (and a missing part is refused as before).
    await worker.lock();
    await expect(worker.unlock(MASTER)).rejects.toMatchObject({ code: 'CORRUPT_DATA' });
    await putVaultRecords(records);
    await worker.unlock(MASTER);
    expect((await worker.listItems()).map((i) => i.title)).toEqual(['Bank', 'Mail']);
  });

  it('does not re-seal the vault for a sync that changed nothing (offline, edits pending)', async () => {
    const worker = newWorker();
    await worker.register(SERVER, EMAIL, MASTER);
    online = false;
    await worker.items.saveItem(undefined, fields('Pending'));
    const commit = (await readHead())?.commit;
    expect((await worker.syncNow()).sync).toMatchObject({ pending: 1, error: 'SERVER_UNREACHABLE' });
    expect((await readHead())?.commit).toBe(commit);
    // Back online, the push is acknowledged: that is written.
    online = true;
    expect((await worker.syncNow()).sync).toMatchObject({ pending: 0, error: null });
    expect((await readHead())?.commit).not.toBe(commit);
    expect((await readHead())?.pending).toBe(0);
  });

  it("answers an unlock once the vault is open; the device session's refresh follows it", async () => {
    const worker = newWorker();
    await worker.register(SERVER, EMAIL, MASTER);
    await worker.items.saveItem(undefined, fields('Mail'));
    await worker.syncNow();
    await worker.lock();
    const before = (await deviceSession()).refreshToken;
    let release = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    let asked = false;
    gate = (path) => {
      if (path !== '/v1/sessions/refresh') return undefined;
      asked = true;
      return held;
    };
    // The server has not answered the refresh: the vault is open and listed all the same.
    const state = await worker.unlock(MASTER);
    expect(asked).toBe(true);
    expect(state).toMatchObject({ status: 'unlocked', sync: { error: null } });
    expect((await worker.listItems()).map((i) => i.title)).toEqual(['Mail']);
    expect((await deviceSession()).refreshToken).toBe(before);
    // Then it answers: the session is refreshed, and the sync the unlock started runs after it.
    release();
    await worker.syncNow();
    expect((await deviceSession()).refreshToken).not.toBe(before);
    expect((await worker.state()).sync).toMatchObject({ error: null, pending: 0 });
  });

  it('reports a refresh that fails after the unlock answered to the state and to an open popup', async () => {
    const worker = newWorker();
    await worker.register(SERVER, EMAIL, MASTER);
    await worker.lock();
    let fail = (_e: Error) => {};
    const held = new Promise<void>((_resolve, reject) => {
      fail = reject;
    });
    gate = (path) => (path === '/v1/sessions/refresh' ? held : undefined);
    const errors: (string | null)[] = [];
    const stop = syncErrorItem.watch((e) => errors.push(e));
    expect((await worker.unlock(MASTER)).sync.error).toBeNull();
    // The connection drops before the server answers.
    online = false;
    fail(new TypeError('fetch failed'));
    // The password's age (unlock-upkeep.ts) waits for the unlock's server part: so does this.
    await worker.passwordReminder();
    expect((await worker.state()).sync.error).toBe('SERVER_UNREACHABLE');
    await vi.waitFor(() => expect(errors).toEqual(['SERVER_UNREACHABLE']));
    expect(await syncErrorItem.getValue()).toBe('SERVER_UNREACHABLE');
    // Back online, a sync clears it, and the popup hears of that too.
    online = true;
    gate = null;
    await worker.syncNow();
    expect((await worker.state()).sync.error).toBeNull();
    await vi.waitFor(() => expect(errors).toEqual(['SERVER_UNREACHABLE', null]));
    stop();
  });

  it('unlocks offline from the local cache', async () => {
    const worker = newWorker();
    await worker.register(SERVER, EMAIL, MASTER);
    await worker.items.saveItem(undefined, fields('Cached'));
    await worker.syncNow();
    await worker.lock();
    online = false;
    const state = await worker.unlock(MASTER);
    expect(state.status).toBe('unlocked');
    expect((await worker.listItems()).map((i) => i.title)).toEqual(['Cached']);
  });

  it('signs in again when the server returns after an offline unlock, or refuses a token', async () => {
    const worker = newWorker();
    await worker.register(SERVER, EMAIL, MASTER);
    await worker.lock();
    online = false;
    await worker.unlock(MASTER);
    await worker.items.saveItem(undefined, fields('Made offline'));
    expect((await worker.state()).sync).toMatchObject({ pending: 1, error: 'SERVER_UNREACHABLE' });

    online = true;
    await worker.syncNow();
    expect((await worker.state()).sync).toMatchObject({ pending: 0, error: null });

    // The server ends the session behind our back (e.g. "log out everywhere"): the next sync signs in anew.
    const token = (await deviceSession()).accessToken;
    await server.fetch(
      new Request(`${SERVER}/v1/sessions/current`, {
        method: 'DELETE',
        headers: await dpopAuthHeaders('DELETE', `${SERVER}/v1/sessions/current`, token),
      }),
    );
    await worker.items.saveItem(undefined, fields('After revocation'));
    await worker.syncNow();
    expect((await worker.state()).sync).toMatchObject({ pending: 0, error: null });
  });

  it('reports a tampered local cache instead of showing partial data', async () => {
    const worker = newWorker();
    await worker.register(SERVER, EMAIL, MASTER);
    const { id } = await worker.items.saveItem(undefined, fields('Secret'));
    await worker.lock();
    // One byte of the part holding the item flipped: the list part alone would still open.
    const part = `items/${shardOf(id)}`;
    const records = await vaultRecords();
    await putVaultRecords(
      records.map(([k, v]) => {
        if (k !== part || !(v instanceof Uint8Array)) return [k, v];
        const flipped = v.slice();
        flipped[60] = (flipped[60] as number) ^ 1;
        return [k, flipped];
      }),
    );
    await expect(worker.unlock(MASTER)).rejects.toMatchObject({ code: 'CORRUPT_DATA' });
  });

  it('refuses a second account with the same email', async () => {
    await newWorker().register(SERVER, EMAIL, MASTER);
    fakeBrowser.reset();
    await expect(newWorker().register(SERVER, EMAIL, MASTER)).rejects.toMatchObject({
      code: 'ACCOUNT_EXISTS',
    });
  });

  it('says the server is unreachable when it is', async () => {
    online = false;
    await expect(newWorker().register(SERVER, EMAIL, MASTER)).rejects.toMatchObject({
      code: 'SERVER_UNREACHABLE',
    });
    expect((await newWorker().state()).status).toBe('no-account');
  });
});
