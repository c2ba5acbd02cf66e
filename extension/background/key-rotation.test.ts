import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { startTestServer, type TestServer } from '../../server/test-support/in-process.ts';
import {
  fromBase64Url,
  generateKeyBytes,
  importSymmetricKey,
  toBase64Url,
} from '../../shared-crypto/index.ts';
import { type LoginFields, loginFields as newLogin } from '../messaging/item-schema.ts';
import { asLogin } from '../messaging/protocol.ts';
import { accountItem, unlockSessionItem } from '../storage/items.ts';
import { deviceSwitches, putVaultRecords, vaultRecords } from '../test-support/vault-store.ts';
import { ApiClient } from './api-client.ts';
import { memoryDpopKeys } from './dpop-key.ts';
import { decryptItem } from './item-crypto.ts';
import { pushDirty, type SyncContext } from './sync-engine.ts';
import { applyEdit, emptyVault } from './vault-data.ts';
import { VaultKeys } from './vault-keys.ts';
import { VaultService } from './vault-service.ts';
import { openAll, readHead } from './vault-store.ts';

/**
 * Key rotation against the real server app in-process (see vault-service.test.ts): two "devices"
 * are storage snapshots of WXT's fake browser; a "killed worker" is a VaultService dropped
 * mid-rotation (its session storage stays, as in a browser) and a new one started.
 */

const SERVER = 'http://keyhold.test';
const MASTER = 'orange-kettle-harbour-91';
const EMAIL = 'ada@example.test';
const ITEMS = 12;
const fields = (title: string, password = `pw-${title}`): LoginFields =>
  newLogin({
    title,
    username: 'ada',
    password,
    uris: [{ url: 'https://bank.example', match: 'domain' }],
    totp: '',
    notes: '',
  });

type Interrupt = 'before' | 'after' | undefined;

let server: TestServer;
let online = true;
/**
 * Decides, per request of the device under test, whether the "network" fails it: `before` it
 * reaches the server, or `after` (the server applied it and the answer is lost).
 */
let interrupt: (method: string, path: string) => Interrupt = () => undefined;
/** Runs once a request of the device under test has been answered (to let another device act). */
let afterRequest: (method: string, path: string) => Promise<void> = async () => undefined;

const api = () =>
  new ApiClient(SERVER, async (input, init) => {
    if (!online) throw new TypeError('fetch failed');
    const request = new Request(input, init);
    const { pathname } = new URL(request.url);
    const fate = interrupt(request.method, pathname);
    if (fate === 'before') throw new TypeError('fetch failed');
    const answer = await server.fetch(request);
    if (fate === 'after') throw new TypeError('fetch failed');
    await afterRequest(request.method, pathname);
    return answer;
  });

/** Another client of the same account, straight to the server (no interruptions, no storage). */
const direct = () =>
  new ApiClient(SERVER, (input, init) => server.fetch(new Request(input, init)), undefined, memoryDpopKeys());

const workers: VaultService[] = [];
const newWorker = () => {
  const worker = new VaultService({ makeApi: api, now: () => new Date(), newId: () => crypto.randomUUID() });
  workers.push(worker);
  return worker;
};

/** Device switches wait for every worker's queue (a sign-in seals after it answered). */
const { snapshot, restore: restoreSnapshot } = deviceSwitches(() => workers);

/** The account's items and keys as the server holds them (a fresh session of the same account). */
async function serverView() {
  const session = await unlockSessionItem.getValue();
  const authKey = session?.authKey ?? serverAuthKey;
  const client = direct();
  const { accessToken } = await client.login({ email: EMAIL, authKey, deviceName: 'test' });
  const items = [];
  for (let since = 0; ; ) {
    const page = await client.pull(accessToken, since);
    items.push(...page.items);
    const last = page.items.at(-1);
    if (!page.hasMore || !last) break;
    since = last.revision;
  }
  const keys = await client.accountKeys(accessToken);
  await client.logout(accessToken);
  return { items: items.filter((i) => !i.deleted), keys };
}
let serverAuthKey = '';

/** Device A: registered, ITEMS logins synced. */
async function deviceWithItems() {
  const a = newWorker();
  await a.register(SERVER, EMAIL, MASTER);
  for (let n = 0; n < ITEMS; n++)
    await a.items.saveItem(undefined, fields(`Login ${String(n).padStart(2, '0')}`));
  await a.syncNow();
  expect((await a.state()).sync).toMatchObject({ pending: 0, error: null });
  serverAuthKey = (await unlockSessionItem.getValue())?.authKey ?? '';
  return a;
}

