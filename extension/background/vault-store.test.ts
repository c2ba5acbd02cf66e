import { describe, expect, it, vi } from 'vitest';
import {
  CryptoError,
  generateKeyBytes,
  importSymmetricKey,
  openBinary,
  type SymmetricKey,
  sealBinary,
  toBase64Url,
  utf8Decode,
  utf8Encode,
} from '../../shared-crypto/index.ts';
import { loginFields } from '../messaging/item-schema.ts';
import { vaultCacheItem, vaultCommitItem } from '../storage/items.ts';
import { putVaultRecords, storageFull, vaultRecords } from '../test-support/vault-store.ts';
import { sealVault } from './item-crypto.ts';
import { applyEdit, emptyVault, type VaultData } from './vault-data.ts';
import { firstPageOf } from './vault-list.ts';
import {
  openAll,
  openFirstPage,
  openIndex,
  openStoredVault,
  readHead,
  readSealedVault,
  shardOf,
  storedHead,
  VAULT_SHARDS,
  writeVault,
} from './vault-store.ts';

const ACCOUNT = 'acct-1';
const key = () => importSymmetricKey(generateKeyBytes());
const login = (title: string, password = `pw-${title}`) =>
  loginFields({
    title,
    username: 'grace',
    password,
    uris: [{ url: 'https://bank.example', match: 'domain' }],
  });

function vaultOf(n: number): VaultData {
  const data = emptyVault();
  for (let i = 0; i < n; i++)
    applyEdit(data, undefined, login(`Item ${i}`), '2026-12-01T00:00:00.000Z', () => `id-${i}`);
  data.revision = 42;
  data.lastSyncAt = '2026-12-01T00:00:00.000Z';
  data.lastUsed = { 'id-1': '2026-12-01T01:00:00.000Z' };
  return data;
}

const write = (k: SymmetricKey, data: VaultData, accountId = ACCOUNT) =>
  writeVault(k, data, { accountId, keyVersion: 1, pending: 3 });

async function head() {
  const h = await readHead();
  if (!h) throw new Error('no head');
  return h;
}

/** The records of the store with one record's value replaced. */
async function replaced(name: string, value: unknown) {
  return (await vaultRecords()).map(([k, v]): [IDBValidKey, unknown] => [k, k === name ? value : v]);
}

