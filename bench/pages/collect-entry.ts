/**
 * Bundled by bench/autofill.ts (vite, IIFE) and injected into a served page: times the content
 * script's real `collectFrame` in the page's main world. Without `chrome.dom` there, collect falls
 * back to open shadow roots, which is all these pages use.
 */
import { collectFrame, FieldRegistry } from '../../extension/autofill/collect.ts';

/** Every <input> of the document, open shadow trees included (what the page offers collect). */
function countInputs(root: Document | ShadowRoot): number {
  let n = 0;
  for (const el of root.querySelectorAll('*')) {
    if (el instanceof HTMLInputElement) n++;
    if (el.shadowRoot) n += countInputs(el.shadowRoot);
  }
  return n;
}

/** One collect as the content script does on load: a fresh registry, so ids are assigned too. */
function once(): { ms: number; fields: number; fillable: number } {
  const t0 = performance.now();
  const { report } = collectFrame(new FieldRegistry(), document);
  const ms = performance.now() - t0;
  return { ms, fields: report.fields.length, fillable: report.fields.filter((f) => f.fillable).length };
}

export function timeCollect(warmup: number, runs: number) {
  const first = once();
  for (let i = 0; i < warmup; i++) once();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(once().ms);
  return {
    inputs: countInputs(document),
    elements: document.querySelectorAll('*').length,
    reportedFields: first.fields,
    fillableFields: first.fillable,
    firstRunMs: first.ms,
    times,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
  };
}
