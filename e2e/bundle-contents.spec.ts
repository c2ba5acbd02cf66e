import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXTENSION_PATH } from './support/browser.ts';

/**
 * What the built extension puts where. The password-strength estimator (zxcvbn-ts and its
 * dictionaries, over a megabyte) is for the popup screens that ask for a new master password,
 * loaded there on demand, and for the vault health report in the service worker (a worker cannot
 * `import()`: the IIFE bundle holds it, evaluated only on the first report, docs/health.md). Never
 * in the content script every page gets, or the extension pages framed into web pages.
 */

/** Strings that survive minification: an option of the estimator's core, its dictionaries' names. */
const ESTIMATOR = ['l33tMaxSubstitutions', 'passwords-common', 'commonWords-en'];

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

async function holdsEstimator(entries: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const entry of entries) {
    for (const [file, code] of await staticClosure(entry)) {
      if (ESTIMATOR.some((marker) => code.includes(marker))) found.push(file);
    }
  }
  return found;
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
    const code = [...(await staticClosure(popup[0] as string)).values()].join('\n');
    expect(/import\([`"']\.\/[^`"']+\.js[`"']\)/.test(code)).toBe(true);
    expect(code.includes('ZxcvbnFactory')).toBe(true);
  });
});
