import type { Page } from 'puppeteer-core';
import { ROW_BUTTONS } from './popup-page.ts';

const aria = (name: string, role: string) => `::-p-aria([name="${name}"][role="${role}"])`;

/** Waits until the list shows exactly these titles, in this order (favorites first, then by title). */
export async function waitForTitles(page: Page, titles: string[]): Promise<void> {
  await page.waitForFunction(
    (selector, expected) =>
      JSON.stringify([...document.querySelectorAll<HTMLElement>(selector)].map((b) => b.dataset.title)) ===
      expected,
    { polling: 'mutation', timeout: 15_000 },
    ROW_BUTTONS,
    JSON.stringify(titles),
  );
}

/** Picks an option of one of the list's filters ("Folder", "Type") by its value. */
export async function chooseFilter(page: Page, name: 'Folder' | 'Type', value: string) {
  const selector = `select[aria-label="${name}"]`;
  // The folder options arrive with the list: wait until the one asked for exists.
  await page.waitForFunction(
    (sel, v) =>
      [...(document.querySelector<HTMLSelectElement>(sel)?.options ?? [])].some((o) => o.value === v),
    { polling: 'mutation', timeout: 15_000 },
    selector,
    value,
  );
  await page.select(selector, value);
}

/** Switches the list to a view by its button ("All items", "Favorites", "Trash (2)"). */
export function chooseView(page: Page, name: string) {
  return page.locator(aria(name, 'button')).click();
}
