/**
 * bench/first-sync.ts's workload bundled for a Chromium page: WXT's storage items (defined on
 * import by the extension modules) get WXT's fake browser, IndexedDB and WebCrypto are the page's.
 */
import { fakeBrowser } from 'wxt/testing/fake-browser';

(globalThis as { browser?: unknown }).browser = fakeBrowser;

export async function run(runs: number) {
  // After the fake browser is in place: the extension modules read it as they load.
  const { firstSyncWorkload } = await import('./first-sync-entry.ts');
  return firstSyncWorkload(runs, () => null);
}
