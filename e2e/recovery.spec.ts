import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Device, launchDevice } from './support/browser.ts';
import { fieldError } from './support/form-errors.ts';
import { LAST_GROUP_LABEL, PopupPage } from './support/popup-page.ts';
import { type RunningServer, startServer } from './support/server.ts';
import { waitFor } from './support/wait.ts';

/**
 * "Forgot master password?" in the real popup in Chromium, against the real server: device A
 * creates the account and saves the recovery key the popup shows, device B (a fresh browser
 * profile) opens the vault with that key and a new master password, and sees what A saved. Then
 * the old key no longer works and a new one is shown. Everything goes through the popup.
 */

const MASTER = 'copper-willow-estuary-27';
const NEW_MASTER = 'granite-puffin-meridian-64';
const EMAIL = 'ines@example.test';
const KEY_SHAPE = /^[A-Z2-7]{4}(-[A-Z2-7]{4}){13}$/;

describe('recovery key', () => {
  let server: RunningServer;
  let deviceA: Device;
  let deviceB: Device;
  let downloads: string;
  /** The key device A saved at account creation. */
  let savedKey = '';

  beforeAll(async () => {
    downloads = await mkdtemp(path.join(tmpdir(), 'keyhold-e2e-downloads-'));
    [server, deviceA, deviceB] = await Promise.all([startServer(), launchDevice(), launchDevice()]);
  });

  afterAll(async () => {
    await Promise.all([deviceA?.close(), deviceB?.close()]);
    await server?.stop();
    await rm(downloads, { recursive: true, force: true });
  });

  it('is shown at account creation; closing the popup there saves nothing', async () => {
    const popup = new PopupPage(await deviceA.openPopup());
    await popup.startAccount(server.url, EMAIL, MASTER);
    expect(await popup.recoveryKey()).toMatch(KEY_SHAPE);
    await popup.page.close();

    // The key was never confirmed, so never sent: the items screen says there is none.
    const again = new PopupPage(await deviceA.openPopup());
    await again.waitForList();
    await again.page.locator('::-p-text(You have no recovery key)').wait();
    await again.page.close();
  });

  it('is created on demand after the master password, downloadable, and confirmed by its last group', async () => {
    const popup = new PopupPage(await deviceA.openPopup());
    await popup.waitForList();
    await popup.page.locator('::-p-text(You have no recovery key)').wait();
    await popup.click('Create one');
    await popup.fill('Master password', 'not the master password');
    await popup.click('Continue');
    await waitFor(
      () => fieldError(popup.page, 'Master password'),
      (m) => m !== null,
    );
    expect(await fieldError(popup.page, 'Master password')).toBe('That master password is not right.');
    await popup.fill('Master password', MASTER);
    await popup.click('Continue');
    await popup.waitForRecoveryKey();
    const key = await popup.recoveryKey();
    expect(key).toMatch(KEY_SHAPE);

    // "Download as a text file": the key, the account, the server and what to do with it.
    const cdp = await deviceA.browser.target().createCDPSession();
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });
    await popup.click('Download as a text file');
    const [file] = await waitFor(
      () => readdir(downloads),
      (names) => names.some((n) => n.endsWith('.txt')),
      10_000,
    );
    expect(file).toBe('keyhold-recovery-key.txt');
    const text = await readFile(path.join(downloads, file as string), 'utf8');
    expect(text).toContain(key);
    expect(text).toContain(`Account: ${EMAIL}`);
    expect(text).toContain(`Server: ${server.url}`);
    expect(text).toMatch(/Created: \d{4}-\d\d-\d\d/);
    expect(text).toContain('Forgot master password?');

    // The first group is not the last: refused next to the field.
    await popup.fill(LAST_GROUP_LABEL, key.slice(0, 4));
    await popup.click('I saved my recovery key');
    await waitFor(
      () => fieldError(popup.page, LAST_GROUP_LABEL),
      (m) => m !== null,
    );
    expect(await fieldError(popup.page, LAST_GROUP_LABEL)).toBe(
      'That is not the last group of your recovery key: type the 4 characters after its last hyphen.',
    );
    savedKey = await popup.saveRecoveryKey();
    expect(savedKey).toBe(key);
    // A key is set: the items screen no longer asks for one.
    await popup.page.waitForFunction(() => !document.body.textContent?.includes('You have no recovery key'));
    await popup.addLogin({ title: 'Bank', username: 'ines', password: 'pw-bank' });
    await popup.addLogin({ title: 'Mail', username: 'ines', password: 'pw-mail' });
    await popup.syncNow();
    expect(await popup.page.$('::-p-text(You have no recovery key)')).toBeNull();
    await popup.page.close();
  });

  it('opens the vault on a fresh device with a new master password, and nothing is lost', async () => {
    const popup = new PopupPage(await deviceB.openPopup());
    await popup.click('Log in', 'tab');
    await popup.fill('Server address', server.url);
    await popup.fill('Email', EMAIL);
    await popup.click('Forgot master password?');
    await popup.page.locator('::-p-aria([name="Forgot master password?"][role="heading"])').wait();
    // Prefilled from the login form.
    expect(await popup.page.$eval('::-p-aria(Email)', (e) => (e as HTMLInputElement).value)).toBe(EMAIL);

    // A typo is caught on this device, before any request.
    const chars = savedKey.replaceAll('-', '');
    const typo = chars.slice(0, 20) + (chars[20] === 'Q' ? 'R' : 'Q') + chars.slice(21);
    await popup.fill('Recovery key', typo);
    await popup.click('Continue');
    await waitFor(
      () => fieldError(popup.page, 'Recovery key'),
      (m) => m !== null,
    );
    expect(await fieldError(popup.page, 'Recovery key')).toBe(
      'The recovery key does not check out: a character is mistyped. Compare each group with your saved copy.',
    );
    await popup.fill('Recovery key', savedKey.toLowerCase());
    await popup.click('Continue');

    await popup.page.locator('::-p-aria([name="Choose a new master password"][role="heading"])').wait();
    // The server's policy applies: a common password is refused, saying why.
    await popup.fill('New master password', 'password1234');
    await popup.fill('Confirm new master password', 'password1234');
    await popup.click('Set master password and open the vault');
    await waitFor(
      () => fieldError(popup.page, 'New master password'),
      (m) => m !== null,
    );
    expect(await fieldError(popup.page, 'New master password')).toMatch(/commonly used password/);
    await popup.fill('New master password', NEW_MASTER);
    await popup.fill('Confirm new master password', NEW_MASTER);
    await popup.click('Set master password and open the vault');

    // The old key stopped working with the recovery: a new one is shown, with the same confirmation.
    await popup.waitForRecoveryKey();
    const newKey = await popup.saveRecoveryKey();
    expect(newKey).toMatch(KEY_SHAPE);
    expect(newKey).not.toBe(savedKey);
    expect(await popup.titles()).toEqual(['Bank', 'Mail']);
    expect((await popup.openItem('Bank')).password).toBe('pw-bank');
    await popup.closeItem();

    // The new master password unlocks.
    await popup.lock();
    await popup.unlock(NEW_MASTER);
    await popup.waitForList();
    await popup.page.close();
  });

  it('refuses the old recovery key afterwards with a clear message', async () => {
    const popup = new PopupPage(await deviceB.openPopup());
    await popup.waitForList();
    await popup.lock();
    await popup.click('Forgot master password?');
    // On the unlock screen the email is this device's account.
    expect(await popup.page.$eval('::-p-aria(Email)', (e) => (e as HTMLInputElement).value)).toBe(EMAIL);
    await popup.fill('Recovery key', savedKey);
    await popup.click('Continue');
    await waitFor(
      () => fieldError(popup.page, 'Recovery key'),
      (m) => m !== null,
      15_000,
    );
    expect(await fieldError(popup.page, 'Recovery key')).toBe('The email or recovery key is incorrect.');
    await popup.click('Back');
    await popup.unlock(NEW_MASTER);
    await popup.waitForList();
    await popup.page.close();
  });
});
