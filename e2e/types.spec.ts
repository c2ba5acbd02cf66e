import { createHash, generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Device, launchDevice } from './support/browser.ts';
import { ItemEditorPage } from './support/item-editor-page.ts';
import { PopupPage } from './support/popup-page.ts';
import { type RunningServer, startServer } from './support/server.ts';

/**
 * Every item type through the popup's editor, as a user does it: a secure note, a card (a typo in
 * its number and an expired date are each marked next to their field), an identity, an SSH key (a
 * bad public key is marked; a good one gets its fingerprint), a login with custom fields. Each is
 * reopened and keeps what was typed.
 */

/** An OpenSSH ed25519 key pair made here, and the fingerprint OpenSSH prints for it. */
function sshKeyPair() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x ?? '', 'base64url');
  const string = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  const blob = Buffer.concat([string(Buffer.from('ssh-ed25519')), string(raw)]);
  return {
    publicKey: `ssh-ed25519 ${blob.toString('base64')} ada@laptop`,
    privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString().trim(),
    fingerprint: `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`,
  };
}

describe('item types in the popup editor', () => {
  let server: RunningServer;
  let device: Device;
  let popup: PopupPage;
  let editor: ItemEditorPage;

  beforeAll(async () => {
    server = await startServer();
    device = await launchDevice();
    popup = new PopupPage(await device.openPopup());
    editor = new ItemEditorPage(popup.page);
    await popup.createAccount(server.url, 'types@example.test', 'correct horse battery staple 42!');
    await popup.waitForList();
  });

  afterAll(async () => {
    await device?.close();
    await server?.stop();
  });

  it('the Add item menu works from the keyboard: arrows move, Escape closes back to the button', async () => {
    const page = popup.page;
    const focused = () =>
      page.evaluate(
        () => document.activeElement?.textContent ?? document.activeElement?.getAttribute('aria-label'),
      );
    const menuOpen = () => page.$('[role="menu"]').then((m) => m !== null);
    await page.locator('::-p-aria([name="Add item"][role="button"])').click();
    await page.locator('::-p-aria([name="Login"][role="menuitem"])').wait();
    expect(await focused()).toBe('Login');
    await page.keyboard.press('ArrowUp');
    expect(await focused()).toBe('SSH key');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await focused()).toBe('Secure note');
    await page.keyboard.press('Escape');
    expect(await menuOpen()).toBe(false);
    expect(await focused()).toBe('Add item');
    await page.keyboard.press('ArrowDown');
    await page.locator('::-p-aria([name="Login"][role="menuitem"])').wait();
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.locator('::-p-aria([name="Add SSH key"][role="heading"])').wait();
    await editor.cancel();
  });

  it('a secure note keeps its text, folder and favorite mark', async () => {
    await editor.startNew('Secure note', 'Add secure note');
    await editor.fill('Title', 'Door codes');
    await editor.fill('Folder', 'Home/Codes');
    await editor.click('Favorite', 'checkbox');
    await editor.fill('Notes', 'garage 4471');
    await editor.save();

    await editor.open('Door codes', 'Edit secure note');
    expect(await editor.value('Notes')).toBe('garage 4471');
    expect(await editor.value('Folder')).toBe('Home/Codes');
    expect(await editor.checked('Favorite')).toBe(true);
    await editor.cancel();
  });

  it('a card: a typo in the number and an expired date are marked next to them, then it saves', async () => {
    await editor.startNew('Card', 'Add card');
    await editor.fill('Title', 'Travel card');
    await editor.fill('Cardholder name', 'Ada Lovelace');
    await editor.fill('Brand', 'Visa');
    await editor.fill('Card number', '4111 1111 1111 1112');
    await editor.fill('Expiry month', '03');
    await editor.fill('Expiry year', '2099');
    await editor.fill('Security code', '737');
    expect(await editor.saveExpectingError('Card number')).toBe(
      'This card number has a typing mistake (its check digit does not match).',
    );

    await editor.fill('Card number', '4111 1111 1111 1111');
    await editor.fill('Expiry year', '2001');
    expect(await editor.saveExpectingError('Expiry year')).toBe('This card has expired.');

    await editor.fill('Expiry year', '2099');
    await editor.save();

    await editor.open('Travel card', 'Edit card');
    expect(await editor.value('Cardholder name')).toBe('Ada Lovelace');
    expect(await editor.value('Brand')).toBe('Visa');
    expect(await editor.value('Card number')).toBe('4111111111111111');
    expect(await editor.value('Expiry month')).toBe('03');
    expect(await editor.value('Expiry year')).toBe('2099');
    expect(await editor.value('Security code')).toBe('737');
    await editor.cancel();
  });

  it('an identity keeps every field typed', async () => {
    const fields = {
      'First name': 'Ada',
      'Last name': 'Lovelace',
      Company: 'Analytical Engines Ltd',
      'Email address': 'ada@example.test',
      Phone: '+44 20 7946 0000',
      'Address line 1': '12 St James’s Square',
      'City or town': 'London',
      'Postal code': 'SW1Y 4JH',
      Country: 'United Kingdom',
    };
    await editor.startNew('Identity', 'Add identity');
    await editor.fill('Title', 'Me');
    for (const [name, value] of Object.entries(fields)) await editor.fill(name, value);
    await editor.save();

    await editor.open('Me', 'Edit identity');
    for (const [name, value] of Object.entries(fields)) expect(await editor.value(name)).toBe(value);
    await editor.cancel();
  });

  it('an SSH key: a bad public key is marked; a good one gets its fingerprint', async () => {
    const key = sshKeyPair();
    await editor.startNew('SSH key', 'Add SSH key');
    await editor.fill('Title', 'Build server');
    await editor.fill('Private key', key.privateKey);
    await editor.fill('Public key', 'ssh-ed25519 AAAAnot-a-key');
    expect(await editor.saveExpectingError('Public key')).toMatch(/^This is not an OpenSSH public key/);

    await editor.fill('Public key', key.publicKey);
    await editor.save();

    await editor.open('Build server', 'Edit SSH key');
    expect(await editor.value('Fingerprint')).toBe(key.fingerprint);
    expect(await editor.value('Public key')).toBe(key.publicKey);
    expect(await editor.value('Private key')).toBe(key.privateKey);
    await editor.cancel();
  });

  it('a login keeps a hidden custom field and a field linked to its password', async () => {
    await popup.addLogin({ title: 'Mail', username: 'ada', password: 'pw-mail-1' });
    await editor.open('Mail', 'Edit login');
    await editor.click('Add custom field');
    await editor.fill('Name of custom field 1', 'Recovery PIN');
    await editor.choose('Kind of custom field 1', 'hidden');
    await editor.fill('Value of custom field 1', '90210');
    await editor.click('Add custom field');
    await editor.fill('Name of custom field 2', 'Passphrase');
    await editor.choose('Kind of custom field 2', 'linked');
    await editor.choose('Login field for custom field 2', 'password');
    await editor.save();

    await editor.open('Mail', 'Edit login');
    expect(await editor.value('Name of custom field 1')).toBe('Recovery PIN');
    expect(await editor.value('Kind of custom field 1')).toBe('hidden');
    expect(await editor.value('Value of custom field 1')).toBe('90210');
    expect(
      await popup.page.$eval('::-p-aria(Value of custom field 1)', (e) => (e as HTMLInputElement).type),
    ).toBe('password');
    expect(await editor.value('Kind of custom field 2')).toBe('linked');
    expect(await editor.value('Login field for custom field 2')).toBe('password');
    // Editing the login kept its own fields too.
    expect(await editor.value('Username')).toBe('ada');
    expect(await editor.value('Password')).toBe('pw-mail-1');
    await editor.cancel();
  });

  it('a custom field without a name is marked on that row', async () => {
    await editor.open('Door codes', 'Edit secure note');
    await editor.click('Add custom field');
    await editor.fill('Value of custom field 1', 'orphan value');
    expect(await editor.saveExpectingError('Name of custom field 1')).toBe('Give the custom field a name.');
    await editor.cancel();
  });
});
