import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vaultCall } from './support/autofill.ts';
import { type Device, launchDevice } from './support/browser.ts';
import { chooseFilter, chooseView, waitForTitles } from './support/list-rows.ts';
import { PopupPage, ROW_BUTTONS } from './support/popup-page.ts';
import { type RunningServer, startServer } from './support/server.ts';

/**
 * Folders, types and favorites as a user sees them in the popup: the worker filters, the list
 * shows exactly the matching rows; a parent folder includes its subfolders; the search box
 * searches within the chosen folder; a star puts an item in Favorites.
 */

const MASTER = 'correct horse battery staple 42!';

describe('folders, types and favorites in the list', () => {
  let server: RunningServer;
  let device: Device;
  let popup: PopupPage;

  beforeAll(async () => {
    server = await startServer();
    device = await launchDevice();
    popup = new PopupPage(await device.openPopup());
    await popup.createAccount(server.url, 'ada@example.test', MASTER);
    // Setup through the worker, exactly the message the editor sends; the checks below use the popup.
    const save = (fields: Record<string, unknown>) => vaultCall(device, 'saveItem', { fields });
    await save({
      type: 'login',
      title: 'Router',
      username: 'admin',
      password: 'r-1',
      folder: 'Work/Servers',
    });
    await save({ type: 'login', title: 'Payroll', username: 'ada', password: 'p-1', folder: 'Work' });
    await save({ type: 'note', title: 'Diary', notes: 'dear diary', folder: 'Personal' });
    await save({ type: 'login', title: 'Gym', username: 'ada', password: 'g-1', folder: 'Personal' });
    await save({ type: 'login', title: 'Bank', username: 'ada@example.com', password: 'b-1' });
    await save({ type: 'login', title: 'Bank', username: 'grace@example.com', password: 'b-2' });
    // vaultCall talks through a second extension tab, which leaves the popup tab in the background,
    // where Chromium keeps no accessibility tree: `::-p-aria` selectors would never match there.
    await popup.page.bringToFront();
  });

  afterAll(async () => {
    await device?.close();
    await server?.stop();
  });

  it('shows every item, and tells two items with the same title apart by name', async () => {
    await waitForTitles(popup.page, ['Bank', 'Bank', 'Diary', 'Gym', 'Payroll', 'Router']);
    const names = await popup.page.$$eval(ROW_BUTTONS, (bs) => bs.map((b) => b.getAttribute('aria-label')));
    const banks = names.filter((n) => n?.startsWith('Bank, '));
    expect(banks).toHaveLength(2);
    expect(new Set(banks).size).toBe(2);
    expect(banks).toContain('Bank, ada@example.com, login');
    expect(names).toContain('Diary, note');
  });

  it('filters by folder: a subfolder shows exactly its items, the parent includes the subfolder', async () => {
    await chooseFilter(popup.page, 'Folder', 'Work/Servers');
    await waitForTitles(popup.page, ['Router']);
    await chooseFilter(popup.page, 'Folder', 'Work');
    await waitForTitles(popup.page, ['Payroll', 'Router']);
    await chooseFilter(popup.page, 'Folder', 'Personal');
    await waitForTitles(popup.page, ['Diary', 'Gym']);
  });

  it('searches within the folder, and filters by type', async () => {
    await popup.fill('Search logins', 'gy');
    await waitForTitles(popup.page, ['Gym']);
    await popup.fill('Search logins', '');
    await chooseFilter(popup.page, 'Type', 'note');
    await waitForTitles(popup.page, ['Diary']);
    await chooseFilter(popup.page, 'Type', '');
    await chooseFilter(popup.page, 'Folder', '');
    await waitForTitles(popup.page, ['Bank', 'Bank', 'Diary', 'Gym', 'Payroll', 'Router']);
  });

  it('stars an item into Favorites and out again', async () => {
    const star = popup.page.locator('::-p-aria([name="Favorite Router"][role="button"])');
    await star.click();
    await popup.page.waitForSelector('button.star[aria-pressed="true"][aria-label="Favorite Router"]');
    await chooseView(popup.page, 'Favorites');
    await waitForTitles(popup.page, ['Router']);
    await star.click();
    await waitForTitles(popup.page, []);
    await chooseView(popup.page, 'All items');
    await waitForTitles(popup.page, ['Bank', 'Bank', 'Diary', 'Gym', 'Payroll', 'Router']);
    expect((await popup.openItem('Router')).password).toBe('r-1');
  });
});
