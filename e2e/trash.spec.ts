import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vaultCall } from './support/autofill.ts';
import { type Device, launchDevice } from './support/browser.ts';
import { chooseView, waitForTitles } from './support/list-rows.ts';
import { PopupPage } from './support/popup-page.ts';
import { type RunningServer, startServer } from './support/server.ts';

/**
 * The trash across two devices, through the popup: Delete moves an item to the trash on every
 * device (never listed, never offered); a restore on one device and an offline edit on the other
 * both survive the merge; Delete forever and Empty trash remove items everywhere.
 */

const MASTER = 'correct horse battery staple 42!';
const EMAIL = 'trash@example.test';

interface Summary {
  id: string;
  title: string;
  trashedAt: string | null;
}
interface ItemPage {
  items: Summary[];
  trashed: number;
}
interface Detail {
  id: string;
  title: string;
  notes: string;
  trashedAt: string | null;
  [field: string]: unknown;
}

const aria = (name: string, role: string) => `::-p-aria([name="${name}"][role="${role}"])`;
const CONFIRM = '[role="alertdialog"] button.danger';

let server: RunningServer;
let a: Device;
let b: Device;
let popupA: PopupPage;
let popupB: PopupPage;
const ids: Record<string, string> = {};

const popupOf = (d: Device) => (d === a ? popupA : popupB);

/**
 * A worker call (setup, sync, checks). It goes through a second extension tab, which leaves the
 * popup tab in the background where Chromium keeps no accessibility tree: bring the popup back.
 */
async function call<T>(d: Device, name: string, request: unknown): Promise<T> {
  const value = await vaultCall<T>(d, name, request);
  await popupOf(d)?.page.bringToFront();
  return value;
}

/** Syncs the device's worker; a sync that failed (recorded in the state, not thrown) fails the test with its code. */
async function sync(d: Device) {
  const state = await call<{ sync: { error: string | null; pending: number } }>(d, 'syncNow', {});
  expect(state.sync).toMatchObject({ error: null, pending: 0 });
}
const listed = (d: Device, view: 'all' | 'trash') =>
  call<ItemPage>(d, 'listItems', { query: '', limit: 1000, view, folder: '' });
const titlesOf = (p: ItemPage) => p.items.map((i) => i.title);

/** Waits for the view switch to say how many items the trash holds, e.g. "Trash (2)". */
const waitForTrashCount = (page: Page, n: number) => page.locator(aria(`Trash (${n})`, 'button')).wait();

/** Moves an item to the trash as a user does: its row, Edit, Delete, OK on the confirmation. */
async function trashThroughEditor(popup: PopupPage, title: string) {
  await popup.openDetail(title);
  await popup.click('Edit');
  await popup.page.locator(aria('Edit login', 'heading')).wait();
  popup.page.once('dialog', (dialog) => void dialog.accept());
  await popup.click('Delete');
  await popup.waitForList();
}

beforeAll(async () => {
  [server, a, b] = await Promise.all([startServer(), launchDevice(), launchDevice()]);
  await vaultCall(a, 'register', { serverUrl: server.url, email: EMAIL, password: MASTER });
  // The recovery key offered after sign-up is set aside, as a user closing that screen would.
  const screen = crypto.randomUUID();
  await vaultCall(a, 'offeredRecoveryKey', { screen });
  await vaultCall(a, 'discardRecoveryKey', { screen });
  const save = async (title: string, username: string) => {
    const saved = await vaultCall<{ id: string }>(a, 'saveItem', {
      fields: { type: 'login', title, username, password: `${title}-pw`, notes: `${title} notes` },
    });
    ids[title] = saved.id;
  };
  const logins: [string, string][] = [
    ['Router', 'admin'],
    ['Mail', 'ada'],
    ['Bank', 'ada@example.com'],
    ['Gym', 'ada'],
  ];
  for (const [title, user] of logins) {
    await save(title, user);
  }
  await vaultCall(a, 'syncNow', {});
  await vaultCall(b, 'login', { serverUrl: server.url, email: EMAIL, password: MASTER });
  await vaultCall(b, 'syncNow', {});
  [popupA, popupB] = [new PopupPage(await a.openPopup()), new PopupPage(await b.openPopup())];
  for (const p of [popupA, popupB]) {
    await p.page.bringToFront();
    await waitForTitles(p.page, ['Bank', 'Gym', 'Mail', 'Router']);
  }
}, 120_000);

afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  await server?.stop();
});

