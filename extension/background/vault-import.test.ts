import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { startTestServer, type TestServer } from '../../server/test-support/in-process.ts';
import type { ImportEntry } from '../import/import-entry.ts';
import { loginFields } from '../messaging/item-schema.ts';
import { storageFull } from '../test-support/vault-store.ts';
import { chosenEntries, duplicateQuery, runImport } from '../transfer/run-import.ts';
import { ApiClient } from './api-client.ts';
import { VaultService } from './vault-service.ts';

/** Imports into the worker's vault, against the real server app in-process (vault-import.ts). */

const SERVER = 'http://keyhold.test';
const MASTER = 'orange-kettle-harbour-91';
const EMAIL = 'ada@example.test';

let server: TestServer;
const workers: VaultService[] = [];
const newWorker = () => {
  const worker = new VaultService({
    makeApi: (url) => new ApiClient(url, (input, init) => server.fetch(new Request(input, init))),
    now: () => new Date(),
    newId: () => crypto.randomUUID(),
  });
  workers.push(worker);
  return worker;
};

const login = (n: number, username = `user${n}`, url = `https://site${n}.example`): ImportEntry => ({
  fields: {
    ...loginFields({ title: `Site ${n}`, username, password: `pw-${n}`, uris: [{ url, match: 'domain' }] }),
    passwordHistory: [],
    trashedAt: null,
  },
});

/** A worker's `send`, as the import page's goes through the message handlers. */
const sendTo =
  (worker: VaultService) =>
  // biome-ignore lint/suspicious/noExplicitAny: a test double for the typed send; each call is checked by the handlers' own types.
  async (name: string, request: any): Promise<any> => {
    const i = worker.imports;
    switch (name) {
      case 'importBegin':
        return i.begin();
      case 'importAdd':
        return i.add(request.id, request.entries);
      case 'importFinish':
        return i.finish(request.id);
      case 'importCancel':
        i.cancel(request.id);
        return {};
      default:
        throw new Error(`unexpected ${name}`);
    }
  };

beforeAll(async () => {
  server = await startTestServer();
}, 120_000);
afterAll(async () => {
  await server?.close();
});
beforeEach(async () => {
  fakeBrowser.reset();
  await server.reset();
});
afterEach(async () => {
  vi.restoreAllMocks();
  for (const worker of workers.splice(0)) await worker.lock().catch(() => undefined);
});

