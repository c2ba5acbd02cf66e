import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Device, launchDevice } from './support/browser.ts';
import { ItemEditorPage } from './support/item-editor-page.ts';
import { PopupPage } from './support/popup-page.ts';
import { type RunningServer, startServer } from './support/server.ts';

/**
 * Password history through the popup: a login whose password is changed twice shows both previous
 * passwords in its editor, newest first, each masked until shown and with the date it was replaced.
 */

describe('password history', () => {
  let server: RunningServer;
  let device: Device;

  beforeAll(async () => {
    server = await startServer();
    device = await launchDevice();
  });

  afterAll(async () => {
    await device?.close();
    await server?.stop();
  });

  it('keeps the replaced passwords, newest first, with when each was replaced', async () => {
    const popup = new PopupPage(await device.openPopup());
    const editor = new ItemEditorPage(popup.page);
    await popup.createAccount(server.url, 'history@example.test', 'correct horse battery staple 42!');
    await popup.waitForList();
    const before = Date.now();
    await popup.addLogin({ title: 'Bank', username: 'ada', password: 'pw-first-1' });
    await popup.editItem('Bank', { password: 'pw-second-2' });
    await popup.editItem('Bank', { password: 'pw-third-3' });
    // Editing something else does not add to the history.
    await popup.editItem('Bank', { notes: 'new notes' });

    await editor.open('Bank', 'Edit login');
    await popup.page.locator('details.password-history > summary').click();
    expect(await popup.page.$eval('details.password-history > summary', (s) => s.textContent)).toBe(
      'Password history (2)',
    );
    const masked = await popup.page.$$eval('ol.password-history-list code', (cs) =>
      cs.map((c) => c.textContent),
    );
    expect(masked).not.toContain('pw-first-1');
    expect(masked).not.toContain('pw-second-2');

    await editor.click('Show previous password 1');
    await editor.click('Show previous password 2');
    await popup.page.locator('::-p-aria([name="Hide previous password 2"][role="button"])').wait();
    const entries = await popup.page.$$eval('ol.password-history-list > li', (lis) =>
      lis.map((li) => ({
        password: li.querySelector('code')?.textContent,
        at: li.querySelector('time')?.getAttribute('datetime') ?? '',
        shown: li.querySelector('time')?.textContent ?? '',
      })),
    );
    expect(entries.map((e) => e.password)).toEqual(['pw-second-2', 'pw-first-1']);
    const [newer, older] = entries.map((e) => Date.parse(e.at));
    expect(newer).toBeGreaterThanOrEqual(older ?? 0);
    expect(older).toBeGreaterThanOrEqual(before - 1000);
    for (const e of entries) expect(e.shown).toMatch(/^Replaced .*\d{4}/);
    expect(await editor.value('Password')).toBe('pw-third-3');
  });
});
