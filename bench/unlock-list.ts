/**
 * Unlock → list ready with 10,000 items, KDF excluded (DESIGN.md §9: ≤ 150 ms).
 * Runs the extension's own code path in Node: unwrap the vault key with the wrapping key, open
 * the single sealed cache envelope, build the sorted summary list and the first page the popup
 * renders (background/vault-list.ts), over a vault of mixed item types (fixtures.ts).
 */

// Extension modules define WXT storage items on import; in Node they get WXT's fake browser.
import '../e2e/support/extension-modules.ts';
import { openVault, sealVault, vaultKeyAd } from '../extension/background/item-crypto.ts';
import { buildSummaries, listPage } from '../extension/background/vault-list.ts';
import { generateKeyBytes, importSymmetricKey, unwrapKey, wrapKey } from '../shared-crypto/index.ts';
import { makeVault, median } from './fixtures.ts';

const ITEMS = 10_000;
const RUNS = 7;
const accountId = '11111111-2222-4333-8444-555555555555';

export async function benchUnlockList() {
  const wrappingKey = await importSymmetricKey(generateKeyBytes());
  const vaultRaw = generateKeyBytes();
  const wrapped = await wrapKey(wrappingKey, vaultRaw, vaultKeyAd(accountId));
  const sealed = await sealVault(await importSymmetricKey(vaultRaw), accountId, makeVault(ITEMS));

  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const t0 = performance.now();
    const { key } = await unwrapKey(wrappingKey, wrapped, vaultKeyAd(accountId));
    const data = await openVault(key, accountId, sealed);
    const page = listPage(buildSummaries(data), { query: '', limit: 200, view: 'all', folder: '' });
    times.push(performance.now() - t0);
    if (page.total !== ITEMS) throw new Error('list incomplete');
  }
  return {
    name: 'unlock-to-list-ready',
    items: ITEMS,
    runtime: `node ${process.version}`,
    sealedCacheBytes: sealed.length,
    medianMs: Number(median(times).toFixed(1)),
    minMs: Number(Math.min(...times).toFixed(1)),
    budgetMs: 150,
  };
}