describe('the trash on two devices', () => {
  it('moves a deleted item to the trash on both devices, out of the list', async () => {
    await trashThroughEditor(popupA, 'Router');
    await waitForTitles(popupA.page, ['Bank', 'Gym', 'Mail']);
    await chooseView(popupA.page, 'Trash (1)');
    await waitForTitles(popupA.page, ['Router']);

    await sync(a);
    await sync(b);
    await waitForTrashCount(popupB.page, 1);
    await waitForTitles(popupB.page, ['Bank', 'Gym', 'Mail']);
    await chooseView(popupB.page, 'Trash (1)');
    await waitForTitles(popupB.page, ['Router']);
    // The worker itself no longer lists it with the live items (what search and autofill draw on).
    const live = await listed(b, 'all');
    expect(titlesOf(live)).toEqual(['Bank', 'Gym', 'Mail']);
    expect(live.trashed).toBe(1);
    const searched = await call<ItemPage>(b, 'listItems', { query: 'Router', limit: 10, view: 'all' });
    expect(searched.items).toEqual([]);
  });

  it('keeps both a restore on one device and an offline edit on the other', async () => {
    const port = new URL(server.url).port;
    await server.stop();

    // Offline on B: Restore from the Trash view.
    await popupB.click('Restore Router');
    await waitForTitles(popupB.page, []);
    await chooseView(popupB.page, 'All items');
    await waitForTitles(popupB.page, ['Bank', 'Gym', 'Mail', 'Router']);

    // Offline on A: the still-trashed item's notes change (the worker allows editing it).
    const before = await call<Detail>(a, 'getItem', { id: ids.Router });
    expect(before.trashedAt).not.toBeNull();
    await call(a, 'saveItem', { id: ids.Router, fields: { ...before, notes: 'edited on A' } });
    expect((await call<Detail>(a, 'getItem', { id: ids.Router })).trashedAt).not.toBeNull();

    server = await startServer({ DATA_DIR: server.dataDir, PORT: port });
    await sync(a);
    await sync(b);
    await sync(a);

    // A, through the popup: live again (back in the list, out of the trash) with A's notes.
    await waitForTrashCount(popupA.page, 0);
    await waitForTitles(popupA.page, []);
    await chooseView(popupA.page, 'All items');
    await waitForTitles(popupA.page, ['Bank', 'Gym', 'Mail', 'Router']);
    await popupA.openDetail('Router');
    await popupA.page.waitForFunction(
      () => document.querySelector('.notes-text')?.textContent === 'edited on A',
      { polling: 'mutation', timeout: 10_000 },
    );
    await popupA.click('Back');
    await popupA.waitForList();

    // B, through the worker: the same.
    const onB = await call<Detail>(b, 'getItem', { id: ids.Router });
    expect(onB).toMatchObject({ notes: 'edited on A', trashedAt: null });
    expect((await listed(b, 'trash')).items).toEqual([]);
  });

  it('deletes an item forever from the trash on every device', async () => {
    await trashThroughEditor(popupA, 'Mail');
    await chooseView(popupA.page, 'Trash (1)');
    await waitForTitles(popupA.page, ['Mail']);
    await popupA.click('Delete Mail forever');
    await popupA.page.locator(aria('Delete forever?', 'heading')).wait();
    await popupA.page.locator(CONFIRM).click();
    await waitForTitles(popupA.page, []);
    await waitForTrashCount(popupA.page, 0);

    await sync(a);
    await sync(b);
    await waitForTitles(popupB.page, ['Bank', 'Gym', 'Router']);
    await waitForTrashCount(popupB.page, 0);
    for (const d of [a, b]) {
      expect(titlesOf(await listed(d, 'all'))).toEqual(['Bank', 'Gym', 'Router']);
      expect((await listed(d, 'trash')).items).toEqual([]);
    }
    await chooseView(popupA.page, 'All items');
    await waitForTitles(popupA.page, ['Bank', 'Gym', 'Router']);
  });

  it('empties the trash on every device', async () => {
    await trashThroughEditor(popupB, 'Bank');
    await trashThroughEditor(popupB, 'Gym');
    await waitForTitles(popupB.page, ['Router']);
    await chooseView(popupB.page, 'Trash (2)');
    // The trash lists the most recently trashed first.
    await waitForTitles(popupB.page, ['Gym', 'Bank']);
    await popupB.click('Empty trash');
    await popupB.page.locator(aria('Empty the trash?', 'heading')).wait();
    await popupB.page.locator(CONFIRM).click();
    await waitForTitles(popupB.page, []);
    await waitForTrashCount(popupB.page, 0);

    await sync(b);
    await sync(a);
    await waitForTitles(popupA.page, ['Router']);
    await waitForTrashCount(popupA.page, 0);
    for (const d of [a, b]) {
      const trash = await listed(d, 'trash');
      expect(trash.trashed).toBe(0);
      expect(trash.items).toEqual([]);
      expect(titlesOf(await listed(d, 'all'))).toEqual(['Router']);
    }
  });
});
