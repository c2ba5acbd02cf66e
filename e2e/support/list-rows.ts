import type { Page } from 'puppeteer-core';
import { ROW_BUTTONS } from './popup-page.ts';

const aria = (name: string, role: string) => `::-p-aria([name="${name}"][role="${role}"])`;

/**
 * Waits until the list shows exactly these titles, in this order (favorites first, then by title).
 * On a timeout the error says what the list showed instead, and in which view.
 */
export async function waitForTitles(page: Page, titles: string[]): Promise<void> {
  try {
    await page.waitForFunction(
      (selector, expected) =>
        JSON.stringify([...document.querySelectorAll<HTMLElement>(selector)].map((b) => b.dataset.title)) ===
        expected,
      { polling: 'mutation', timeout: 15_000 },
      ROW_BUTTONS,
      JSON.stringify(titles),
    );
  } catch (e) {
    const shown = await page.evaluate(
      (selector) => ({
        titles: [...document.querySelectorAll<HTMLElement>(selector)].map((b) => b.dataset.title),
        view: document.querySelector('.view-switch [aria-pressed="true"]')?.textContent ?? null,
      }),
      ROW_BUTTONS,
    );
    throw new Error(
      `the list shows ${JSON.stringify(shown.titles)} in view ${JSON.stringify(shown.view)}, not ${JSON.stringify(titles)}`,
      { cause: e },
    );
  }
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

/**
 * Switches the list to a view by its button ("All items", "Favorites", "Trash (2)") and waits until
 * that button is the pressed one. A banner that arrives late (a sign-in notice, the recovery-key
 * reminder) moves the buttons down: a press that landed on the old place is made again, as a user
 * whose click missed would.
 */
export async function chooseView(page: Page, name: string) {
  const button = page.locator(aria(name, 'button'));
  for (let attempt = 1; ; attempt++) {
    await button.click();
    const pressed = await page
      .waitForFunction(
        // Compared without the count, which a sync may change meanwhile ("Trash (1)" → "Trash (2)").
        (label) =>
          [...document.querySelectorAll('.view-switch button')].some(
            (b) =>
              b.textContent?.replace(/ \(\d+\)$/, '') === label.replace(/ \(\d+\)$/, '') &&
              b.getAttribute('aria-pressed') === 'true',
          ),
        { polling: 'mutation', timeout: 2_000 },
        name,
      )
      .then(
        () => true,
        () => false,
      );
    if (pressed) return;
    if (attempt === 3) throw new Error(`the view button "${name}" did not become the pressed one`);
  }
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
