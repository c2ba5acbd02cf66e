import 'fake-indexeddb/auto';
import { fakeBrowser } from 'wxt/testing/fake-browser';

/**
 * Specs import some extension modules (the crypto, sync engine and list code) to seed and read
 * vaults from Node. Those modules define WXT storage items, which read `browser.storage` as soon as
 * they are defined; in Node there is no `browser`, and each read would fail as an unhandled
 * rejection. WXT's fake browser gives them an in-memory storage, as in the extension unit tests.
 * The worker's vault store (IndexedDB) gets fake-indexeddb. The extension under test runs in
 * Chromium and never sees this.
 */
(globalThis as { browser?: unknown }).browser = fakeBrowser;
