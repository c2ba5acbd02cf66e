import type { Frame, Page } from 'puppeteer-core';
import type { ItemInputRaw } from '../../extension/messaging/protocol.ts';
import { type Device, isExtensionWorker } from './browser.ts';

export const MASTER_PASSWORD = 'correct horse battery staple 42';

/**
 * Creates an account and saves logins through the extension's own popup page and message
 * protocol — exactly what the popup's forms send — so autofill specs start from a real vault.
 */
/** Sends one protocol message from an extension page, exactly as the popup does; throws on an error reply. */
export async function vaultCall<T>(device: Device, name: string, request: unknown): Promise<T> {
  const page = await extensionPage(device);
  const reply = (await page.evaluate(
    async (n, r) => {
      const runtime = (
        globalThis as unknown as { chrome: { runtime: { sendMessage(m: unknown): Promise<unknown> } } }
      ).chrome.runtime;
      return runtime.sendMessage({ name: n, request: r });
    },
    name,
    request as object,
  )) as { ok: boolean; value?: T; message?: string };
  if (!reply.ok) throw new Error(`${name} failed: ${reply.message}`);
  return reply.value as T;
}

/** The vault's logins as the popup's list shows them (first 1,000, sorted by title). */
export async function listLogins(device: Device): Promise<{ id: string; title: string; username: string }[]> {
  const page = await vaultCall<{ items: { id: string; title: string; username: string }[] }>(
    device,
    'listItems',
    { limit: 1000 },
  );
  return page.items;
}

const extensionPages = new WeakMap<Device, Page>();
async function extensionPage(device: Device): Promise<Page> {
  const existing = extensionPages.get(device);
  if (existing && !existing.isClosed()) return existing;
  const page = await device.openPopup();
  extensionPages.set(device, page);
  return page;
}

/**
 * Creates an account and saves logins through the extension's own message protocol — exactly what
 * the popup's forms send — so autofill specs start from a real vault.
 */
export type LoginInput = Omit<ItemInputRaw, 'notes'> & { notes?: string };

export async function createVault(
  device: Device,
  serverUrl: string,
  logins: LoginInput[],
): Promise<string[]> {
  const email = `autofill-${Math.random().toString(36).slice(2)}@example.test`;
  await vaultCall(device, 'register', { serverUrl, email, password: MASTER_PASSWORD });
  // The recovery key offered after sign-up is taken and set aside, as a user closing that screen
  // would: the popup then opens on the logins (these specs are about autofill, not recovery).
  const screen = crypto.randomUUID();
  await vaultCall(device, 'offeredRecoveryKey', { screen });
  await vaultCall(device, 'discardRecoveryKey', { screen });
  const ids: string[] = [];
  for (const fields of logins) {
    const saved = await vaultCall<{ id: string }>(device, 'saveItem', {
      fields: { ...fields, notes: fields.notes ?? '' },
    });
    ids.push(saved.id);
  }
  return ids;
}

const isMenu = (f: Frame) => f.url().includes('/inline-menu.html');
const isPrompt = (f: Frame) => f.url().includes('/save-prompt.html');

export async function waitForFrame(
  page: Page,
  match: (f: Frame) => boolean,
  timeout = 5_000,
): Promise<Frame> {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    const frame = page.frames().find(match);
    if (frame) return frame;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('frame did not appear');
}

export const inlineMenu = (page: Page, timeout?: number) => waitForFrame(page, isMenu, timeout);
export const savePrompt = (page: Page, timeout?: number) => waitForFrame(page, isPrompt, timeout);

/** Whether the page shows an inline menu now. */
export const menuShown = (page: Page) => page.frames().some(isMenu);

/** Waits (up to 3 s) until the page shows no inline menu; true when it is gone. */
export async function menuGone(page: Page): Promise<boolean> {
  const deadline = Date.now() + 3_000;
  while (menuShown(page) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return !menuShown(page);
}

/** True if no inline menu appears within `ms`. */
export async function noMenuWithin(page: Page, ms: number): Promise<boolean> {
  try {
    await waitForFrame(page, isMenu, ms);
    return false;
  } catch {
    return true;
  }
}

/** Clicks the suggestion with this accessible name in the inline menu, as the user would. */
export async function chooseSuggestion(page: Page, title: string): Promise<Frame> {
  const menu = await inlineMenu(page);
  const suggestion = await menu
    .waitForSelector(`::-p-aria([name="${title}"][role="button"])`, { timeout: 5_000 })
    .catch(async (e) => {
      throw new Error(
        `${e}\nmenu: ${await menu.evaluate(() => `${document.documentElement.outerHTML} ROOT:${location.href}`).catch((x) => String(x))}`,
      );
    });
  if (!suggestion) throw new Error(`no suggestion "${title}"`);
  // The menu ignores clicks until it has been visibly on screen for a moment (clickjacking guard).
  await new Promise((r) => setTimeout(r, 700));
  await suggestion.click();
  return menu;
}

export async function readFields(frame: Page | Frame): Promise<Record<string, string>> {
  return frame.evaluate(() =>
    (globalThis as unknown as { readFields(): Record<string, string> }).readFields(),
  );
}

export async function waitForValue(
  frame: Page | Frame,
  key: string,
  expected: string,
  timeout = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeout;
  let last: Record<string, string> = {};
  while (Date.now() < deadline) {
    last = await readFields(frame).catch(() => ({}));
    if (last[key] === expected) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`field ${key} is ${JSON.stringify(last[key])}, expected the filled value`);
}

/**
 * Opens the toolbar popup over `site`, as a click on Keyhold's toolbar button does
 * (chrome.action.openPopup from the worker), so the popup's "current tab" is that page.
 */
export async function openToolbarPopup(device: Device, site: Page): Promise<Page> {
  await site.bringToFront();
  const before = new Set(device.browser.targets());
  const worker = await (await device.browser.waitForTarget(isExtensionWorker, { timeout: 10_000 })).worker();
  if (!worker) throw new Error('no service worker');
  await worker.evaluate(() =>
    (
      globalThis as unknown as { chrome: { action: { openPopup(): Promise<void> } } }
    ).chrome.action.openPopup(),
  );
  const target = await device.browser.waitForTarget(
    (t) => !before.has(t) && t.url().endsWith('/popup.html'),
    {
      timeout: 10_000,
    },
  );
  const popup = await target.asPage();
  await popup.waitForSelector('body');
  return popup;
}