describe('vault store', () => {
  it('opens what it wrote: the list part alone, then the whole vault', async () => {
    const k = await key();
    const data = vaultOf(40);
    await write(k, data);

    const h = await head();
    expect(h).toMatchObject({ accountId: ACCOUNT, keyVersion: 1, pending: 3, shards: VAULT_SHARDS });
    const index = await openIndex(k, h);
    expect(index).toMatchObject({ revision: 42, lastSyncAt: '2026-12-01T00:00:00.000Z', unreadable: 0 });
    expect(index.summaries).toHaveLength(40);
    expect(index.summaries[0]).toMatchObject({ title: 'Item 0', username: 'grace', pending: true });
    expect(JSON.stringify(index.summaries)).not.toContain('pw-Item');
    expect(await openAll(k, h)).toEqual(data);
    // Pages are told (they watch this record; IndexedDB has no change events).
    expect(await vaultCommitItem.getValue()).toEqual({ accountId: ACCOUNT, pending: 3, commit: h.commit });
  });

  it('stores text in any script as it was: accents, Japanese, emoji, a lone surrogate', async () => {
    const k = await key();
    const data = vaultOf(30);
    const titles = [
      'Café crème',
      '銀行のログイン',
      'Bank 🏦',
      'plain',
      'broken \ud800 half',
      '"quoted" \\ \n',
    ];
    for (const [i, title] of titles.entries())
      applyEdit(data, `id-${i}`, login(title, `pw-${title}`), '2026-12-01T00:00:00.000Z', () => 'x');
    await write(k, data);
    const h = await head();
    // JSON.stringify writes a lone surrogate as an escape, so it comes back as it was.
    expect(await openAll(k, h)).toEqual(data);
    const listed = (await openIndex(k, h)).summaries.map((s) => s.title);
    for (const title of titles) expect(listed).toContain(title);
  });

  it('the list opens without the item parts (they may still be unread or even damaged)', async () => {
    const k = await key();
    await write(k, vaultOf(20));
    await putVaultRecords(await replaced('items/0', 'k1.damaged'));
    expect((await openIndex(k, await head())).summaries).toHaveLength(20);
    await expect(openAll(k, await head())).rejects.toBeInstanceOf(CryptoError);
  });

  it('a change writes only the parts it touched, with the list, meta and head', async () => {
    const k = await key();
    const data = vaultOf(300);
    await write(k, data);
    const puts = vi.spyOn(IDBObjectStore.prototype, 'put');
    const written = async () => {
      await write(k, data);
      const keys = puts.mock.calls.map(([, k]) => k).sort();
      puts.mockClear();
      return keys;
    };
    // Item 250 is past the first page (200 rows): that part stays as it was.
    applyEdit(data, 'id-250', login('Item 250 renamed'), '2026-12-01T02:00:00.000Z', () => 'unused');
    expect(await written()).toEqual(['head', 'index', `items/${shardOf('id-250')}`, 'meta'].sort());
    // Item 7 is on it.
    applyEdit(data, 'id-7', login('Item 7 renamed'), '2026-12-01T02:00:00.000Z', () => 'unused');
    expect(await written()).toEqual(['first', 'head', 'index', `items/${shardOf('id-7')}`, 'meta'].sort());
    puts.mockRestore();
    const all = await openAll(k, await head());
    expect(all.items['id-7']?.fields.title).toBe('Item 7 renamed');
    expect(all.items['id-250']?.fields.title).toBe('Item 250 renamed');
  });

  it("opens the list's first page alone: its rows, the counts, and nothing secret", async () => {
    const k = await key();
    const data = vaultOf(250);
    applyEdit(data, 'id-3', { ...login('Item 3'), trashedAt: '2026-12-01T03:00:00.000Z' }, 'now', () => 'x');
    await write(k, data);
    // Only head, meta and the first page are read: every other part may be damaged.
    const records = await vaultRecords();
    await putVaultRecords(
      records.map(([name, v]): [IDBValidKey, unknown] => [
        name,
        ['head', 'meta', 'first'].includes(String(name)) ? v : 'k1.x',
      ]),
    );
    const first = await openFirstPage(k, await head());
    expect(first).toMatchObject({ revision: 42, lastSyncAt: '2026-12-01T00:00:00.000Z', unreadable: 0 });
    expect(first?.page).toMatchObject({ matching: 249, total: 249, trashed: 1 });
    expect(first?.page.items).toHaveLength(200);
    expect(first?.page.items.map((i) => i.title).slice(0, 4)).toEqual([
      'Item 0',
      'Item 1',
      'Item 2',
      'Item 4',
    ]);
    expect(JSON.stringify(first)).not.toContain('pw-Item');
    // The same rows as the list part's default view.
    await putVaultRecords(records);
    const index = await openIndex(k, await head());
    expect(first?.page).toEqual(firstPageOf(index.summaries));
  });

  it('a store written before the first page existed answers null for it, and a moved part is refused', async () => {
    const k = await key();
    await write(k, vaultOf(5));
    const h = await head();
    const records = await vaultRecords();
    const value = (name: string) => records.find(([n]) => n === name)?.[1];
    // The same store as an earlier release wrote it: meta names no first page.
    const ad = { purpose: 'vault-cache' as const, owner: ACCOUNT, id: `v2/meta@${h.commit}`, keyVersion: 1 };
    const meta = JSON.parse(utf8Decode(await openBinary(k, value('meta') as Uint8Array, ad))) as {
      parts: Record<string, string>;
    };
    delete meta.parts.first;
    await putVaultRecords(await replaced('meta', await sealBinary(k, utf8Encode(JSON.stringify(meta)), ad)));
    expect(await openFirstPage(k, h)).toBeNull();
    expect((await openIndex(k, h)).summaries).toHaveLength(5);

    // The list part's bytes put where the first page belongs.
    await putVaultRecords(records);
    await putVaultRecords(await replaced('first', value('index')));
    await expect(openFirstPage(k, h)).rejects.toBeInstanceOf(CryptoError);
  });

  it('a write that another write overtook seals every part, so the vault still opens whole', async () => {
    const k = await key();
    const base = vaultOf(40);
    await write(k, base);
    // Two writes from the same commit, each changing an item of another part: both read the head
    // before either commits (the worker serializes its own writes; this is the store's own guard).
    const [a, b] = [structuredClone(base), structuredClone(base)];
    const other = Array.from({ length: 40 }, (_, i) => `id-${i}`).find(
      (id) => shardOf(id) !== shardOf('id-0'),
    );
    if (!other) throw new Error('no item in another part');
    applyEdit(a, 'id-0', login('Changed by A'), '2026-12-02T00:00:00.000Z', () => 'x');
    applyEdit(b, other, login('Changed by B'), '2026-12-02T00:00:00.000Z', () => 'x');
    await Promise.all([write(k, a), write(k, b)]);
    // Whichever committed last is the vault, read whole (a part it kept must not be the other's).
    const opened = await openAll(k, await head());
    expect([a, b]).toContainEqual(opened);
    expect((await openIndex(k, await head())).summaries).toHaveLength(40);
  });

  it('a write that fails half-way (a crash between parts, a full disk) leaves the previous vault whole', async () => {
    const k = await key();
    const data = vaultOf(100);
    await write(k, data);
    const before = structuredClone(data);
    const beforeHead = await head();

    // The third record of the commit cannot be written: the transaction takes none of them.
    let n = 0;
    const real = IDBObjectStore.prototype.put;
    const put = vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (
      this: IDBObjectStore,
      ...a
    ) {
      if (++n === 3) throw new DOMException('disk gone', 'UnknownError');
      return real.apply(this, a);
    });
    for (let i = 0; i < 100; i += 9)
      applyEdit(data, `id-${i}`, login(`Changed ${i}`), '2026-12-02T00:00:00.000Z', () => 'x');
    await expect(write(k, data)).rejects.toThrow('disk gone');
    put.mockRestore();
    expect(await head()).toEqual(beforeHead);
    expect(await openAll(k, await head())).toEqual(before);

    // And the same write goes through in full once it can.
    await write(k, data);
    expect(await openAll(k, await head())).toEqual(data);
  });

  it('a full disk is reported and loses nothing', async () => {
    const k = await key();
    const data = vaultOf(10);
    await write(k, data);
    const room = storageFull();
    applyEdit(data, undefined, login('New'), '2026-12-02T00:00:00.000Z', () => 'id-new');
    await expect(write(k, data)).rejects.toMatchObject({ name: 'QuotaExceededError' });
    room();
    expect(Object.keys((await openAll(k, await head())).items)).toHaveLength(10);
    await write(k, data);
    expect(Object.keys((await openAll(k, await head())).items)).toHaveLength(11);
  });

  it('opens from the records read ahead (the unlock reads them during the KDF), not from disk again', async () => {
    const k = await key();
    const data = vaultOf(30);
    await write(k, data);
    const ahead = await readSealedVault();
    expect(ahead?.head).toEqual(await head());
    // Read ahead, then the disk loses them: the open needs nothing more from it.
    await putVaultRecords((await vaultRecords()).filter(([name]) => name === 'head'));
    expect(await openAll(k, await head(), ahead)).toEqual(data);
    expect(await openStoredVault(ACCOUNT, async () => k, Promise.resolve(ahead))).toMatchObject({
      data,
      legacy: false,
    });
  });

  it('ignores records read ahead of a later write, and a read ahead that failed', async () => {
    const k = await key();
    const data = vaultOf(10);
    await write(k, data);
    const ahead = await readSealedVault();
    applyEdit(data, 'id-3', login('Renamed'), '2026-12-02T00:00:00.000Z', () => 'unused');
    await write(k, data);
    const opened = await openStoredVault(ACCOUNT, async () => k, Promise.resolve(ahead));
    expect(opened?.data.items['id-3']?.fields).toMatchObject({ title: 'Renamed' });
    const failed = Promise.reject(new DOMException('gone', 'UnknownError'));
    // As the unlock does: marked handled when made, read only once the head is read.
    failed.catch(() => undefined);
    expect((await openStoredVault(ACCOUNT, async () => k, failed))?.data).toEqual(data);
  });

  it('reads nothing ahead from an empty store', async () => {
    expect(await readSealedVault()).toBeNull();
  });

  it('refuses a tampered part', async () => {
    const k = await key();
    await write(k, vaultOf(30));
    const name = `items/${shardOf('id-3')}`;
    const sealed = (await vaultRecords()).find(([n]) => n === name)?.[1] as Uint8Array;
    const flipped = sealed.slice();
    flipped[50] = (flipped[50] as number) ^ 1;
    await putVaultRecords(await replaced(name, flipped));
    await expect(openAll(k, await head())).rejects.toBeInstanceOf(CryptoError);
    // The same in the text form of earlier releases.
    await putVaultRecords(await replaced(name, `k1.${toBase64Url(flipped)}`));
    await expect(openAll(k, await head())).rejects.toBeInstanceOf(CryptoError);
  });

  it('opens parts stored in the text form of earlier releases; the next write stores bytes', async () => {
    const k = await key();
    const data = vaultOf(50);
    await write(k, data);
    const records = await vaultRecords();
    expect(records.filter(([, v]) => v instanceof Uint8Array)).toHaveLength(VAULT_SHARDS + 3);
    // As a release that stored each envelope as "k1." + base64url left it.
    await putVaultRecords(
      records.map(([n, v]): [IDBValidKey, unknown] => [
        n,
        v instanceof Uint8Array ? `k1.${toBase64Url(v)}` : v,
      ]),
    );
    const h = await head();
    expect((await openFirstPage(k, h))?.page.total).toBe(50);
    expect((await openIndex(k, h)).summaries).toHaveLength(50);
    expect(await openAll(k, h)).toEqual(data);
    applyEdit(data, 'id-3', login('Item 3 renamed'), '2026-12-02T00:00:00.000Z', () => 'x');
    await write(k, data);
    const after = await vaultRecords();
    // Parts that did not change keep their text form until they do; every part opens.
    expect(after.find(([n]) => n === `items/${shardOf('id-3')}`)?.[1]).toBeInstanceOf(Uint8Array);
    expect(after.find(([n]) => n === 'meta')?.[1]).toBeInstanceOf(Uint8Array);
    expect(await openAll(k, await head())).toEqual(data);
  });

  it('refuses a part of another account, even sealed with the same key', async () => {
    const k = await key();
    await write(k, vaultOf(30), 'acct-other');
    const foreign = (await vaultRecords()).find(([n]) => n === 'items/0')?.[1];
    await write(k, vaultOf(30), ACCOUNT);
    await putVaultRecords(await replaced('items/0', foreign));
    await expect(openAll(k, await head())).rejects.toBeInstanceOf(CryptoError);
  });

  it('refuses a part from an older write of the same vault (one part rolled back)', async () => {
    const k = await key();
    const data = vaultOf(30);
    await write(k, data);
    const name = `items/${shardOf('id-5')}`;
    const older = (await vaultRecords()).find(([n]) => n === name)?.[1];
    applyEdit(data, 'id-5', login('Item 5', 'pw-new'), '2026-12-02T00:00:00.000Z', () => 'x');
    await write(k, data);
    await putVaultRecords(await replaced(name, older));
    await expect(openAll(k, await head())).rejects.toBeInstanceOf(CryptoError);
  });

  it('refuses a part put under another name, and a head that names another commit', async () => {
    const k = await key();
    await write(k, vaultOf(60));
    const records = await vaultRecords();
    const other = records.find(([n]) => n === 'items/1')?.[1];
    await putVaultRecords(await replaced('items/2', other));
    await expect(openAll(k, await head())).rejects.toBeInstanceOf(CryptoError);
    await putVaultRecords(records);
    await putVaultRecords(await replaced('head', { ...(await head()), commit: 'f00d' }));
    await expect(openIndex(k, await head())).rejects.toBeInstanceOf(CryptoError);
  });

  it('does not open with another key', async () => {
    await write(await key(), vaultOf(5));
    await expect(openAll(await key(), await head())).rejects.toMatchObject({ code: 'WRONG_KEY' });
  });

  it('moves the single-blob cache of an earlier release into the store, then drops it', async () => {
    const k = await key();
    const data = vaultOf(12);
    await vaultCacheItem.setValue({
      accountId: ACCOUNT,
      sealed: await sealVault(k, ACCOUNT, data),
      pending: 2,
    });
    expect(await storedHead()).toEqual({ accountId: ACCOUNT, keyVersion: 1, pending: 2 });

    const opened = await openStoredVault(ACCOUNT, async () => k);
    expect(opened).toMatchObject({ legacy: true, keyVersion: 1 });
    expect(opened?.data).toEqual(data);
    await write(k, data);
    expect(await vaultCacheItem.getValue()).toBeNull();
    expect(await openStoredVault(ACCOUNT, async () => k)).toMatchObject({ legacy: false, data });
    expect(await openStoredVault('acct-other', async () => k)).toBeNull();
  });
});