describe('VaultImport', () => {
  it('adds 1,200 items sent in three parts as one write of the vault, then syncs them all', async () => {
    const worker = newWorker();
    await worker.register(SERVER, EMAIL, MASTER);
    const entries = Array.from({ length: 1200 }, (_, n) => login(n));
    const progress: number[] = [];
    const writes = vi.spyOn(IDBObjectStore.prototype, 'put');
    const imported = await runImport(sendTo(worker), entries, {
      progress: (sent) => progress.push(sent),
      cancelled: () => false,
    });
    expect(imported).toBe(1200);
    expect(progress).toEqual([500, 1000, 1200]);
    // One write of the vault: one commit of its head.
    expect(writes.mock.calls.filter(([, key]) => key === 'head')).toHaveLength(1);
    writes.mockRestore();
    expect(await worker.listItems()).toHaveLength(1200);

    await worker.syncNow();
    const state = await worker.state();
    expect(state.sync.pending).toBe(0);
    // A second device signs in and has every one.
    fakeBrowser.reset();
    const other = newWorker();
    await other.login(SERVER, EMAIL, MASTER);
    expect(await other.listItems()).toHaveLength(1200);
  });

  it('keeps what the source says: history, the trash, when it was created, an expired card', async () => {
    const worker = newWorker();
    await worker.register(SERVER, EMAIL, MASTER);
    const old = login(1);
    old.fields.passwordHistory = [{ password: 'older', replacedAt: '2020-05-01T10:00:00.000Z' }];
    old.createdAt = '2019-01-02T03:04:05.000Z';
    const trashed = login(2);
    // Recently: an item longer than 30 days in the trash is deleted for good.
    const trashedAt = new Date(Date.now() - 86_400_000).toISOString();
    trashed.fields.trashedAt = trashedAt;
    const card: ImportEntry = {
      fields: {
        type: 'card',
        title: 'Old card',
        notes: '',
        folder: 'Money',
        favorite: true,
        customFields: [],
        cardholder: 'Ada',
        brand: 'Visa',
        number: '4111111111111111',
        expMonth: '01',
        expYear: '2020',
        code: '123',
        passwordHistory: [],
        trashedAt: null,
      } as ImportEntry['fields'],
    };
    await runImport(sendTo(worker), [old, trashed, card], {
      progress: () => undefined,
      cancelled: () => false,
    });
    const data = await worker.readVault();
    const byTitle = new Map(Object.values(data.items).map((i) => [i.fields.title, i]));
    expect(byTitle.get('Site 1')?.fields.passwordHistory).toEqual(old.fields.passwordHistory);
    expect(byTitle.get('Site 1')?.createdAt).toBe('2019-01-02T03:04:05.000Z');
    expect(byTitle.get('Site 2')?.fields.trashedAt).toBe(trashedAt);
    expect(byTitle.get('Old card')?.fields).toMatchObject({
      expMonth: '01',
      expYear: '2020',
      favorite: true,
    });
    // The trashed one is in the trash, not the list.
    expect((await worker.listItems()).map((i) => i.title).sort()).toEqual(['Old card', 'Site 1']);
  });

  it('a cancel, a lock or a restarted worker leaves the vault exactly as it was', async () => {
    const worker = newWorker();
    await worker.register(SERVER, EMAIL, MASTER);
    await worker.items.saveItem(undefined, login(0).fields);
    const entries = Array.from({ length: 1100 }, (_, n) => login(n + 1));

    // Cancelled after the first part.
    let parts = 0;
    const cancelled = await runImport(sendTo(worker), entries, {
      progress: () => void parts++,
      cancelled: () => parts >= 1,
    });
    expect(cancelled).toBeNull();
    expect(await worker.listItems()).toHaveLength(1);

    // Locked half-way: what was sent is gone, and finishing finds nothing.
    const { id } = await worker.imports.begin();
    await worker.imports.add(id, entries.slice(0, 500));
    await worker.lock();
    await worker.unlock(MASTER);
    await expect(worker.imports.finish(id)).rejects.toMatchObject({ code: 'NOT_FOUND' });

    // The worker dies half-way: a new one has nothing to finish, and the vault on disk is as before.
    const second = await worker.imports.begin();
    await worker.imports.add(second.id, entries.slice(0, 500));
    const restarted = newWorker();
    await expect(restarted.imports.finish(second.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await restarted.listItems()).map((i) => i.title)).toEqual(['Site 0']);
  });

  it('changes nothing when the disk is full, and the same import succeeds once there is room', async () => {
    const worker = newWorker();
    await worker.register(SERVER, EMAIL, MASTER);
    const { id } = await worker.imports.begin();
    await worker.imports.add(id, [login(1), login(2)]);
    const roomAgain = storageFull();
    await expect(worker.imports.finish(id)).rejects.toMatchObject({ code: 'STORAGE_FAILED' });
    expect(await worker.listItems()).toEqual([]);
    expect((await worker.state()).sync.pending).toBe(0);
    roomAgain();
    expect(await worker.imports.finish(id)).toEqual({ imported: 2 });
    expect(await newWorker().listItems()).toHaveLength(2);
    // Finished once: a second finish adds nothing.
    await expect(worker.imports.finish(id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses a part with an entry that is not an item, keeping none of that part', async () => {
    const worker = newWorker();
    await worker.register(SERVER, EMAIL, MASTER);
    const { id } = await worker.imports.begin();
    await expect(
      worker.imports.add(id, [login(1), { fields: { type: 'login', title: 'x'.repeat(100_000) } }]),
    ).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(
      worker.imports.add(id, [{ fields: { type: 'spaceship', title: 'x' } }]),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
    });
    await expect(worker.imports.add(id, ['not an entry'])).rejects.toMatchObject({ code: 'VALIDATION' });
    expect(await worker.imports.add(id, [login(2)])).toEqual({ id, staged: 1 });
    expect(await worker.imports.finish(id)).toEqual({ imported: 1 });
  });

  it('finds logins the vault already has: same username and website, as a person compares them', async () => {
    const worker = newWorker();
    await worker.register(SERVER, EMAIL, MASTER);
    await worker.items.saveItem(undefined, login(1, 'ada', 'https://www.Bank.example/login/').fields);
    const trashed = await worker.items.saveItem(undefined, login(2, 'ada', 'https://shop.example').fields);
    await worker.items.deleteItem(trashed.id);
    const file = [
      login(10, 'ada', 'https://bank.example/login'), // same: www., case and trailing slash do not matter
      login(11, 'ada', 'bank.example/login?next=1'), // same: no scheme written, query ignored
      login(12, 'bob', 'https://bank.example/login'), // another username
      login(13, 'ada', 'https://bank.example/other'), // another page
      login(14, 'ada', 'https://shop.example'), // only in the trash
    ];
    const found = await worker.imports.duplicates(duplicateQuery(file));
    expect(found).toEqual([0, 1]);
    expect(chosenEntries(file, found, new Set([1])).map((e) => e.fields.title)).toEqual([
      'Site 11',
      'Site 12',
      'Site 13',
      'Site 14',
    ]);
  });
});
