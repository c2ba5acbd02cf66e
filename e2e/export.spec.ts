import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Device, launchDevice } from './support/browser.ts';
import { PopupPage, ROW_BUTTONS } from './support/popup-page.ts';
import { type RunningServer, startServer } from './support/server.ts';

/**
 * Export as a user does it, and back: from the popup's Settings, "Export vault…" opens the export
 * part of the page. A wrong master password is refused next to its field; the encrypted Keyhold file
 * is downloaded, then imported into another account on another device with its file password —
 * every item as it was. A plain CSV needs the warning confirmed. Each export is in the activity.
 */

const MASTER = 'harbour violet engine 77 sparrow';
const FILE_PASSWORD = 'file-pass-9 correct staple';
const aria = (name: string, role?: string) =>
  role ? `::-p-aria([name="${name}"][role="${role}"])` : `::-p-aria(${name})`;

async function openTransfer(device: Device, popup: PopupPage, button: string): Promise<Page> {
  await popup.click('Settings', 'tab');
  const opened = device.browser.waitForTarget((t) => t.url().includes('/transfer.html'), { timeout: 10_000 });
  await popup.page.locator(aria(button, 'button')).click();
  const page = await (await opened).page();
  if (!page) throw new Error('the transfer page did not open');
  await page.bringToFront();
  await page.locator(aria('Export', 'heading')).wait();
  return page;
}

/** Downloads from this browser go to `dir`. */
async function downloadsTo(device: Device, dir: string) {
  const cdp = await device.browser.target().createCDPSession();
  await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: dir });
}

async function waitForFile(dir: string, pattern: RegExp): Promise<string> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const found = readdirSync(dir).find((f) => pattern.test(f));
    if (found && existsSync(path.join(dir, found))) return path.join(dir, found);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no download matching ${pattern}`);
}

async function fill(page: Page, label: string, value: string) {
  const field = page.locator(aria(label));
  await field.fill(value);
}

const status = (page: Page, words: RegExp) =>
  page.waitForFunction(
    (source) =>
      [...document.querySelectorAll('[role="status"]')].some((e) =>
        new RegExp(source).test(e.textContent ?? ''),
      ),
    // Polled: a status line's words change in place, which mutation polling does not see.
    { polling: 100, timeout: 30_000 },
    words.source,
  );

const titles = (page: Page) =>
  page.$$eval(ROW_BUTTONS, (bs) => bs.map((b) => (b as HTMLElement).dataset.title ?? '').sort());

describe('export', () => {
  let server: RunningServer;
  let a: Device;
  let b: Device;
  const dir = mkdtempSync(path.join(tmpdir(), 'keyhold-export-'));

  beforeAll(async () => {
    server = await startServer();
    [a, b] = await Promise.all([launchDevice(), launchDevice()]);
    await downloadsTo(a, dir);
  });

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await server?.stop();
  });

  it('exports an encrypted file that another account imports back with every item as it was', async () => {
    const popup = new PopupPage(await a.openPopup());
    await popup.createAccount(server.url, 'export@example.test', MASTER);
    await popup.addLogin({
      title: 'Bank, "main" — 銀行',
      username: 'ada',
      password: 'pw-1',
      uris: [{ url: 'https://bank.example', match: 'domain' }],
      notes: 'line one\nline two, with a comma',
    });
    await popup.editItem('Bank, "main" — 銀行', { password: 'pw-2' });
    await popup.addLogin({ title: 'مرحبا mail', username: 'rtl', password: 'pw-3' });

    const page = await openTransfer(a, popup, 'Export vault…');
    // A wrong master password: refused next to its field, nothing downloaded.
    await fill(page, 'File password', FILE_PASSWORD);
    await fill(page, 'Confirm file password', FILE_PASSWORD);
    await fill(page, 'Master password', 'not my master password');
    await page.locator(aria('Export', 'button')).click();
    const error = await page
      .locator('#export-password-error')
      .map((e) => e.textContent)
      .wait();
    expect(error).toBe('That master password is not right.');
    expect(readdirSync(dir)).toEqual([]);

    await fill(page, 'Master password', MASTER);
    await page.locator(aria('Export', 'button')).click();
    await status(page, /^2 items exported to keyhold-export-\d{4}-\d{2}-\d{2}\.json\.$/);
    const file = await waitForFile(dir, /^keyhold-export-.*\.json$/);
    const sealed = readFileSync(file, 'utf8');
    expect(JSON.parse(sealed)).toMatchObject({
      format: 'keyhold-export',
      version: 1,
      kdf: { name: 'argon2id' },
    });
    expect(sealed).not.toContain('pw-2');
    expect(sealed).not.toContain('ada');

    // Another account, on another device: the file asks for its password, then every item comes back.
    const other = new PopupPage(await b.openPopup());
    await other.createAccount(server.url, 'export-b@example.test', MASTER);
    const importPage = await openTransfer(b, other, 'Import items…');
    const input = await importPage.waitForSelector('input[type="file"]');
    await (input as unknown as { uploadFile(p: string): Promise<void> }).uploadFile(file);
    expect(
      await importPage
        .locator('#import-password-error')
        .map((e) => e.textContent)
        .wait(),
    ).toBe('This export is protected with a password. Enter it.');
    await fill(importPage, 'File password', FILE_PASSWORD);
    await importPage.locator(aria('Read the file', 'button')).click();
    await importPage.locator(aria('Import 2 items', 'button')).click();
    await status(importPage, /^2 items imported\.$/);

    const list = new PopupPage(await b.openPopup());
    await list.waitForList();
    await list.page.waitForFunction(
      (s) => document.querySelectorAll(s).length === 2,
      { polling: 'mutation' },
      ROW_BUTTONS,
    );
    expect(await titles(list.page)).toEqual(['Bank, "main" — 銀行', 'مرحبا mail'].sort());
    const bank = await list.openItem('Bank, "main" — 銀行');
    expect(bank).toMatchObject({
      username: 'ada',
      password: 'pw-2',
      notes: 'line one\nline two, with a comma',
      uris: [{ url: 'https://bank.example', match: 'domain' }],
    });
  });

  it('a plain CSV needs the warning confirmed; each export is in the account activity', async () => {
    const popup = new PopupPage(await a.openPopup());
    await popup.waitForList();
    const page = await openTransfer(a, popup, 'Export vault…');
    await page
      .locator(aria('CSV, unencrypted (logins and notes, in the layout most managers import)'))
      .click();
    await page.locator('::-p-text(This file will hold every password in plain text)').wait();
    await fill(page, 'Master password', MASTER);
    await page.locator(aria('Export', 'button')).click();
    expect(
      await page
        .locator('#export-understand-error')
        .map((e) => e.textContent)
        .wait(),
    ).toBe('Confirm that you understand the file will not be protected.');
    await page.locator(aria('I understand the file will not be protected')).click();
    await page.locator(aria('Export', 'button')).click();
    await status(page, /^2 items exported to keyhold-vault-.*-unencrypted\.csv\.$/);
    const csv = readFileSync(await waitForFile(dir, /\.csv$/), 'utf8');
    expect(csv.split(/\r?\n/)[0]).toBe(
      'folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp',
    );
    expect(csv).toContain('pw-2');

    const activity = new PopupPage(await a.openPopup());
    await activity.waitForList();
    await activity.openActivity();
    const what = (await activity.activityEntries()).map((e) => e.what);
    expect(what.slice(0, 2)).toEqual([
      'Vault exported (unencrypted CSV file, 2 items)',
      'Vault exported (encrypted Keyhold file, 2 items)',
    ]);
  });
});
