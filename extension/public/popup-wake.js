// Wakes the service worker the moment the popup's HTML is parsed, before the popup's modules are
// fetched and compiled (about 100 ms on a slow machine): a worker that was asleep starts and begins
// opening the stored vault's first page meanwhile (docs/extension-pages.md, "Opening"). The answer
// is not used; the popup asks for its state again when its script runs (popup/opening.ts).
// A plain script (not a module): module scripts run only after the whole module graph has loaded.
{
  const api = globalThis.browser ?? globalThis.chrome;
  try {
    const sent = api.runtime.sendMessage({ name: 'getState', request: {} });
    if (sent && typeof sent.catch === 'function') sent.catch(() => undefined);
  } catch {
    // No worker to wake (the extension is being reloaded): the popup's own requests say so.
  }
}
