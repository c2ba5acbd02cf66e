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

/**
 * Every row title of the list in list order, scrolling its box from top to bottom and back: only the rows in
 * view (and a margin) are in the document (popup/item-list.tsx). Runs in the page.
 */
export const scrolledTitles = async (): Promise<string[]> => {
  const box = document.querySelector<HTMLElement>('.items-scroll');
  if (!box) return [];
  // The list re-renders on the frame after a scroll: each step waits a few frames. (No inner named
  // functions: a transform that keeps names would call a helper the page does not have.)
  const byPlace = new Map<number, string>();
  box.scrollTop = 0;
  for (let i = 0; i < 3; i++) await new Promise((resolve) => requestAnimationFrame(resolve));
  for (;;) {
    for (const li of box.querySelectorAll('li')) {
      const title = li.querySelector<HTMLElement>('button.open')?.dataset.title;
      if (title !== undefined) byPlace.set(Number(li.getAttribute('aria-posinset')), title);
    }
    if (box.scrollTop + box.clientHeight >= box.scrollHeight - 1) break;
    box.scrollTop += box.clientHeight;
    for (let i = 0; i < 3; i++) await new Promise((resolve) => requestAnimationFrame(resolve));
  }
  // Back at the top, as a user who just opened the list sees it.
  box.scrollTop = 0;
  for (let i = 0; i < 3; i++) await new Promise((resolve) => requestAnimationFrame(resolve));
  return [...byPlace.entries()].sort((x, y) => x[0] - y[0]).map(([, title]) => title);
};