/** Every login the worker shows, with its password: what "nothing lost or duplicated" compares. */
async function contents(worker: VaultService) {
  const list = await worker.listItems();
  const out = await Promise.all(
    list.map(async (i) => [i.title, asLogin(await worker.items.getItem(i.id)).password]),
  );
  return out.sort();
}
const expected = Array.from({ length: ITEMS }, (_, n) => {
  const title = `Login ${String(n).padStart(2, '0')}`;
  return [title, `pw-${title}`];
});

/** The sealed body half of each server ciphertext, by item id. */
const bodies = (items: { id: string; ciphertext: string | null }[]) =>
  Object.fromEntries(items.map((i) => [i.id, i.ciphertext?.split('~')[1]]));

async function expectRotatedTo(version: number) {
  const view = await serverView();
  expect(view.keys).toMatchObject({ keyVersion: version, rotation: null });
  expect(view.items).toHaveLength(ITEMS);
  expect(view.items.every((i) => i.keyVersion === version)).toBe(true);
  const account = await accountItem.getValue();
  expect(account).toMatchObject({
    keyVersion: version,
    rotation: null,
    wrappedVaultKey: view.keys.wrappedVaultKey,
  });
  expect(Object.keys((await unlockSessionItem.getValue())?.vaultKeys ?? {})).toEqual([String(version)]);
  expect((await readHead())?.keyVersion).toBe(version);
  return view;
}

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});
afterEach(async () => {
  interrupt = () => undefined;
  afterRequest = async () => undefined;
  for (const worker of workers.splice(0)) await worker.lock().catch(() => undefined);
});
beforeEach(async () => {
  online = true;
  fakeBrowser.reset();
  await server.reset();
});

