import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vaultCall } from './support/autofill.ts';
import { type Device, launchDevice } from './support/browser.ts';
import { PopupPage, ROW_BUTTONS } from './support/popup-page.ts';
import { type RunningServer, startServer } from './support/server.ts';

/**
 * A long list in the popup: only the rows in view (and a margin) are in the document, yet the
 * user scrolls, tabs and comes back to a row as over a list that holds every row
 * (extension/popup/row-window.ts, docs/extension-pages.md "Long lists").
 */

const MASTER = 'correct horse battery staple 42!';
const COUNT = 150;
const title = (n: number) => `Site ${String(n).padStart(3, '0')}`;

describe('a long list in the popup', () => {
  let server: RunningServer;
  let device: Device;
  let popup: PopupPage;

  const rendered = () =>
    popup.page.$$eval(ROW_BUTTONS, (bs) => bs.map((b) => (b as HTMLElement).dataset.title ?? ''));

  beforeAll(async () => {
    server = await startServer();
    device = await launchDevice();
    popup = new PopupPage(await device.openPopup());
    await popup.createAccount(server.url, 'ada@example.test', MASTER);
    // Setup through the worker, the messages the import page sends (one change of the vault);
    // everything checked below is the popup.
    const { id } = await vaultCall<{ id: string }>(device, 'importBegin', {});
    const entries = Array.from({ length: COUNT }, (_, i) => ({
      fields: {
        type: 'login',
        title: title(i + 1),
        username: `user${i + 1}`,
        password: `pw-${i + 1}`,
        passwordHistory: [],
        trashedAt: null,
      },
    }));
    await vaultCall(device, 'importAdd', { id, entries });
    expect(await vaultCall(device, 'importFinish', { id })).toEqual({ imported: COUNT });
    await popup.page.close();
    popup = new PopupPage(await device.openPopup());
    await popup.waitForList();
    await popup.page.waitForSelector(`${ROW_BUTTONS}[data-title="${title(1)}"]`);
  }, 120_000);

  afterAll(async () => {
    await device?.close();
    await server?.stop();
  });

  it('puts only the rows in view and a margin in the document, each with its place in the list', async () => {
    const titles = await rendered();
    expect(titles[0]).toBe(title(1));
    expect(titles.length).toBeGreaterThan(5);
    expect(titles.length).toBeLessThan(50);
    // Consecutive rows from the top, in list order.
    expect(titles).toEqual(titles.map((_, i) => title(i + 1)));
    const place = await popup.page.$eval('ul[aria-label="Logins"] li', (li) => [
      li.getAttribute('aria-posinset'),
      li.getAttribute('aria-setsize'),
    ]);
    expect(place).toEqual(['1', String(COUNT)]);
  });

  it('shows the last rows when scrolled to the bottom, with the box as tall as every row', async () => {
    await popup.page.$eval('.items-scroll', (box) => {
      box.scrollTop = box.scrollHeight;
    });
    await popup.page.waitForSelector(`${ROW_BUTTONS}[data-title="${title(COUNT)}"]`);
    const titles = await rendered();
    expect(titles).not.toContain(title(1));
    expect(titles.at(-1)).toBe(title(COUNT));
    const last = await popup.page.$eval('ul[aria-label="Logins"] li:last-child', (li) =>
      li.getAttribute('aria-posinset'),
    );
    expect(last).toBe(String(COUNT));
    // The last row is really in view (the blank space above it stands in for the rows not rendered).
    const inView = await popup.page.$eval(`${ROW_BUTTONS}[data-title="${title(COUNT)}"]`, (b) => {
      const box = b.closest('.items-scroll')?.getBoundingClientRect();
      const row = b.getBoundingClientRect();
      return box !== undefined && row.top >= box.top - 1 && row.bottom <= box.bottom + 1;
    });
    expect(inView).toBe(true);
  });

  it('comes back from a row far down the list to that row, focused', async () => {
    await popup.openDetail(title(140));
    // The list is gone while the detail view shows; going back scrolls to the row and focuses it.
    await popup.click('Back');
    await popup.page.waitForFunction(
      (t) => (document.activeElement as HTMLElement | null)?.dataset.title === t,
      { polling: 'mutation', timeout: 10_000 },
      title(140),
    );
  });

  it('lets Tab walk down past the rows first rendered', async () => {
    await popup.page.$eval('.items-scroll', (box) => {
      box.scrollTop = 0;
    });
    await popup.page.waitForSelector(`${ROW_BUTTONS}[data-title="${title(1)}"]`);
    await popup.page.focus(`${ROW_BUTTONS}[data-title="${title(1)}"]`);
    const firstRendered = (await rendered()).length;
    // Each row has two stops (the row and its star): go well past the rows rendered at first.
    for (let i = 0; i < 2 * (firstRendered + 5); i++) await popup.page.keyboard.press('Tab');
    const focused = await popup.page.evaluate(
      () => (document.activeElement as HTMLElement | null)?.dataset.title,
    );
    expect(focused).toBe(title(firstRendered + 6));
    expect(await rendered()).not.toContain(title(1));
  });
});
