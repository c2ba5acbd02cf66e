import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScorerData, SCORER_DATA_PATH } from '../extension/background/scorer-data.ts';
import { EXTENSION_PATH } from './support/browser.ts';

/**
 * What the built extension puts where. The password-strength estimator (zxcvbn-ts and its
 * dictionaries, over a megabyte) is for the popup screens that ask for a new master password,
 * loaded there on demand, and for the vault health report in the service worker. A worker cannot
 * `import()`, so its script would hold everything it may ever run, read at every worker start: it
 * holds only the estimator's core, and reads the dictionaries from a data file packaged beside it
 * on the first report (docs/health.md). Never in the content script every page gets, or the
 * extension pages framed into web pages.
 *
 * zod validates in the service worker (every message), on the import page (files) and in the
 * popup's forms, which load it on demand; the popup's first screen, the inline menu and the save
 * prompt are painted without it. No page but the offscreen document loads webextension-polyfill
 * (wxt.config.ts); the content script neither.
 */

/** Strings that survive minification: an option of the estimator's core, its dictionaries' names. */
const ESTIMATOR = ['l33tMaxSubstitutions', 'passwords-common', 'commonWords-en'];
/** The names of the dictionaries' lists: in the packaged data file, not in a script. */
const DICTIONARIES = ['passwords-common', 'commonWords-en', 'lastnames-en'];
/** zod's core class names, which it keeps as strings. */
const ZOD = ['$ZodType', 'ZodError'];
/** The reply marker webextension-polyfill sends and reads for a rejected listener. */
const POLYFILL = ['__mozWebExtensionPolyfillReject__'];

const read = (file: string) => readFile(path.join(EXTENSION_PATH, file), 'utf8');

/** A built file and every file it imports statically, transitively (dynamic `import()` excluded). */
async function staticClosure(entry: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (files.has(file)) continue;
    const code = await read(file);
    files.set(file, code);
    // `import"./x.js"` and `…from"./x.js"`, minified or not; `import("./x.js")` has a parenthesis.
    for (const m of code.matchAll(/\b(?:from|import)\s*["'](\.{1,2}\/[^"']+\.js)["']/g)) {
      pending.push(path.posix.join(path.posix.dirname(file), m[1] as string));
    }
  }
  return files;
}

/** The scripts an HTML page of the extension loads (its module entry and preloads). */
async function pageScripts(html: string): Promise<string[]> {
  const page = await read(html);
  return [...page.matchAll(/(?:src|href)="\/([^"]+\.js)"/g)].map((m) => m[1] as string);
}

/** A page's module entry (the popup also runs a plain script before it, public/popup-wake.js). */
async function pageEntry(html: string): Promise<string> {
  const entry = /<script type="module"[^>]* src="\/([^"]+\.js)"/.exec(await read(html))?.[1];
  if (!entry) throw new Error(`${html} has no module script`);
  return entry;
}

/** The files among `entries` and what they import statically that hold one of `markers`. */
async function holding(markers: string[], entries: string[]): Promise<string[]> {
  const found = new Set<string>();
  for (const entry of entries) {
    for (const [file, code] of await staticClosure(entry)) {
      if (markers.some((marker) => code.includes(marker))) found.add(file);
    }
  }
  return [...found];
}

const holdsEstimator = (entries: string[]) => holding(ESTIMATOR, entries);

