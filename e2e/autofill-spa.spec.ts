import type { Page } from 'puppeteer-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  chooseSuggestion,
  createVault,
  inlineMenu,
  listLogins,
  openToolbarPopup,
  readFields,
  vaultCall,
  waitForValue,
} from './support/autofill.ts';
import { type Device, launchDevice } from './support/browser.ts';
import { type RunningServer, startServer } from './support/server.ts';
import { type Sites, startSites } from './support/sites.ts';
import { waitFor } from './support/wait.ts';

/**
 * Single-page apps and defensive pages (issue 13, classes 4 and 5): a login reached by
 * `history.pushState`, a fill that must still be refused once the frame went to another origin,
 * inputs that are read-only until focused, and a password input a framework re-creates while the
 * username is being filled.
 */

const logins = {
  app: { title: 'App', username: 'ada', password: 'pw-app-1', uris: [{ url: 'http://app.test' }] },
  guarded: {
    title: 'Guarded',
    username: 'grace',
    password: 'pw-guarded-2',
    uris: [{ url: 'http://guarded.test' }],
  },
};

let server: RunningServer;
let sites: Sites;
let device: Device;
const pages: Page[] = [];

beforeAll(async () => {
  [server, sites, device] = await Promise.all([startServer(), startSites(), launchDevice()]);
  await createVault(device, server.url, Object.values(logins));
}, 120_000);

afterAll(async () => {
  await device?.close();
  await sites?.close();
  await server?.stop();
});

afterEach(async () => {
  for (const p of pages.splice(0)) await p.close().catch(() => undefined);
});

async function open(host: string, path: string): Promise<Page> {
  const page = await device.browser.newPage();
  pages.push(page);
  await page.goto(sites.url(host, path));
  return page;
}

/** The SPA's home route, then its login route by pushState (no document load). */
async function openLoginRoute(): Promise<Page> {
  const page = await open('app.test', '/spa-pushstate.html');
  await page.click('#to-login');
  await page.waitForSelector('#username');
  expect(new URL(page.url()).pathname).toBe('/app/login');
  return page;
}

const logOf = (page: Page) => page.evaluate(() => (globalThis as unknown as { log: string[] }).log);

describe('a login reached by history.pushState', () => {
  it('fills from the inline menu', async () => {
    const page = await openLoginRoute();
    await page.click('#username');
    await chooseSuggestion(page, 'App');
    await waitForValue(page, 'password', 'pw-app-1');
    expect(await readFields(page)).toEqual({ username: 'ada', password: 'pw-app-1' });
  });

  it('fills from the popup', async () => {
    const page = await openLoginRoute();
    const popup = await openToolbarPopup(device, page);
    const fill = await popup.waitForSelector('::-p-aria([name="Fill App"][role="button"])');
    await fill?.click();
    await waitForValue(page, 'password', 'pw-app-1');
    expect(await readFields(page)).toEqual({ username: 'ada', password: 'pw-app-1' });
  });

  it('still refuses once the frame went to another origin', async () => {
    const page = await openLoginRoute();
    await page.click('#username');
    const menu = await inlineMenu(page);
    // The menu's session stays in the worker after the page leaves; it was opened for app.test.
    const session = new URL(menu.url()).hash.slice(1);
    await page.goto(sites.url('other.test', '/simple.html'));
    await page.waitForSelector('#username');
    const id = (await listLogins(device)).find((l) => l.title === 'App')?.id;
    const r = await vaultCall<{ status: string; filled: number }>(device, 'menuChoose', {
      session,
      action: { kind: 'fill', id, allowInsecure: false },
    });
    expect(r).toMatchObject({ status: 'refused', filled: 0 });
    expect(await readFields(page)).toEqual({ username: '', password: '' });
  });
});

describe('inputs that are read-only until focused', () => {
  it('focuses each box first, then fills it once it is editable', async () => {
    const page = await open('guarded.test', '/readonly-until-focus.html');
    await page.click('#username');
    await chooseSuggestion(page, 'Guarded');
    await waitForValue(page, 'password', 'pw-guarded-2');
    expect(await readFields(page)).toEqual({ username: 'grace', password: 'pw-guarded-2' });
    expect(await logOf(page)).toContain('unlocked password');
    // A box that is read-only for good (it shows a value) is left alone.
    expect(await page.$eval('#region', (el) => (el as HTMLInputElement).value)).toBe('eu');
  });

  it('leaves a box that stays read-only empty and says the fill was partial', async () => {
    const page = await open('guarded.test', '/readonly-until-focus.html?stay=password');
    await page.click('#username');
    const menu = await chooseSuggestion(page, 'Guarded');
    await waitForValue(page, 'username', 'grace');
    await menu.waitForSelector('::-p-text(Filled partly)');
    expect(await readFields(page)).toEqual({ username: 'grace', password: '' });
  });
});

describe('inputs a framework re-creates during the fill', () => {
  it('finds the new password input and fills it', async () => {
    const page = await open('guarded.test', '/recreated-inputs.html');
    await page.click('#username');
    await chooseSuggestion(page, 'Guarded');
    const filled = await waitFor(
      () => readFields(page),
      (v) => v.password === 'pw-guarded-2',
    );
    expect(filled).toEqual({ username: 'grace', password: 'pw-guarded-2', passwordInDom: 'pw-guarded-2' });
    expect(await logOf(page)).toContain('re-created password');
  });
});
