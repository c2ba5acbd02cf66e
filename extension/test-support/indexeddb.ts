import 'fake-indexeddb/auto';
import { beforeEach } from 'vitest';
import { clearVault } from '../background/vault-store.ts';

// Node has no IndexedDB: fake-indexeddb gives the worker's vault store the same API (transactions
// included). Like WXT's fake browser storage, it starts empty for every test.
beforeEach(async () => {
  await clearVault();
});
