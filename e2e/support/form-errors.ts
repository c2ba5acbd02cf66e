import type { Page } from 'puppeteer-core';

/** A popup field by its accessible name (its label), as a user and a screen reader find it. */
const field = (page: Page, name: string) => page.locator(`::-p-aria(${name})`).waitHandle();

/**
 * The error shown for a field: null when the field is not marked invalid, else the text of the
 * element its `aria-describedby` names (what a screen reader reads with the field).
 */
export async function fieldError(page: Page, name: string): Promise<string | null> {
  return (await field(page, name)).evaluate((e) => {
    if (e.getAttribute('aria-invalid') !== 'true') return null;
    const id = e.getAttribute('aria-describedby');
    return id ? (document.getElementById(id)?.textContent ?? '') : '';
  });
}

/** Replaces a field's value as typing would (one `input` event), fast enough for 1,000 characters. */
export async function setValue(page: Page, name: string, value: string): Promise<void> {
  await (await field(page, name)).evaluate((e, v) => {
    const input = e as HTMLInputElement;
    input.focus();
    input.value = v;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }, value);
}

/**
 * Clicks a form's submit button and waits for its outcome: a field marked invalid, a form alert,
 * or the vault list. Errors of an earlier submit must be gone (edit the field first).
 */
export async function submitAndSettle(page: Page, button: string): Promise<void> {
  await page.locator(`::-p-aria([name="${button}"][role="button"])`).click();
  await page.waitForSelector('[aria-invalid="true"], form > [role="alert"], ul[aria-label="Logins"]', {
    timeout: 30_000,
  });
}
