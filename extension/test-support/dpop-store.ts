import { type DpopKeyStore, useDpopKeyStore } from '../background/dpop-key.ts';

/**
 * Unit tests run in Node, which has no IndexedDB: DPoP key pairs (still non-extractable CryptoKeys)
 * are kept in memory instead, by thumbprint — every simulated device's, since which one is current
 * lives in the (swapped) storage snapshot.
 */
export function memoryKeyStore(): DpopKeyStore {
  const pairs = new Map<string, CryptoKeyPair>();
  return {
    get: async (id) => pairs.get(id),
    put: async (id, pair) => {
      pairs.set(id, pair);
    },
    delete: async (id) => {
      pairs.delete(id);
    },
  };
}

useDpopKeyStore(memoryKeyStore());
