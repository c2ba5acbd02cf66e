// The polyfill, not wxt/browser (the browser's own API on pages, wxt.config.ts): this listener
// answers by returning a promise, which Chrome's own onMessage does not take.
import { browser } from '@wxt-dev/webextension-polyfill/browser';
import { ClipboardDocument, domClipboard } from '../../offscreen/clipboard-document.ts';

// Chrome's offscreen document for the clipboard (docs/clipboard.md): it only wires.
const clipboard = new ClipboardDocument(domClipboard(document), () => {
  // Wakes the worker if it was stopped; it clears only what its own record says is due.
  void browser.runtime.sendMessage({ name: 'clipboardDue', request: {} }).catch(() => undefined);
});
browser.runtime.onMessage.addListener((message: unknown) => clipboard.handle(message));
