import type { Page } from 'puppeteer-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  chooseSuggestion,
  createVault,
  inlineMenu,
  openToolbarPopup,
  readFields,
  waitForValue,
} from './support/autofill.ts';
import { type Device, launchDevice } from './support/browser.ts';
import { type RunningServer, startServer } from './support/server.ts';
import { type Sites, startSites } from './support/sites.ts';
import { waitFor } from './support/wait.ts';

/**
 * Sign-up forms taken for login forms (issue 13, class 10): on registration pages without
 * `autocomplete` tokens, in several languages, the password box offers the generator — not the
 * login the vault has for that very site — and the stored password is never written there. A login
 * page with "Forgot password?", "Remember me" and "Sign in" stays a login page.
 */

const STORED = 'pw-acme-stored-1';
const login = {
  title: 'Acme',
  username: 'ada@acme.test',
  password: STORED,
  uris: [{ url: 'http://acme.test' }],
};
const GENERATE = 'Use a strong generated password';

let server: RunningServer;
let sites: Sites;
let device: Device;
const pages: Page[] = [];

beforeAll(async () => {
  [server, sites, device] = await Promise.all([startServer(), startSites(), launchDevice()]);
  await createVault(device, server.url, [login]);
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
  await page.goto(sites.url('acme.test', path));
  return page;
}

/** Whether the open menu lists the stored login (as a suggestion button named by its title). */
const offersStoredLogin = async (page: Page) =>
  (await (await inlineMenu(page)).$('::-p-aria([name="Acme"][role="button"])')) !== null;

describe('sign-up pages offer the generator, never the stored login', () => {
  it.each([
    [
      'a single password with name and terms, no autocomplete',
      '/signup-plain.html',
      '#password',
      ['password'],
    ],
    ['a Japanese sign-up (会員登録)', '/signup-ja.html', '#pw', ['password']],
    ['a German sign-up with "Passwort wiederholen"', '/signup-de.html', '#pw1', ['password', 'confirm']],
  ])('%s', async (_name, path, selector, newBoxes) => {
    const page = await open(path);
    await page.click(selector);
    const menu = await inlineMenu(page);
    await menu.waitForSelector(`::-p-aria([name="${GENERATE}"][role="button"])`, { timeout: 5_000 });
    expect(await offersStoredLogin(page)).toBe(false);
    await chooseSuggestion(page, GENERATE);
    const values = await waitFor(
      () => readFields(page),
      (v) => newBoxes.every((k) => (v[k] ?? '').length >= 20),
    );
    const first = values[newBoxes[0] as string];
    for (const k of newBoxes) expect(values[k]).toBe(first);
    expect(Object.values(values)).not.toContain(STORED);
  });

  it('the popup’s Fill writes the login’s username but not its password into a sign-up form', async () => {
    const page = await open('/signup-plain.html');
    const popup = await openToolbarPopup(device, page);
    await popup.locator('::-p-aria([name="Fill Acme"][role="button"])').click();
    await waitForValue(page, 'email', 'ada@acme.test');
    expect((await readFields(page)).password).toBe('');
  });
});

describe('a login page stays a login page', () => {
  it('offers and fills the stored login despite "Register" and "Create an account" links around it', async () => {
    const page = await open('/signup-login.html');
    await page.click('#password');
    await chooseSuggestion(page, 'Acme');
    await waitForValue(page, 'password', STORED);
    expect((await readFields(page)).username).toBe('ada@acme.test');
  });
});
