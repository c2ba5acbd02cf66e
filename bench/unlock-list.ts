/**
 * Unlock → list ready with 10,000 items, KDF excluded (DESIGN.md §9: ≤ 150 ms).
 * Runs the extension's own code path in Node: unwrap the vault key with the wrapping key, open
 * the stored vault's list part (background/vault-store.ts, IndexedDB — fake-indexeddb in Node)
 * and render the first page the popup shows; then the whole vault, which opens behind it. For
 * comparison, the single sealed envelope of earlier releases (`singleBlob*`), opened and listed.
 */

// Extension modules define WXT storage items on import; in Node they get WXT's fake browser.
import '../e2e/support/extension-modules.ts';
import { openVault, sealVault, vaultKeyAd } from '../extension/background/item-crypto.ts';
import { buildSummaries, entryOf, listPage } from '../extension/background/vault-list.ts';
import { openAll, openIndex, readHead, writeVault } from '../extension/background/vault-store.ts';
import { generateKeyBytes, importSymmetricKey, unwrapKey, wrapKey } from '../shared-crypto/index.ts';
import { makeVault, median } from './fixtures.ts';

const ITEMS = 10_000;
const RUNS = 7;
const accountId = '11111111-2222-4333-8444-555555555555';
const FIRST_PAGE = { query: '', limit: 200, view: 'all', folder: '' } as const;

export async function benchUnlockList() {
  const wrappingKey = await importSymmetricKey(generateKeyBytes());
  const vaultRaw = generateKeyBytes();
  const wrapped = await wrapKey(wrappingKey, vaultRaw, vaultKeyAd(accountId));
  const vaultKey = await importSymmetricKey(vaultRaw);
  const vault = makeVault(ITEMS);
  const sealed = await sealVault(vaultKey, accountId, vault);
  const w0 = performance.now();
  await writeVault(vaultKey, vault, { accountId, keyVersion: 1, pending: 0 });
  const firstWriteMs = performance.now() - w0;

  const listReady: number[] = [];
  const whole: number[] = [];
  const single: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const t0 = performance.now();
    const { key } = await unwrapKey(wrappingKey, wrapped, vaultKeyAd(accountId));
    const head = await readHead();
    if (!head) throw new Error('no stored vault');
    const index = await openIndex(key, head);
    const page = listPage(index.summaries.map(entryOf), FIRST_PAGE);
    listReady.push(performance.now() - t0);
    if (page.total !== ITEMS) throw new Error('list incomplete');
    const data = await openAll(key, head);
    whole.push(performance.now() - t0);
    if (Object.keys(data.items).length !== ITEMS) throw new Error('vault incomplete');

    const t1 = performance.now();
    const blob = await openVault(key, accountId, sealed);
    listPage(buildSummaries(blob), FIRST_PAGE);
    single.push(performance.now() - t1);
  }

  // One edit: only its part, the list part, meta and head are sealed and written again.
  const [first] = Object.values(vault.items);
  if (!first) throw new Error('empty vault');
  vault.items[first.id] = { ...first, updatedAt: new Date().toISOString(), dirty: true };
  const e0 = performance.now();
  await writeVault(vaultKey, vault, { accountId, keyVersion: 1, pending: 1 });
  const editWriteMs = performance.now() - e0;

  return {
    name: 'unlock-to-list-ready',
    items: ITEMS,
    runtime: `node ${process.version} (fake-indexeddb)`,
    medianMs: Number(median(listReady).toFixed(1)),
    minMs: Number(Math.min(...listReady).toFixed(1)),
    wholeVaultOpenMedianMs: Number(median(whole).toFixed(1)),
    singleBlobMedianMs: Number(median(single).toFixed(1)),
    singleBlobBytes: sealed.length,
    firstWriteMs: Number(firstWriteMs.toFixed(1)),
    oneEditWriteMs: Number(editWriteMs.toFixed(1)),
    budgetMs: 150,
  };
}
