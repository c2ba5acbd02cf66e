import { browser } from 'wxt/browser';
import { defineContentScript } from 'wxt/utils/define-content-script';
import { ContentAgent } from '../autofill/content-agent.ts';

// Injected into every frame: keep it small (bench/autofill.ts measures it). Logic lives in
// autofill/content-agent.ts; this file only wires it to the page's lifetime.
export default defineContentScript({
  matches: ['http://*/*', 'https://*/*'],
  allFrames: true,
  // Also in about:blank / srcdoc frames, which run on the origin of the page that made them
  // (autofill/frame-origin.ts matches them on that origin; opaque ones are still refused).
  matchAboutBlank: true,
  matchOriginAsFallback: true,
  runAt: 'document_idle',
  main(ctx) {
    new ContentAgent(browser.runtime, browser.storage.local, ctx.signal).start();
  },
});
