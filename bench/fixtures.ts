// Extension modules define WXT storage items on import; in Node they get WXT's fake browser.
import '../e2e/support/extension-modules.ts';
import type { ApiClient } from '../extension/background/api-client.ts';
import { randomAccount } from './random-account.ts';

export { makeItem, makeVault, median, uuidFor } from './vault-fixture.ts';

/**
 * Registers an account whose keys are random bytes: enough for benches that measure the server
 * and the sync engine (they bring their own vault key), without paying for a KDF.
 */
export async function registerBenchAccount(api: ApiClient) {
  const { body, credentials } = randomAccount('bench');
  await api.register(body);
  return credentials;
}
