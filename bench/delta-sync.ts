/**
 * Bytes on the wire for a pull after one change in a 10,000-item vault (DESIGN.md §9: ≤ 2 KB),
 * and the time to import 10,000 items (≤ 5 s), through the extension's sync engine and the real
 * server app in-process on PGlite. Wire bytes count the request line, headers and both bodies.
 */

// Extension modules define WXT storage items on import; in Node they get WXT's fake browser.
import '../e2e/support/extension-modules.ts';
import { randomUUID } from 'node:crypto';
import { ApiClient } from '../extension/background/api-client.ts';
import { memoryDpopKeys } from '../extension/background/dpop-key.ts';
import { pullChanges, pushDirty, type SyncContext } from '../extension/background/sync-engine.ts';
import { emptyVault } from '../extension/background/vault-data.ts';
import { VaultKeys } from '../extension/background/vault-keys.ts';
import { writeVault } from '../extension/background/vault-store.ts';
import type { LoginFields } from '../extension/messaging/item-schema.ts';
import { startTestServer } from '../server/test-support/in-process.ts';
import { generateKeyBytes, importSymmetricKey } from '../shared-crypto/index.ts';
import { makeVault, registerBenchAccount } from './fixtures.ts';

const ITEMS = 10_000;
const BASE = 'http://keyhold.bench';

const headerBytes = (h: Headers) => [...h].reduce((n, [k, v]) => n + k.length + v.length + 4, 0);

export async function benchDeltaSync() {
  const server = await startTestServer();
  let wire = 0;
  const api = new ApiClient(
    BASE,
    async (input, init) => {
      const request = new Request(input, init);
      const body = init?.body ? String(init.body).length : 0;
      const response = await server.fetch(request);
      const text = await response.text();
      wire +=
        request.method.length +
        request.url.length +
        headerBytes(request.headers) +
        body +
        15 +
        headerBytes(response.headers) +
        Buffer.byteLength(text);
      return new Response(text, { status: response.status, headers: response.headers });
    },
    undefined,
    memoryDpopKeys(),
  );
  try {
    const { accountId, email, authKey } = await registerBenchAccount(api);
    const login = async () => (await api.login({ email, authKey, deviceName: 'bench' })).accessToken;
    const vaultKey = await importSymmetricKey(generateKeyBytes());
    const ctx = async (): Promise<SyncContext> => ({
      api,
      accessToken: await login(),
      accountId,
      keys: VaultKeys.only(vaultKey),
      refreshKeys: async () => VaultKeys.only(vaultKey),
      now: () => new Date(),
      newId: randomUUID,
    });

    // Device A imports 10,000 items: encrypt, push in batches, acknowledge.
    const a = makeVault(ITEMS);
    for (const item of Object.values(a.items)) Object.assign(item, { revision: 0, dirty: true });
    a.revision = 0;
    const ctxA = await ctx();
    const t0 = performance.now();
    await pushDirty(ctxA, a);
    const importMs = performance.now() - t0;

    // Device B's first sync: everything, paged.
    const b = emptyVault();
    const ctxB = await ctx();
    wire = 0;
    const t1 = performance.now();
    await pullChanges(ctxB, b);
    const pulledMs = performance.now() - t1;
    // …and stores it: the worker seals the vault, in parts, into its local store.
    await writeVault(vaultKey, b, { accountId, keyVersion: 1, pending: 0 });
    const firstSyncMs = performance.now() - t1;
    const firstSyncBytes = wire;
    if (Object.keys(b.items).length !== ITEMS) throw new Error('first sync incomplete');

    // "Nothing changed" poll.
    wire = 0;
    await pullChanges(ctxB, b);
    const emptyPollBytes = wire;

    // One change on A, pushed; B pulls it.
    const [first] = Object.values(a.items);
    if (!first) throw new Error('no items');
    a.items[first.id] = {
      ...first,
      fields: { ...(first.fields as LoginFields), password: 'changed' },
      dirty: true,
    };
    await pushDirty(ctxA, a);
    wire = 0;
    await pullChanges(ctxB, b);
    const deltaBytes = wire;
    if ((b.items[first.id]?.fields as LoginFields | undefined)?.password !== 'changed')
      throw new Error('delta not applied');

    return {
      name: 'delta-sync',
      items: ITEMS,
      database: 'pglite (in-process app)',
      importMs: Math.round(importMs),
      importBudgetMs: 5000,
      firstSyncMs: Math.round(firstSyncMs),
      firstSyncBudgetMs: 3000,
      firstSyncPullAndDecryptMs: Math.round(pulledMs),
      firstSyncBytes,
      emptyPollBytes,
      oneChangePullBytes: deltaBytes,
      oneChangeBudgetBytes: 2048,
    };
  } finally {
    await server.close();
  }
}
