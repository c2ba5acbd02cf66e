import { vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';

/**
 * The worker's sealed vault store (background/vault-store.ts) as tests handle it: the records of a
 * "device" to snapshot and swap back in (devices share one fake IndexedDB in a test process), and a
 * full disk.
 */

const DB_NAME = 'keyhold-vault';
const STORE = 'vault';

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function withStore<T>(
  mode: IDBTransactionMode,
  work: (store: IDBObjectStore) => Promise<T>,
): Promise<T> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  try {
    const tx = db.transaction(STORE, mode);
    const done = new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onabort = () => reject(tx.error);
    });
    const out = await work(tx.objectStore(STORE));
    await done;
    return out;
  } finally {
    db.close();
  }
}

export type VaultRecords = [IDBValidKey, unknown][];

/** Every record of the vault store, as they are now. */
export function vaultRecords(): Promise<VaultRecords> {
  return withStore('readonly', async (store) => {
    const [keys, values] = await Promise.all([request(store.getAllKeys()), request(store.getAll())]);
    return keys.map((k, i): [IDBValidKey, unknown] => [k, values[i]]);
  });
}

/** Replaces the store's records with `records` (another device's, or a tampered copy). */
export function putVaultRecords(records: VaultRecords): Promise<void> {
  return withStore('readwrite', async (store) => {
    await request(store.clear());
    for (const [k, v] of records) await request(store.put(v, k));
  });
}

/**
 * The device's storage is full: vault writes (IndexedDB) and storage.local writes fail as a full
 * disk makes them fail. Returns the undo.
 */
export function storageFull(): () => void {
  const put = vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
    throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
  });
  const set = vi
    .spyOn(fakeBrowser.storage.local, 'set')
    .mockRejectedValue(new Error('QUOTA_BYTES quota exceeded'));
  return () => {
    put.mockRestore();
    set.mockRestore();
  };
}

/** One device's storage: WXT's local and session areas and its vault store. */
export type DeviceSnapshot = {
  local: Record<string, unknown>;
  session: Record<string, unknown>;
  vault: VaultRecords;
};

export async function snapshotDevice(): Promise<DeviceSnapshot> {
  return {
    local: await fakeBrowser.storage.local.get(null),
    session: await fakeBrowser.storage.session.get(null),
    vault: await vaultRecords(),
  };
}

/** Swaps a device's storage in (a worker made afterwards runs on it). */
export async function restoreDevice(s: DeviceSnapshot): Promise<void> {
  fakeBrowser.reset();
  await fakeBrowser.storage.local.set(s.local);
  await fakeBrowser.storage.session.set(s.session);
  await putVaultRecords(s.vault);
}

/** A device that never held anything: empty storage areas and vault store. */
export async function freshDevice(): Promise<void> {
  fakeBrowser.reset();
  await putVaultRecords([]);
}

/** Anything that works on the device's storage in a queue of its own (a VaultService). */
export interface QueuedWorker {
  idle(): Promise<void>;
}

/**
 * Device switches that first wait for the workers' queued work: a sign-in answers before it seals
 * the pulled vault (docs/accounts.md), and that write belongs to its own device's storage, not to
 * the one swapped in next (nor in a snapshot taken without it).
 */
export function deviceSwitches(workers: () => Iterable<QueuedWorker>) {
  const idle = async () => {
    await Promise.all([...workers()].map((worker) => worker.idle()));
  };
  return {
    snapshot: async (): Promise<DeviceSnapshot> => {
      await idle();
      return snapshotDevice();
    },
    restore: async (s: DeviceSnapshot): Promise<void> => {
      await idle();
      await restoreDevice(s);
    },
    fresh: async (): Promise<void> => {
      await idle();
      await freshDevice();
    },
  };
}
