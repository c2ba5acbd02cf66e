/**
 * One IndexedDB object store of CryptoKeys (or key pairs) by id, for the worker's non-extractable
 * keys: structured clone keeps a non-extractable key non-extractable. The database opens once.
 */
export interface IdbKeyStore<T> {
  get(id: string): Promise<T | undefined>;
  put(id: string, value: T): Promise<void>;
  delete(id: string): Promise<void>;
}

const STORE = 'keys';

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export function idbKeyStore<T>(dbName: string): IdbKeyStore<T> {
  let opened: Promise<IDBDatabase> | undefined;
  const db = () => {
    opened ??= new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open(dbName, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    return opened;
  };
  const tx = async (mode: IDBTransactionMode) => (await db()).transaction(STORE, mode).objectStore(STORE);
  return {
    get: async (id) => (await request((await tx('readonly')).get(id))) as T | undefined,
    put: async (id, value) => {
      await request((await tx('readwrite')).put(value, id));
    },
    delete: async (id) => {
      await request((await tx('readwrite')).delete(id));
    },
  };
}
