import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Device, launchDevice } from './support/browser.ts';
import { scrolledTitles } from './support/list-rows.ts';
import { PopupPage, ROW_BUTTONS } from './support/popup-page.ts';
import { type RunningServer, startServer } from './support/server.ts';

/**
 * Import as a user does it: from the popup's Settings, "Import items…" opens the import page; the
 * user chooses a Bitwarden export, sees what it holds (types, folders, what is skipped or changed,
 * the login the vault already has), confirms, and the items are on a second device. A file that
 * cannot be read says why, next to where the user acts, and the vault is untouched.
 */

const MASTER = 'amber quarry lighthouse 58 drift';
const EMAIL = 'import@example.test';
const aria = (name: string, role?: string) =>
  role ? `::-p-aria([name="${name}"][role="${role}"])` : `::-p-aria(${name})`;

const dir = mkdtempSync(path.join(tmpdir(), 'keyhold-import-'));
function file(name: string, content: string): string {
  const at = path.join(dir, name);
  writeFileSync(at, content);
  return at;
}

/** A Bitwarden individual-vault JSON export with `logins` logins, a note, a card and two bad entries. */
function bitwardenExport(logins: number): string {
  const items: unknown[] = [];
  for (let n = 1; n <= logins; n++)
    items.push({
      id: crypto.randomUUID(),
      type: 1,
      name: `Site ${String(n).padStart(2, '0')}`,
      folderId: n % 2 ? 'f-work' : null,
      favorite: false,
      notes: null,
      fields: [],
      login: {
        username: `user${n}`,
        password: `pw-${n}-secret`,
        uris: [{ uri: `https://site${n}.example`, match: null }],
        totp: null,
      },
    });
  // The same website and username as the login already in the vault.
  items.push({
    id: crypto.randomUUID(),
    type: 1,
    name: 'Mail again',
    folderId: null,
    favorite: false,
    notes: null,
    fields: [],
    login: {
      username: 'ada',
      password: 'other',
      uris: [{ uri: 'https://mail.example', match: null }],
      totp: null,
    },
  });
  items.push({
    id: crypto.randomUUID(),
    type: 1,
    name: 'Intranet',
    folderId: 'f-work',
    favorite: true,
    notes: null,
    fields: [],
    login: {
      username: 'ada',
      password: 'p',
      uris: [{ uri: 'intranet share \\\\files', match: null }],
      totp: null,
    },
  });
  items.push({
    id: crypto.randomUUID(),
    type: 2,
    name: 'Door code',
    notes: '4711',
    secureNote: { type: 0 },
    folderId: null,
    favorite: false,
    fields: [],
  });
  items.push({
    id: crypto.randomUUID(),
    type: 3,
    name: 'Visa',
    notes: null,
    folderId: null,
    favorite: false,
    fields: [],
    card: {
      cardholderName: 'Ada L',
      brand: 'Visa',
      number: '4111111111111111',
      expMonth: '4',
      expYear: '2031',
      code: '123',
    },
  });
  items.push({
    id: crypto.randomUUID(),
    type: 1,
    name: '',
    notes: null,
    folderId: null,
    favorite: false,
    fields: [],
    login: { username: null, password: null, uris: [], totp: null },
  });
  return JSON.stringify({ encrypted: false, folders: [{ id: 'f-work', name: 'Work' }], items }, null, 2);
}

async function openImportPage(device: Device, popup: PopupPage): Promise<Page> {
  await popup.click('Settings', 'tab');
  const opened = device.browser.waitForTarget((t) => t.url().includes('/transfer.html'), { timeout: 10_000 });
  await popup.page.locator(aria('Import items…', 'button')).click();
  const page = await (await opened).page();
  if (!page) throw new Error('the import page did not open');
  await page.bringToFront();
  await page.locator(aria('Import', 'heading')).wait();
  return page;
}

async function choose(page: Page, at: string) {
  const input = await page.waitForSelector('input[type="file"]');
  await (input as unknown as { uploadFile(p: string): Promise<void> }).uploadFile(at);
}

const text = (page: Page, selector: string) =>
  page.$$eval(selector, (els) => els.map((e) => (e as HTMLElement).innerText.replace(/\s+/g, ' ').trim()));

/** Waits until the page's status lines include `words`. */
const shows = (page: Page, words: string) =>
  page.waitForFunction(
    (w) => [...document.querySelectorAll('[role="status"]')].some((e) => e.textContent === w),
    // Polled: a status line's words change in place, which mutation polling does not see.
    { polling: 100, timeout: 20_000 },
    words,
  );

