/**
 * Vault key rotation of 10,000 items end to end (DESIGN.md §9: ≤ 10 s): the extension's own
 * VaultService (WXT's in-memory fake browser for storage) against the real server app in-process
 * on PGlite. Timed from "Rotate encryption key" with the master password (its local check, one
 * Argon2id derivation, included) to the answer: keys fetched, rotation recorded, every item key
 * re-wrapped and pushed on the server's revision, completion, local record and cache updated.
 */
// Extension modules define WXT storage items on import; in Node they get WXT's fake browser.
import '../e2e/support/extension-modules.ts';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { ApiClient } from '../extension/background/api-client.ts';
import { memoryDpopKeys } from '../extension/background/dpop-key.ts';
import { pushDirty } from '../extension/background/sync-engine.ts';
import { VaultKeys } from '../extension/background/vault-keys.ts';
import { startTestServer } from '../server/test-support/in-process.ts';
import { fromBase64Url, importSymmetricKey } from '../shared-crypto/index.ts';
import { makeVault } from './fixtures.ts';

const ITEMS = 10_000;
const BASE = 'http://keyhold.bench';
const MASTER = 'bench-rotation-master-password-1';

export async function benchRotation() {
  // The extension's storage module reads the browser global when it is first imported.
  Object.assign(globalThis, { browser: fakeBrowser, chrome: fakeBrowser });
  const { accountItem, deviceSessionItem, unlockSessionItem } = await import('../extension/storage/items.ts');
  const { VaultService } = await import('../extension/background/vault-service.ts');
  // Node has no IndexedDB: the DPoP key pair is kept in memory.
  await import('../extension/test-support/dpop-store.ts');
  const server = await startTestServer();
  const makeApi = () =>
    new ApiClient(BASE, (input, init) => server.fetch(new Request(input, init)), undefined, memoryDpopKeys());
  try {
    const worker = new VaultService({ makeApi, now: () => new Date(), newId: randomUUID });
    await worker.register(BASE, `bench-${randomUUID()}@example.test`, MASTER);
    const [account, session, device] = await Promise.all([
      accountItem.getValue(),
      unlockSessionItem.getValue(),
      deviceSessionItem.getValue(),
    ]);
    if (!account || !session || !device) throw new Error('not signed in');
    // Seed the server with 10,000 items under the account's vault key, as another device would.
    const vaultKey = await importSymmetricKey(fromBase64Url(session.vaultKeys['1'] ?? ''));
    const seed = makeVault(ITEMS);
    for (const item of Object.values(seed.items)) Object.assign(item, { revision: 0, dirty: true });
    await pushDirty(
      {
        api: makeApi(),
        accessToken: device.accessToken,
        accountId: account.accountId,
        keys: VaultKeys.only(vaultKey),
        refreshKeys: async () => VaultKeys.only(vaultKey),
        now: () => new Date(),
        newId: randomUUID,
      },
      seed,
    );
    await worker.syncNow();
    if ((await worker.listItems()).length !== ITEMS) throw new Error('seed incomplete');

    const t0 = performance.now();
    const result = await worker.rotateVaultKey(MASTER);
    const seconds = (performance.now() - t0) / 1000;

    const client = makeApi();
    const token = (await deviceSessionItem.getValue())?.accessToken ?? '';
    const keys = await client.accountKeys(token);
    let atNewVersion = 0;
    for (let since = 0; ; ) {
      const page = await client.pull(token, since, 1000);
      atNewVersion += page.items.filter((i) => !i.deleted && i.keyVersion === result.keyVersion).length;
      const last = page.items.at(-1);
      if (!page.hasMore || !last) break;
      since = last.revision;
    }
    if (keys.keyVersion !== 2 || atNewVersion !== ITEMS) throw new Error('rotation incomplete');
    await worker.lock();
    return {
      name: 'key-rotation',
      items: ITEMS,
      database: 'pglite (in-process app)',
      seconds: Number(seconds.toFixed(2)),
      itemsPerSecond: Math.round(ITEMS / seconds),
      budgetSeconds: 10,
    };
  } finally {
    await server.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.stdout.write(`${JSON.stringify(await benchRotation(), null, 2)}\n`);
}
