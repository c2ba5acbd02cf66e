/**
 * A new device's first sync of 10,000 items, split into its costs on the device (issue 14: first
 * login + full sync + list ready ≤ 3 s in the browser). The same workload (bench/pages/
 * first-sync-entry.ts) runs twice: in Node (fake-indexeddb; `busyMs` is the main thread's busy
 * time from the event loop's utilisation) and in a Chromium page (real IndexedDB and WebCrypto,
 * wall time only). Each figure is the median of `RUNS` runs:
 *
 * - `decryptPage1000`: one pulled page of 1,000 items decrypted as sync-engine.ts does;
 * - `pull10Pages`: pullChanges of 10 pages through the real ApiClient (DPoP proof, JSON, schema
 *   check) against answers prepared in memory — the client's share, no server or network;
 * - `writeVault10k`: writeVault of the 10,000 items into an empty store, as after a first sync;
 * - `openAll10k`: opening that store again (the whole-vault stage of an unlock).
 *
 * Node's WebCrypto costs far more per call than Chromium's (its checks run in JavaScript), so
 * compare runs of one runtime with each other. Run: node --import tsx bench/first-sync.ts
 */

// Extension modules define WXT storage items on import; in Node they get WXT's fake browser.
import '../e2e/support/extension-modules.ts';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import puppeteer from 'puppeteer-core';
import { chromiumOptions } from '../e2e/support/browser.ts';
import { bundleForPage } from './page-bundle.ts';
import { type Busy, firstSyncWorkload } from './pages/first-sync-entry.ts';

const RUNS = Number(process.env.RUNS ?? 5);
const PAGES = path.join(import.meta.dirname, 'pages');

const nodeBusy: Busy = () => {
  let from: ReturnType<typeof performance.eventLoopUtilization> | undefined;
  return {
    start: () => {
      from = performance.eventLoopUtilization();
    },
    stop: () => performance.eventLoopUtilization(from).active,
  };
};

/** The workload as one classic script; in the page, WXT's storage items get the fake browser. */
function bundle(): Promise<string> {
  return bundleForPage(path.join(PAGES, 'first-sync-browser.ts'), { minify: false });
}

async function inChromium(runs: number) {
  const script = await bundle();
  // A secure context (WebCrypto, IndexedDB) on a loopback origin.
  const server = createServer((req, res) => {
    if (req.url === '/bench.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(script);
    } else {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><script src="/bench.js"></script>');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const profileDir = await mkdtemp(path.join(tmpdir(), 'keyhold-bench-'));
  // The e2e devices' Chromium and flags, without the extension: only the page runs Keyhold's code.
  const browser = await puppeteer.launch({ ...chromiumOptions(profileDir), enableExtensions: false });
  try {
    const page = await browser.newPage();
    await page.goto(`http://localhost:${(server.address() as AddressInfo).port}/`);
    const version = await browser.version();
    // PROFILE=<file>: the page's CPU profile of the runs, for DevTools (Performance → load profile).
    const cdp = await page.createCDPSession();
    if (process.env.PROFILE) {
      await writeFile(`${process.env.PROFILE}.js`, script);
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
    }
    const result = await page.evaluate(
      (n) =>
        (globalThis as unknown as { KeyholdBench: { run(n: number): Promise<unknown> } }).KeyholdBench.run(n),
      runs,
    );
    if (process.env.PROFILE) {
      const { profile } = await cdp.send('Profiler.stop');
      await writeFile(process.env.PROFILE, JSON.stringify(profile));
    }
    return { runtime: `${version} page (IndexedDB)`, ...(result as object) };
  } finally {
    await browser.close();
    await rm(profileDir, { recursive: true, force: true });
    server.close();
  }
}

export async function benchFirstSync() {
  const node = {
    runtime: `node ${process.version} (fake-indexeddb)`,
    ...(await firstSyncWorkload(RUNS, nodeBusy)),
  };
  const chromium = await inChromium(RUNS);
  return {
    name: 'first-sync-10k',
    loadAverage: loadavg().map((n) => Number(n.toFixed(2))),
    runs: RUNS,
    node,
    chromium,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchFirstSync()));
  process.exit(0);
}
