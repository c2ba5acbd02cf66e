/**
 * The first-sync workload of bench/first-sync.ts, on web APIs only (WebCrypto, IndexedDB,
 * performance), so the same code runs in Node (fake-indexeddb) and, bundled by vite, in a
 * Chromium page (real IndexedDB, Chromium's WebCrypto). See bench/first-sync.ts.
 */
import { ApiClient, type ServerItem } from '../../extension/background/api-client.ts';
import { memoryDpopKeys } from '../../extension/background/dpop-key.ts';
import { decryptItem, encryptItem } from '../../extension/background/item-crypto.ts';
import { pullChanges } from '../../extension/background/sync-engine.ts';
import { emptyVault } from '../../extension/background/vault-data.ts';
import { VaultKeys } from '../../extension/background/vault-keys.ts';
import { clearVault, openAll, readHead, writeVault } from '../../extension/background/vault-store.ts';
import { generateKeyBytes, importSymmetricKey } from '../../shared-crypto/index.ts';
import { makeVault, median } from '../vault-fixture.ts';

const ITEMS = 10_000;
const PAGE = 1_000;
const accountId = '11111111-2222-4333-8444-555555555555';

/** `busy`: the main thread's busy time of the last run, where the runtime can tell (Node's event loop utilisation). */
export type Busy = () => { start(): void; stop(): number } | null;

async function medianOf(
  runs: number,
  work: () => Promise<unknown>,
  busy: Busy,
  before?: () => Promise<unknown>,
) {
  const wall: number[] = [];
  const active: number[] = [];
  for (let i = 0; i < runs; i++) {
    await before?.();
    const meter = busy();
    meter?.start();
    const t0 = performance.now();
    await work();
    wall.push(performance.now() - t0);
    if (meter) active.push(meter.stop());
  }
  const round = (n: number) => Number(n.toFixed(1));
  return {
    wallMs: round(median(wall)),
    ...(active.length ? { busyMs: round(median(active)) } : {}),
    runsMs: wall.map(Math.round),
  };
}

export async function firstSyncWorkload(runs: number, busy: Busy) {
  const vaultKey = await importSymmetricKey(generateKeyBytes());
  const vault = makeVault(ITEMS);
  const server: ServerItem[] = await Promise.all(
    Object.values(vault.items).map(async (item, n) => ({
      id: item.id,
      revision: n + 1,
      deleted: false,
      keyVersion: 1,
      ciphertext: await encryptItem(vaultKey, accountId, item.id, 1, {
        fields: item.fields,
        createdAt: item.createdAt,
        updatedAt: item.updatedAt,
        conflictOf: item.conflictOf,
      }),
      updatedAt: item.updatedAt,
    })),
  );
  const page = server.slice(0, PAGE);
  const decryptPage = await medianOf(
    runs,
    () => Promise.all(page.map((s) => decryptItem(vaultKey, accountId, s.id, 1, s.ciphertext as string))),
    busy,
  );

  // The whole pull through the real client (DPoP proof, JSON, schema check), answers prepared beforehand.
  // As bytes, as they come off the network (a Response made from a string would encode it each time).
  const answers = new Map<number, Uint8Array<ArrayBuffer>>();
  const encoder = new TextEncoder();
  for (let start = 0; start < ITEMS; start += PAGE) {
    const since = start === 0 ? 0 : (server[start - 1] as ServerItem).revision;
    const items = server.slice(start, start + PAGE);
    answers.set(
      since,
      encoder.encode(JSON.stringify({ revision: ITEMS, items, hasMore: start + PAGE < ITEMS })),
    );
  }
  const api = new ApiClient(
    'http://keyhold.bench',
    async (input) => {
      const since = Number(new URL(String(input)).searchParams.get('since'));
      return new Response(answers.get(since) ?? null, { headers: { 'content-type': 'application/json' } });
    },
    undefined,
    memoryDpopKeys(),
  );
  const ctx = {
    api,
    accessToken: 'bench-token',
    accountId,
    keys: VaultKeys.only(vaultKey),
    refreshKeys: async () => VaultKeys.only(vaultKey),
    now: () => new Date(),
    newId: () => crypto.randomUUID(),
  };
  let pulled = emptyVault();
  const pull = await medianOf(
    runs,
    async () => {
      pulled = emptyVault();
      await pullChanges(ctx, pulled);
    },
    busy,
  );
  if (Object.keys(pulled.items).length !== ITEMS) throw new Error('pull incomplete');

  const write = await medianOf(
    runs,
    () => writeVault(vaultKey, pulled, { accountId, keyVersion: 1, pending: 0 }),
    busy,
    () => clearVault(),
  );
  // What the written vault costs to open again (unlock's whole-vault stage).
  const reopen = await medianOf(
    runs,
    async () => {
      const head = await readHead();
      if (!head) throw new Error('no stored vault');
      const data = await openAll(vaultKey, head);
      if (Object.keys(data.items).length !== ITEMS) throw new Error('vault incomplete');
    },
    busy,
  );
  return {
    items: ITEMS,
    decryptPage1000: decryptPage,
    pull10Pages: pull,
    writeVault10k: write,
    openAll10k: reopen,
  };
}
