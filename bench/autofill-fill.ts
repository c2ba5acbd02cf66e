/**
 * Autofill as the user waits for it, in the real built extension in Chromium (issue 13): time from
 * a press on a login field to the inline menu on screen, and from the press on a suggestion to the
 * password written, on a small login page and on one with 5,000 other inputs (budget ≤ 100 ms).
 * Figures only.
 */
// Extension modules define WXT storage items on import; in Node they get WXT's fake browser.
import '../e2e/support/extension-modules.ts';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Frame, Page } from 'puppeteer-core';
import { createVault } from '../e2e/support/autofill.ts';
import { launchDevice } from '../e2e/support/browser.ts';
import { startServer } from '../e2e/support/server.ts';
import { median } from './fixtures.ts';

const RUNS = 7;
const BANK = { title: 'Bank', username: 'ada', password: 'pw-fill-1', uris: [{ url: 'http://fill.test' }] };
const OTHER_INPUTS = 5000;
const FILL_BUDGET_MS = 100;

const login = `
  <form id="login"><label for="username">Username</label><input id="username" name="username">
  <label for="password">Password</label><input id="password" name="password" type="password">
  <button>Sign in</button></form>
  <script>
    // When the password is written, in the page's own clock (wall time, as the bench's).
    document.getElementById('password').addEventListener('input', () => { window.filledAt = Date.now(); });
  </script>`;

function pageHtml(others: number): string {
  const rows: string[] = [];
  for (let i = 0; i < others; i++)
    rows.push(
      `<div><label for="o${i}">Field ${i}</label><input id="o${i}" name="o${i}" type="${i % 3 ? 'text' : 'number'}"></div>`,
    );
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Sign in</title></head>
<body><h1>Sign in</h1>${login}<form id="others">${rows.join('')}</form></body></html>`;
}

async function serve() {
  const pages: Record<string, string> = { '/small.html': pageHtml(0), '/big.html': pageHtml(OTHER_INPUTS) };
  const server = createServer((req, res) => {
    const body = pages[(req.url ?? '').split('?')[0] ?? ''];
    res.writeHead(body ? 200 : 404, { 'content-type': 'text/html', 'cache-control': 'no-store' });
    res.end(body ?? '');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (p: string) => `http://fill.test:${port}${p}`,
    close: () => new Promise((r) => server.close(r)),
  };
}

const isMenu = (f: Frame) => f.url().includes('/inline-menu.html');

async function menuFrame(page: Page): Promise<Frame> {
  for (let i = 0; i < 400; i++) {
    const f = page.frames().find(isMenu);
    if (f) return f;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('no menu');
}

async function measure(page: Page) {
  // Press on the field → the menu's suggestion is on screen (its document has rendered the button).
  const m0 = Date.now();
  await page.click('#username');
  const menu = await menuFrame(page);
  const suggestion = await menu.waitForSelector('::-p-aria([name="Bank"][role="button"])');
  const menuMs = Date.now() - m0;
  // The menu ignores clicks until it has been visibly on screen for a moment (clickjacking guard).
  await new Promise((r) => setTimeout(r, 700));
  const f0 = Date.now();
  await suggestion?.click();
  await page.waitForFunction(() => (window as unknown as { filledAt?: number }).filledAt !== undefined, {
    polling: 5,
  });
  const filledAt = await page.evaluate(() => (window as unknown as { filledAt: number }).filledAt);
  return { menuMs, fillMs: filledAt - f0 };
}

export async function benchAutofillFill() {
  const [server, site, device] = await Promise.all([startServer(), serve(), launchDevice()]);
  try {
    await createVault(device, server.url, [BANK]);
    const result: Record<string, unknown> = { name: 'autofill-fill', fillBudgetMs: FILL_BUDGET_MS };
    for (const [label, p] of [
      ['smallPage', '/small.html'],
      [`page${OTHER_INPUTS}Inputs`, '/big.html'],
    ] as const) {
      const menu: number[] = [];
      const fill: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        const page = await device.browser.newPage();
        await page.goto(site.url(p));
        const r = await measure(page);
        menu.push(r.menuMs);
        fill.push(r.fillMs);
        await page.close();
      }
      result[label] = {
        clickToMenuMs: { median: median(menu), runs: menu },
        suggestionToFilledMs: { median: median(fill), runs: fill },
      };
    }
    result.note =
      'wall-clock ms from the bench process (CDP input) to the page; the suggestion figure ends at the password input event';
    return result;
  } finally {
    await device.close();
    await site.close();
    await server.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.stdout.write(`${JSON.stringify(await benchAutofillFill(), null, 2)}\n`);
  process.exit(0);
}
