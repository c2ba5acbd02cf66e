/**
 * `wxt/browser` for the content script only (wxt.config.ts aliases it): the browser's own promise
 * API — `browser` in Firefox, `chrome` in Chrome MV3 — instead of webextension-polyfill, which
 * alone would take a third of the 30 KB budget of a script injected into every page. Content code
 * uses only promise-returning calls and sendResponse-style listeners, which both engines support.
 */
const g = globalThis as unknown as { browser?: { runtime?: { id?: string } }; chrome?: unknown };

// biome-ignore lint/suspicious/noExplicitAny: the alias must satisfy wxt/browser's full typed surface.
export const browser: any = g.browser?.runtime?.id ? g.browser : g.chrome;
