import type { Page } from 'puppeteer-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  chooseSuggestion,
  createVault,
  inlineMenu,
  menuGone,
  noMenuWithin,
  readFields,
  waitForValue,
} from './support/autofill.ts';
import { type Device, launchDevice } from './support/browser.ts';
import { type RunningServer, startServer } from './support/server.ts';
import { type Sites, startSites } from './support/sites.ts';

/**
 * The inline menu opens on the user's own gesture only (issue 13, class 8): a press on the field or
 * a Tab into it. The page's `autofocus` and `focus()` in code, and Keyhold's own fill focusing each
 * field it writes, open nothing; a click elsewhere closes the menu.
 */

const bank = {
  title: 'Bank',
  username: 'ada@bank.test',
  password: 'pw-bank-1',
  uris: [{ url: 'http://bank.test' }],
};

let server: RunningServer;
let sites: Sites;
let device: Device;
const pages: Page[] = [];

beforeAll(async () => {
  [server, sites, device] = await Promise.all([startServer(), startSites(), launchDevice()]);
  await createVault(device, server.url, [bank]);
}, 120_000);

afterAll(async () => {
  await device?.close();
  await sites?.close();
  await server?.stop();
});

afterEach(async () => {
  for (const p of pages.splice(0)) await p.close().catch(() => undefined);
});

async function open(path: string): Promise<Page> {
  const page = await device.browser.newPage();
  pages.push(page);
  await page.goto(sites.url('bank.test', path));
  return page;
}

const log = (page: Page) => page.evaluate(() => (globalThis as unknown as { log: string[] }).log);

describe('the inline menu opens only on a user gesture', () => {
  it('not on autofocus or a focus() in code; on a press on the field, or Tab', async () => {
    const page = await open('/autofocus.html');
    await page.waitForFunction(() =>
      (globalThis as unknown as { log: string[] }).log.includes('focused password'),
    );
    expect(await noMenuWithin(page, 1_500)).toBe(true);
    await page.evaluate(() =>
      (globalThis as unknown as { focusInCode(id: string): void }).focusInCode('username'),
    );
    expect(await noMenuWithin(page, 1_500)).toBe(true);

    // The user's own press on the field opens it.
    await page.click('#password');
    await inlineMenu(page);
    // Escape closes it; Shift+Tab (a keyboard focus change) opens it on the username.
    await page.keyboard.press('Escape');
    expect(await noMenuWithin(page, 500)).toBe(true);
    await page.keyboard.down('Shift');
    await page.keyboard.press('Tab');
    await page.keyboard.up('Shift');
    await inlineMenu(page);
    expect(await log(page)).toEqual(['focused password', 'focused username']);
  });

  it('does not reopen by itself after a fill', async () => {
    const page = await open('/simple.html');
    await page.click('#username');
    await chooseSuggestion(page, 'Bank');
    await waitForValue(page, 'password', 'pw-bank-1');
    expect((await readFields(page)).username).toBe('ada@bank.test');
    expect(await noMenuWithin(page, 1_500)).toBe(true);
  });

  it('closes on a click elsewhere on the page', async () => {
    const page = await open('/simple.html');
    await page.click('#password');
    await inlineMenu(page);
    await page.click('h1');
    expect(await menuGone(page)).toBe(true);
  });
});