/** Waits until the list holds exactly these titles, in any order (the list scrolled through: long lists render only the rows in view). */
async function waitForTitleSet(page: Page, titles: string[]) {
  const expected = JSON.stringify([...titles].sort());
  const deadline = Date.now() + 20_000;
  let seen: string[] = [];
  while (Date.now() < deadline) {
    seen = await page.evaluate(scrolledTitles);
    if (JSON.stringify([...seen].sort()) === expected) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  expect([...seen].sort()).toEqual([...titles].sort());
}

describe('import', () => {
  let server: RunningServer;
  let a: Device;
  let b: Device;

  beforeAll(async () => {
    server = await startServer();
    [a, b] = await Promise.all([launchDevice(), launchDevice()]);
  });

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await server?.stop();
  });

  const siteTitles = (n: number) =>
    Array.from({ length: n }, (_, i) => `Site ${String(i + 1).padStart(2, '0')}`);

  it('previews a Bitwarden export, imports it on confirm, and a second device has every item', async () => {
    const popup = new PopupPage(await a.openPopup());
    await popup.createAccount(server.url, EMAIL, MASTER);
    await popup.addLogin({
      title: 'Mail',
      username: 'ada',
      password: 'mail-pw',
      uris: [{ url: 'https://mail.example', match: 'domain' }],
    });

    const page = await openImportPage(a, popup);
    await choose(page, file('bitwarden.json', bitwardenExport(30)));
    await page.locator(aria('What will be imported', 'heading')).wait();
    expect(await text(page, '.hint')).toContain('Read as: Bitwarden (JSON)');
    // 30 logins, the duplicate, Intranet, the note, the card; the empty entry is skipped.
    expect(await text(page, '.import-preview > p')).toContain('34 items in this file.');
    const byType = await text(page, '.import-counts table:first-child tr');
    expect(byType).toEqual(expect.arrayContaining(['Login 32', 'Secure note 1', 'Card 1']));
    expect(await text(page, '.import-counts table:last-child tr')).toEqual(
      expect.arrayContaining(['(no folder) 18', 'Work 16']),
    );
    const issues = await text(page, 'ul.import-issues li');
    expect(issues.some((i) => i.startsWith('Skipped') && i.includes('there is nothing in it'))).toBe(true);
    expect(issues.some((i) => i.startsWith('Changed Intranet') && i.includes('is not a web address'))).toBe(
      true,
    );
    expect(await text(page, 'ul.import-duplicates li')).toEqual(['Mail again ada — Import anyway']);

    // The duplicate is skipped unless chosen: 33 of 34.
    await page.locator(aria('Import 33 items', 'button')).click();
    await shows(page, '33 items imported.');
    await shows(page, 'Your other devices have them too.');
    await page.close();

    const expected = ['Mail', ...siteTitles(30), 'Intranet', 'Door code', 'Visa'];
    const listA = new PopupPage(await a.openPopup());
    await listA.waitForList();
    await waitForTitleSet(listA.page, expected);

    const popupB = new PopupPage(await b.openPopup());
    await popupB.logIn(server.url, EMAIL, MASTER);
    await waitForTitleSet(popupB.page, expected);
    const intranet = await popupB.openItem('Intranet');
    expect(intranet.notes).toContain('intranet share');
  });

  it('says what is wrong with a file it cannot read, and a cancelled preview adds nothing', async () => {
    const popup = new PopupPage(await a.openPopup());
    await popup.waitForList();
    const page = await openImportPage(a, popup);

    await choose(page, file('empty.csv', ''));
    expect(
      await page
        .locator('.transfer-import [role="alert"]')
        .map((e) => e.textContent)
        .wait(),
    ).toBe('This file is empty, or has no items in it.');

    await choose(page, file('unknown.txt', 'just some notes\nnothing like an export\n'));
    expect(
      await page
        .locator('.transfer-import [role="alert"]')
        .map((e) => e.textContent)
        .wait(),
    ).toBe('Keyhold could not tell which manager made this file. Choose its format.');

    // A CSV read as KeePass XML, because the user chose that format.
    await page.select('select', 'keepass-xml');
    await choose(page, file('chrome.csv', 'name,url,username,password\nShop,https://shop.example,ada,pw\n'));
    await page.waitForFunction(
      () =>
        document
          .querySelector('.transfer-import [role="alert"]')
          ?.textContent?.includes('cannot be read as the format chosen'),
      { polling: 'mutation', timeout: 10_000 },
    );

    // Detected again, previewed, then cancelled: nothing is added.
    await page.select('select', 'auto');
    await page.locator(aria('Read the file', 'button')).click();
    await page.locator(aria('What will be imported', 'heading')).wait();
    expect(await text(page, '.hint')).toContain('Read as: Chrome, Edge, Brave (CSV)');
    await page.locator(aria('Cancel', 'button')).click();
    await page.waitForSelector('input[type="file"]');
    expect(await page.$('.import-preview')).toBeNull();

    const list = new PopupPage(await a.openPopup());
    await list.waitForList();
    await list.page.waitForFunction(
      (selector) => [...document.querySelectorAll<HTMLElement>(selector)].length > 0,
      { polling: 'mutation' },
      ROW_BUTTONS,
    );
    // The whole list, scrolled through (only the rows in view are in the document).
    const titles = await list.page.evaluate(scrolledTitles);
    expect(titles).toHaveLength(34);
    expect(titles).not.toContain('Shop');
  });
});