describe('key rotation', () => {
  it('re-wraps every item key under version 2, bodies untouched, and the server makes it current', async () => {
    const a = await deviceWithItems();
    const before = await serverView();
    expect(before.keys.keyVersion).toBe(1);

    const result = await a.rotateVaultKey(MASTER);
    expect(result).toMatchObject({ keyVersion: 2, recoveryKeyCleared: false, state: { status: 'unlocked' } });

    const after = await expectRotatedTo(2);
    expect(bodies(after.items)).toEqual(bodies(before.items));
    expect(after.keys.wrappedVaultKey).not.toBe(before.keys.wrappedVaultKey);
    // The local copies took the re-wrapped revisions, so the next pull decrypts none of them again.
    const session = await unlockSessionItem.getValue();
    const account = await accountItem.getValue();
    const head = await readHead();
    if (!session || !account || !head) throw new Error('not unlocked');
    const key = await importSymmetricKey(fromBase64Url(session.vaultKeys['2'] ?? ''));
    const local = await openAll(key, head);
    for (const item of after.items) expect(local.items[item.id]?.revision).toBe(item.revision);
    const decrypt = vi.spyOn(crypto.subtle, 'decrypt');
    await a.syncNow();
    expect(decrypt).not.toHaveBeenCalled();
    decrypt.mockRestore();
    expect(await contents(a)).toEqual(expected);

    // New writes go under version 2; the vault opens again with the same password.
    const saved = await a.items.saveItem(undefined, fields('After rotation'));
    await a.syncNow();
    expect((await serverView()).items.find((i) => i.id === saved.id)?.keyVersion).toBe(2);
    await a.lock();
    await a.unlock(MASTER);
    expect(await contents(a)).toEqual([...expected, ['After rotation', 'pw-After rotation']].sort());

    // And again: version 3.
    expect((await a.rotateVaultKey(MASTER)).keyVersion).toBe(3);
  });

  it('checks the master password on this device first and changes nothing when it is wrong', async () => {
    const a = await deviceWithItems();
    const requests: string[] = [];
    interrupt = (method, path) => {
      requests.push(`${method} ${path}`);
      return undefined;
    };
    await expect(a.rotateVaultKey('not the password')).rejects.toMatchObject({ code: 'WRONG_PASSWORD' });
    expect(requests).toEqual([]);
    expect(await accountItem.getValue()).toMatchObject({ rotation: null, keyVersion: 1 });
    expect((await serverView()).keys).toMatchObject({ keyVersion: 1, rotation: null });
  });

  it('says the server cannot be reached, and changes nothing, when it is down from the start', async () => {
    const a = await deviceWithItems();
    online = false;
    await expect(a.rotateVaultKey(MASTER)).rejects.toMatchObject({ code: 'SERVER_UNREACHABLE' });
    expect((await accountItem.getValue())?.rotation).toBeNull();
    expect(await contents(a)).toEqual(expected);
    online = true;
    expect((await serverView()).keys).toMatchObject({ keyVersion: 1, rotation: null });
  });

  it('when the server goes away half-way: a clear error, every item readable, and it finishes when back', async () => {
    const a = await deviceWithItems();
    // The server stops answering right after the rotation was recorded.
    interrupt = (method, path) => {
      if (method === 'POST' && path === '/v1/accounts/current/rotation') online = false;
      return undefined;
    };
    await expect(a.rotateVaultKey(MASTER)).rejects.toMatchObject({ code: 'ROTATION_INTERRUPTED' });
    interrupt = () => undefined;
    expect((await accountItem.getValue())?.rotation).toMatchObject({
      keyVersion: 2,
      recorded: true,
      drive: true,
    });
    expect(await contents(a)).toEqual(expected);
    // An edit meanwhile is kept (under the new key, which the server has recorded).
    const saved = await a.items.saveItem(undefined, fields('Offline edit'));
    online = true;
    await a.syncNow();
    await vi.waitFor(async () => expect((await serverView()).keys.keyVersion).toBe(2), { timeout: 10_000 });
    await vi.waitFor(async () => expect((await accountItem.getValue())?.rotation).toBeNull());
    const view = await serverView();
    expect(view.items.find((i) => i.id === saved.id)?.keyVersion).toBe(2);
    expect(await contents(a)).toEqual([...expected, ['Offline edit', 'pw-Offline edit']].sort());
  });

  /**
   * Interrupted at each step — the request failing before it reaches the server, or after it was
   * applied with the answer lost — then the worker is gone. A new worker resumes on restart (its
   * session is still there) or, after a browser restart, on unlock.
   */
  const steps: [string, string, string, Interrupt][] = [
    ['fetching the keys', 'GET', '/v1/accounts/current', 'before'],
    ['recording the rotation', 'POST', '/v1/accounts/current/rotation', 'before'],
    ['recording the rotation (answer lost)', 'POST', '/v1/accounts/current/rotation', 'after'],
    ['reading the items', 'GET', '/v1/sync/changes', 'before'],
    ['pushing the re-wrapped items', 'POST', '/v1/sync/push', 'before'],
    ['pushing the re-wrapped items (answer lost)', 'POST', '/v1/sync/push', 'after'],
    ['completing (answer lost)', 'POST', '/v1/accounts/current/rotation/complete', 'after'],
  ];

  for (const [name, method, path, fate] of steps) {
    for (const resume of ['worker restart', 'unlock after a browser restart'] as const) {
      it(`resumes when interrupted ${name}, on ${resume}: nothing lost or duplicated`, async () => {
        const a = await deviceWithItems();
        let armed = true;
        // The rotation's first GET /v1/accounts/current is its first request of that path.
        interrupt = (m, p) => {
          if (!armed || m !== method || p !== path) return undefined;
          armed = false;
          return fate;
        };
        await expect(a.rotateVaultKey(MASTER)).rejects.toMatchObject({
          code: expect.stringMatching(/^(SERVER_UNREACHABLE|ROTATION_INTERRUPTED)$/),
        });
        expect(armed).toBe(false);
        interrupt = () => undefined;
        // The worker is killed: a new one starts from storage.
        workers.splice(workers.indexOf(a), 1);
        if (resume === 'unlock after a browser restart') await fakeBrowser.storage.session.clear();
        const b = newWorker();
        if (resume === 'unlock after a browser restart') {
          expect((await b.state()).status).toBe('locked');
          await b.unlock(MASTER);
        } else {
          expect((await b.state()).status).toBe('unlocked');
        }
        const started = (await accountItem.getValue())?.rotation;
        if (name === 'fetching the keys') {
          // Nothing had started: nothing resumes; the user simply asks again.
          expect(started).toBeNull();
          expect((await b.rotateVaultKey(MASTER)).keyVersion).toBe(2);
        } else {
          await vi.waitFor(async () => expect((await accountItem.getValue())?.rotation).toBeNull(), {
            timeout: 10_000,
          });
        }
        await expectRotatedTo(2);
        expect(await contents(b)).toEqual(expected);
      });
    }
  }

  it('shows items of both versions while a rotation is half done, on this device and another', async () => {
    await deviceWithItems();
    const deviceA = await snapshot();
    // Device B signs in before the rotation.
    fakeBrowser.reset();
    const b = newWorker();
    await b.login(SERVER, EMAIL, MASTER);
    expect(await contents(b)).toEqual(expected);
    const deviceB = await snapshot();

    // A's rotation stops after its items were pushed, before it completes.
    await restoreSnapshot(deviceA);
    const a2 = newWorker();
    interrupt = (m, p) =>
      m === 'POST' && p === '/v1/accounts/current/rotation/complete' ? 'before' : undefined;
    await expect(a2.rotateVaultKey(MASTER)).rejects.toMatchObject({ code: 'ROTATION_INTERRUPTED' });
    interrupt = () => undefined;
    const half = await serverView();
    expect(half.keys.rotation?.keyVersion).toBe(2);
    expect(half.items.every((i) => i.keyVersion === 2)).toBe(true);
    expect(await contents(a2)).toEqual(expected);
    // Stop A before it resumes, so B sees the half-done state.
    await a2.lock();
    workers.splice(workers.indexOf(a2), 1);
    const aHalf = await snapshot();

    // B edits one item at version 1 (the server still takes it) and pulls A's re-wrapped ones.
    await restoreSnapshot(deviceB);
    const b2 = newWorker();
    const first = (await b2.listItems())[0];
    if (!first) throw new Error('no items');
    // B's next edit reads the pending key it learns from the server (chain or password).
    await b2.syncNow();
    expect((await b2.state()).sync.error).toBeNull();
    expect(await contents(b2)).toEqual(expected);
    expect((await accountItem.getValue())?.rotation).toMatchObject({
      keyVersion: 2,
      recorded: true,
      drive: false,
    });
    await b2.items.saveItem(first.id, fields(first.title, 'edited on B'));
    await b2.syncNow();
    // Once the server recorded the rotation, B writes under the new key too.
    expect((await serverView()).items.find((i) => i.id === first.id)?.keyVersion).toBe(2);
    const deviceB2 = await snapshot();

    // A unlocks again and finishes.
    await restoreSnapshot(aHalf);
    const a3 = newWorker();
    await a3.unlock(MASTER);
    await vi.waitFor(async () => expect((await accountItem.getValue())?.rotation).toBeNull(), {
      timeout: 10_000,
    });
    await expectRotatedTo(2);
    await a3.syncNow();
    const edited = expected.map(([t, p]) => (t === first.title ? [t, 'edited on B'] : [t, p]));
    expect(await contents(a3)).toEqual(edited);

    // B picks up the completed rotation without the password (its session was ended by it).
    await restoreSnapshot(deviceB2);
    const b3 = newWorker();
    await b3.syncNow();
    expect((await b3.state()).sync.error).toBeNull();
    expect(await accountItem.getValue()).toMatchObject({ keyVersion: 2, rotation: null });
    expect(Object.keys((await unlockSessionItem.getValue())?.vaultKeys ?? {})).toEqual(['2']);
    expect(await contents(b3)).toEqual(edited);
  });

  it('takes another device’s edits made during the rotation in another round', async () => {
    const a = await deviceWithItems();
    const { items } = await serverView();
    const target = items[0];
    if (!target?.ciphertext) throw new Error('no items');
    // Right after A pushed its re-wrapped items, another device (version 1 only) writes one item:
    // the server still takes version 1, so completing finds it and A runs another round.
    let edits = 0;
    afterRequest = async (method, path) => {
      if (method !== 'POST' || path !== '/v1/sync/push' || edits > 0) return;
      edits++;
      const client = direct();
      const { accessToken } = await client.login({ email: EMAIL, authKey: serverAuthKey, deviceName: 'B' });
      const now = (await client.pull(accessToken, 0)).items.find((i) => i.id === target.id);
      // B re-uploads the version-1 copy it had (as an older client would): same item, stale key.
      const result = await client.push(accessToken, [
        {
          id: target.id,
          baseRevision: now?.revision ?? 0,
          deleted: false,
          keyVersion: 1,
          ciphertext: target.ciphertext,
        },
      ]);
      expect(result.results[0]).toMatchObject({ status: 'applied' });
    };
    expect((await a.rotateVaultKey(MASTER)).keyVersion).toBe(2);
    expect(edits).toBe(1);
    afterRequest = async () => undefined;
    await expectRotatedTo(2);
    await a.syncNow();
    expect(await contents(a)).toEqual(expected);
  });

  it('a device with pending edits follows a rotation finished elsewhere and pushes them under the new key', async () => {
    await deviceWithItems();
    const deviceA = await snapshot();
    fakeBrowser.reset();
    const b = newWorker();
    await b.login(SERVER, EMAIL, MASTER);
    const first = (await b.listItems())[0];
    if (!first) throw new Error('no items');
    online = false;
    await b.items.saveItem(first.id, fields(first.title, 'offline on B'));
    const created = await b.items.saveItem(undefined, fields('New on B'));
    await b.syncNow();
    const deviceB = await snapshot();
    online = true;

    await restoreSnapshot(deviceA);
    expect((await newWorker().rotateVaultKey(MASTER)).keyVersion).toBe(2);

    await restoreSnapshot(deviceB);
    const b2 = newWorker();
    await b2.syncNow();
    expect((await b2.state()).sync).toMatchObject({ error: null, pending: 0 });
    const view = await serverView();
    expect(view.items.find((i) => i.id === created.id)?.keyVersion).toBe(2);
    expect(view.items.find((i) => i.id === first.id)?.keyVersion).toBe(2);
    expect(asLogin(await b2.items.getItem(first.id)).password).toBe('offline on B');
  });

  it('answers a push refused as KEY_VERSION_STALE by learning the new key and pushing again under it', async () => {
    await deviceWithItems();
    const v1 = await importSymmetricKey(
      fromBase64Url((await unlockSessionItem.getValue())?.vaultKeys['1'] ?? ''),
    );
    const a = newWorker();
    await a.rotateVaultKey(MASTER);
    const v2 = await importSymmetricKey(
      fromBase64Url((await unlockSessionItem.getValue())?.vaultKeys['2'] ?? ''),
    );
    const account = await accountItem.getValue();
    if (!account) throw new Error('no account');
    // A device still on version 1 whose session outlived the rotation (a new sign-in would have
    // told it the version): its push is refused whole, it asks for the keys and pushes again.
    const client = direct();
    const { accessToken } = await client.login({ email: EMAIL, authKey: serverAuthKey, deviceName: 'B' });
    let refreshed = 0;
    const ctx: SyncContext = {
      api: client,
      accessToken,
      accountId: account.accountId,
      keys: VaultKeys.only(v1, 1),
      refreshKeys: async () => {
        refreshed++;
        return VaultKeys.only(v2, 2);
      },
      now: () => new Date(),
      newId: () => crypto.randomUUID(),
    };
    const data = emptyVault();
    const id = applyEdit(
      data,
      undefined,
      fields('Written at version 1'),
      new Date().toISOString(),
      ctx.newId,
    );
    await pushDirty(ctx, data);
    expect(refreshed).toBe(1);
    expect(data.items[id]).toMatchObject({ dirty: false });
    const stored = (await serverView()).keys;
    expect(stored.keyVersion).toBe(2);
    const pushed = (await client.pull(accessToken, 0)).items.find((i) => i.id === id);
    expect(pushed?.keyVersion).toBe(2);
    expect((await decryptItem(v2, account.accountId, id, 2, pushed?.ciphertext ?? '')).fields.title).toBe(
      'Written at version 1',
    );
  });

  it('says the password was changed elsewhere when the new key does not open, and keeps local edits', async () => {
    await deviceWithItems();
    const deviceA = await snapshot();
    fakeBrowser.reset();
    const b = newWorker();
    await b.login(SERVER, EMAIL, MASTER);
    const deviceB = await snapshot();
    await restoreSnapshot(deviceA);
    await newWorker().rotateVaultKey(MASTER);

    // B's password wrapping key no longer matches the account's (as after a change elsewhere).
    await restoreSnapshot(deviceB);
    const session = await unlockSessionItem.getValue();
    if (!session) throw new Error('B is locked');
    await unlockSessionItem.setValue({ ...session, wrappingKey: toBase64Url(generateKeyBytes()) });
    const b2 = newWorker();
    const saved = await b2.items.saveItem(undefined, fields('Kept on B'));
    await b2.syncNow();
    expect((await b2.state()).sync).toMatchObject({ error: 'PASSWORD_CHANGED_ELSEWHERE', pending: 1 });
    expect((await b2.items.getItem(saved.id)).title).toBe('Kept on B');
    expect((await accountItem.getValue())?.keyVersion ?? 1).toBe(1);
  });

  it('a device locked during the rotation follows it as soon as it unlocks (the sign-in says the version)', async () => {
    await deviceWithItems();
    const deviceA = await snapshot();
    fakeBrowser.reset();
    const b = newWorker();
    await b.login(SERVER, EMAIL, MASTER);
    await b.lock();
    const deviceB = await snapshot();
    await restoreSnapshot(deviceA);
    await newWorker().rotateVaultKey(MASTER);

    await restoreSnapshot(deviceB);
    const b2 = newWorker();
    const requests: string[] = [];
    interrupt = (method, path) => {
      requests.push(`${method} ${path}`);
      return undefined;
    };
    await b2.unlock(MASTER);
    // The unlock answers once the vault is open; its server part follows, and a sync waits for it.
    await b2.syncNow();
    // Its device session was ended by the rotation: the refresh fails, the new sign-in says the
    // version, and it is adopted there — before any sync round or key fetch. (The server's public
    // policy, which the unlock asks for beside it, is no part of this order.)
    const session = requests.filter((r) => r !== 'GET /v1/meta');
    expect(session.slice(0, 2)).toEqual(['POST /v1/sessions/refresh', 'POST /v1/sessions']);
    expect(requests).not.toContain('GET /v1/accounts/current');
    expect(await accountItem.getValue()).toMatchObject({ keyVersion: 2, rotation: null });
    expect((await b2.state()).sync.error).toBeNull();
    expect(await contents(b2)).toEqual(expected);
  });

  it('stops with ROTATION_INCOMPLETE when an item nobody can open stays behind, and loses nothing', async () => {
    const a = await deviceWithItems();
    // Another client stored an item this account's keys cannot open (as a corrupt or foreign write).
    const client = direct();
    const { accessToken } = await client.login({ email: EMAIL, authKey: serverAuthKey, deviceName: 'B' });
    const junk = `k1.${toBase64Url(generateKeyBytes())}${toBase64Url(generateKeyBytes())}`;
    const id = crypto.randomUUID();
    await client.push(accessToken, [
      { id, baseRevision: 0, deleted: false, keyVersion: 1, ciphertext: `${junk}~${junk}` },
    ]);
    await a.syncNow();
    expect((await a.state()).sync.unreadable).toBe(1);

    await expect(a.rotateVaultKey(MASTER)).rejects.toMatchObject({ code: 'ROTATION_INCOMPLETE' });
    const view = await serverView();
    expect(view.keys.rotation?.keyVersion).toBe(2);
    expect(view.items.filter((i) => i.keyVersion === 2)).toHaveLength(ITEMS);
    expect(await contents(a)).toEqual(expected);
    // Later syncs do not run the stalled rotation again and again.
    const pulls: string[] = [];
    interrupt = (method, path) => {
      if (path === '/v1/sync/changes') pulls.push(method);
      return undefined;
    };
    await a.syncNow();
    await a.syncNow();
    expect(pulls).toHaveLength(2);
    // Once the bad item is gone (deleted elsewhere), asking again finishes.
    const current = (await client.pull(accessToken, 0)).items.find((i) => i.id === id);
    await client.push(accessToken, [
      { id, baseRevision: current?.revision ?? 0, deleted: true, keyVersion: 1, ciphertext: null },
    ]);
    expect((await a.rotateVaultKey(MASTER)).keyVersion).toBe(2);
    await expectRotatedTo(2);
  });

  it('opens a cache sealed under a key the account record no longer names (crash between the two writes)', async () => {
    const a = await deviceWithItems();
    const cacheAtV1 = await vaultRecords();
    await a.rotateVaultKey(MASTER);
    await a.lock();
    // The record moved to version 2 but the cache on disk is still the one sealed under version 1.
    await putVaultRecords(cacheAtV1);
    const b = newWorker();
    await b.unlock(MASTER);
    expect(await contents(b)).toEqual(expected);
    // …and re-seals it under the current key at once.
    expect((await readHead())?.keyVersion).toBe(2);
  });
});