/** The chunks a file's static closure asks for with `import()`. */
async function dynamicImports(entry: string): Promise<string[]> {
  const found = new Set<string>();
  for (const [file, code] of await staticClosure(entry)) {
    for (const m of code.matchAll(/import\(\s*[`"'](\.{1,2}\/[^`"']+\.js)[`"']\s*\)/g)) {
      found.add(path.posix.join(path.posix.dirname(file), m[1] as string));
    }
  }
  return [...found];
}

describe('the built extension', () => {
  it('keeps the strength estimator out of content scripts and pages framed into sites', async () => {
    const manifest = JSON.parse(await read('manifest.json')) as {
      background: { service_worker: string };
      content_scripts: { js: string[] }[];
    };
    const contentScripts = manifest.content_scripts.flatMap((c) => c.js);
    expect(contentScripts.length).toBeGreaterThan(0);
    const framed = [...(await pageScripts('inline-menu.html')), ...(await pageScripts('save-prompt.html'))];
    expect(await holdsEstimator([...contentScripts, ...framed])).toEqual([]);
  });

  it('loads it into the popup only on demand, from chunks of its own', async () => {
    const popup = await pageScripts('popup.html');
    expect(await holdsEstimator(popup)).toEqual([]);
    // …and the popup does ask for it, with a dynamic import.
    const code = [...(await staticClosure(await pageEntry('popup.html'))).values()].join('\n');
    expect(/import\([`"']\.\/[^`"']+\.js[`"']\)/.test(code)).toBe(true);
    expect(code.includes('ZxcvbnFactory')).toBe(true);
  });

  it('keeps the dictionaries out of the service worker script, in a data file it reads', async () => {
    const worker = await read('background.js');
    expect(DICTIONARIES.filter((name) => worker.includes(name))).toEqual([]);
    expect(worker.length).toBeLessThan(1_000_000);
    // The core is in the worker (it scores there), and so is the path of the data it reads.
    expect(worker.includes('l33tMaxSubstitutions')).toBe(true);
    expect(worker.includes(SCORER_DATA_PATH)).toBe(true);
    const data = parseScorerData(JSON.parse(await read(SCORER_DATA_PATH.slice(1))));
    expect(Object.keys(data.dictionary)).toEqual(expect.arrayContaining(DICTIONARIES));
    expect(data.dictionary['passwords-common']?.length).toBeGreaterThan(10_000);
    // Read by the worker from its own origin: no web page may fetch it.
    const manifest = await read('manifest.json');
    expect(manifest.includes('zxcvbn')).toBe(false);
  });

  it('paints the popup, the inline menu and the save prompt without zod', async () => {
    for (const page of ['popup.html', 'inline-menu.html', 'save-prompt.html']) {
      expect(await holding(ZOD, await pageScripts(page)), page).toEqual([]);
    }
    // The markers do find zod where it is: the import page checks the files it reads.
    expect(await holding(ZOD, await pageScripts('transfer.html'))).not.toEqual([]);
  });

  it("loads zod into the popup only on demand, for the forms that run the worker's checks", async () => {
    const onDemand = await holding(ZOD, await dynamicImports(await pageEntry('popup.html')));
    expect(onDemand).not.toEqual([]);
  });

  it('gives no extension page but the offscreen document webextension-polyfill', async () => {
    const manifest = JSON.parse(await read('manifest.json')) as { content_scripts: { js: string[] }[] };
    const pages = ['popup.html', 'inline-menu.html', 'save-prompt.html', 'options.html', 'transfer.html'];
    const scripts = [...manifest.content_scripts.flatMap((c) => c.js)];
    for (const page of pages) scripts.push(...(await pageScripts(page)));
    expect(await holding(POLYFILL, scripts)).toEqual([]);
    // The service worker and the offscreen document answer messages with promises: they keep it.
    expect(await holding(POLYFILL, ['background.js'])).toEqual(['background.js']);
    expect(await holding(POLYFILL, await pageScripts('offscreen.html'))).not.toEqual([]);
  });

  it('writes every script in ASCII, so that the browser decodes it without converting it', async () => {
    // Chromium decodes a script with any other character into UTF-16 before compiling it: with the
    // public suffix list's Unicode names in it, that took a cold worker 75 ms before its first line
    // ran (wxt.config.ts, docs/performance.md). The escapes mean the same strings.
    const scripts = (await readdir(EXTENSION_PATH, { recursive: true })).filter((f) => f.endsWith('.js'));
    expect(scripts).toContain('background.js');
    const nonAscii: string[] = [];
    for (const file of scripts) {
      if (/[\u0080-\uffff]/.test(await read(file))) nonAscii.push(file);
    }
    expect(nonAscii).toEqual([]);
    // The suffix list is still there, escaped: a name the matcher must know (xn--55qx5d is 公司).
    expect(/\\u516c\\u53f8/i.test(await read('background.js'))).toBe(true);
  });
});
