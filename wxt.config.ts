import path from 'node:path';
import preact from '@preact/preset-vite';
import { defineConfig } from 'wxt';
import { SCORER_DATA_PATH } from './extension/background/scorer-data.ts';
import { scorerDataJson } from './scripts/scorer-data.ts';

/** Entrypoint kinds built against the browser's own API (no webextension-polyfill), see hooks. */
const NATIVE_API: ReadonlySet<string> = new Set(['content-script', 'popup', 'options', 'unlisted-page']);

// Auto-imports are off: in a security product every name must be traceable.
export default defineConfig({
  srcDir: 'extension',
  // Icons (extension/public/icon/<size>.png, made by scripts/icons.ts) live beside the sources.
  publicDir: 'extension/public',
  imports: false,
  modules: ['@wxt-dev/webextension-polyfill', '@wxt-dev/i18n/module'],
  vite: () => ({
    plugins: [preact()],
    // Scripts in ASCII (other characters escaped): Chromium decodes a script holding any other
    // character into UTF-16 before compiling it, which cost a cold service worker 75 ms for the
    // public suffix list's Unicode names (docs/performance.md; e2e/bundle-contents.spec.ts).
    build: { rolldownOptions: { output: { charset: 'ascii' } } },
  }),
  hooks: {
    // The password-strength estimator's dictionaries and graphs: a data file the worker reads when it
    // first scores a password, written from the installed @zxcvbn-ts packages at every build
    // (scripts/scorer-data.ts; docs/health.md), instead of 1.5 MB of script in background.js.
    'prepare:publicPaths': (_wxt, paths) => {
      paths.push(SCORER_DATA_PATH.slice(1));
    },
    'build:publicAssets': async (_wxt, files) => {
      files.push({ relativeDest: SCORER_DATA_PATH.slice(1), contents: await scorerDataJson() });
    },
    // The script injected into every page, and the extension's pages, get the browser's own promise
    // API instead of webextension-polyfill: the content script for its size budget, the pages for
    // their first paint. Both only call promise-returning APIs and port/sync ones, which Chrome MV3
    // and Firefox answer alike; the polyfill adds nothing there. The service worker keeps it (its
    // message listener returns promises), and so does the offscreen document, which imports it
    // itself for the same reason (entrypoints/offscreen/main.ts).
    'vite:build:extendConfig': (entrypoints, config) => {
      if (!entrypoints.every((e) => NATIVE_API.has(e.type))) return;
      config.resolve ??= {};
      const alias = {
        'wxt/browser': path.resolve(import.meta.dirname, 'extension/autofill/native-browser.ts'),
      };
      const existing = config.resolve.alias;
      config.resolve.alias = Array.isArray(existing)
        ? [{ find: 'wxt/browser', replacement: alias['wxt/browser'] }, ...existing]
        : { ...(existing as Record<string, string> | undefined), ...alias };
    },
  },
  manifest: ({ browser }) => ({
    name: '__MSG_ext_name__',
    description: '__MSG_ext_description__',
    default_locale: 'en',
    // idle: auto-lock follows the computer's idle and screen-lock signals (background/auto-lock.ts).
    // webNavigation: list a tab's frames so each frame is matched on its own origin when filling.
    // webRequest (observe only: no blocking, no webRequestBlocking): in a service worker fetch()
    // rejects with the same TypeError for a closed port and an untrusted certificate; only
    // webRequest.onErrorOccurred names the cause (net::ERR_CERT_…, SEC_ERROR_…), so the popup can
    // say "certificate not trusted" instead of "cannot be reached". The listener is filtered to
    // requests outside tabs (tabId -1: our own worker's), see background/net-errors.ts. It adds no
    // install warning beyond the host permissions below.
    // offscreen, clipboardWrite, clipboardRead: a copy is written by a document (the worker has no
    // DOM) and cleared after the chosen time only if the clipboard still holds it, which needs reading
    // it (docs/clipboard.md). Firefox has no offscreen API: its background page writes itself.
    permissions: [
      'storage',
      'alarms',
      'idle',
      'unlimitedStorage',
      'webNavigation',
      'contextMenus',
      'webRequest',
      'clipboardWrite',
      'clipboardRead',
      ...(browser === 'firefox' ? [] : ['offscreen']),
    ],
    // The sync server is reached from the service worker with host permission, so no CORS is needed;
    // the content script runs on every http(s) page, which needs the same access anyway.
    host_permissions: ['http://*/*', 'https://*/*'],
    commands: {
      'fill-login': {
        suggested_key: { default: 'Ctrl+Shift+L', mac: 'Command+Shift+L' },
        description: '__MSG_worker_fillCommand__',
      },
    },
    // The in-page menu and prompt are extension pages framed into web pages (README invariant 7).
    web_accessible_resources:
      browser === 'firefox'
        ? ['inline-menu.html', 'save-prompt.html']
        : [{ resources: ['inline-menu.html', 'save-prompt.html'], matches: ['http://*/*', 'https://*/*'] }],
    content_security_policy: {
      // hash-wasm's Argon2id needs WebAssembly; Chrome's MV3 default refuses to compile it.
      extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'",
    },
    ...(browser === 'firefox'
      ? { browser_specific_settings: { gecko: { id: 'keyhold@keyhold.dev', strict_min_version: '115.0' } } }
      : {}),
  }),
});
