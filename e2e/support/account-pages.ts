import type { Page } from 'puppeteer-core';
import { fieldError, setValue } from './form-errors.ts';
import type { PopupPage } from './popup-page.ts';

/**
 * The account-lifecycle screens as a user meets them: Security (change the master password, delete
 * the account), "Log in again" after a change elsewhere, the vault reset on the unlock screen. By
 * the names shown on screen.
 */

const aria = (name: string, role?: string) =>
  role ? `::-p-aria([name="${name}"][role="${role}"])` : `::-p-aria(${name})`;

/** Waits until a form's submit settled: a field marked invalid, an alert, or `done` shows. */
async function settle(page: Page, done: string) {
  await page.waitForSelector(`[aria-invalid="true"], form [role="alert"]:not(.field-error), ${done}`, {
    timeout: 60_000,
  });
}

export async function openSecurity(popup: PopupPage): Promise<void> {
  await popup.click('Security');
  await popup.page.locator(aria('Security', 'heading')).wait();
  // The password section's overview (KDF, date of the last change) or its error. Only that section:
  // the devices section's hint is always there, and a test that stops the server right after this
  // would otherwise race the overview's request (the "Change…" button waits for the overview).
  const section = 'section.security[aria-labelledby="security-password"]';
  await popup.page.waitForSelector(`${section} .hint, ${section} [role="alert"]`);
}

export async function closeSecurity(popup: PopupPage): Promise<void> {
  await popup.click('Back');
  await popup.waitForList();
}

export interface PasswordChangeInput {
  current: string;
  next: string;
  confirm?: string;
  /** The "Key derivation" option's value: keep, standard, stronger, strongest. */
  kdf?: string;
}

/** Opens the form (when it is not open yet) and fills it. */
export async function fillPasswordChange(popup: PopupPage, input: PasswordChangeInput): Promise<void> {
  const { page } = popup;
  if (!(await page.$(aria('Change master password', 'heading'))))
    await popup.click('Change master password…');
  await setValue(page, 'Current master password', input.current);
  await setValue(page, 'New master password', input.next);
  await setValue(page, 'Confirm new master password', input.confirm ?? input.next);
  if (input.kdf) await page.locator(aria('Key derivation')).fill(input.kdf);
}

/** Submits the change form; returns the notice on success, or null (an error is shown instead). */
export async function submitPasswordChange(popup: PopupPage): Promise<string | null> {
  await popup.click('Change master password');
  await settle(popup.page, 'p.done-notice');
  const notice = await popup.page.$('p.done-notice');
  return notice ? notice.evaluate((e) => e.textContent ?? '') : null;
}

export async function changePassword(popup: PopupPage, input: PasswordChangeInput): Promise<string | null> {
  await fillPasswordChange(popup, input);
  return submitPasswordChange(popup);
}

/** The error under a field, or the form's alert. */
export const formError = async (popup: PopupPage, field?: string): Promise<string | null> =>
  field
    ? fieldError(popup.page, field)
    : popup.page.$eval('form [role="alert"]:not(.field-error)', (e) => e.textContent ?? '').catch(() => null);

export async function deleteAccount(popup: PopupPage, password: string, email: string): Promise<void> {
  const { page } = popup;
  if (!(await page.$(aria('Delete account', 'heading')))) await popup.click('Delete account…');
  await setValue(page, 'Master password', password);
  await setValue(page, 'Type your email to confirm', email);
  await popup.click('Delete this account for good');
  // The setup screen's tabs (Create account / Log in), not the unlocked popup's own (id="tab-…").
  await settle(page, '[role="tab"]:not([id^="tab-"])');
}

/** The "Log in again" form shown after the master password was changed on another device. */
export async function signInAgain(popup: PopupPage, password: string): Promise<void> {
  const { page } = popup;
  await page.locator(aria('Log in again', 'heading')).wait();
  await setValue(page, 'New master password', password);
  await popup.click('Log in again');
  await page.waitForFunction(
    () =>
      !document.querySelector('#sign-in-again-title') ||
      document.querySelector('[aria-invalid="true"], form [role="alert"]:not(.field-error)'),
    { polling: 'mutation', timeout: 60_000 },
  );
}

export const RESET_LINK = 'Forgot your master password and lost the recovery key?';

export async function resetVault(popup: PopupPage, email: string, password: string): Promise<void> {
  const { page } = popup;
  await popup.click(RESET_LINK);
  await page.locator(aria('Reset the vault', 'heading')).wait();
  await setValue(page, 'Type your email to confirm', email);
  await setValue(page, 'New master password', password);
  await setValue(page, 'Confirm new master password', password);
  await popup.click('Delete every login and start over');
  await settle(page, 'ul[aria-label="Logins"]');
}

/** The sync line under the header. */
export const syncLine = (popup: PopupPage) =>
  popup.page.$eval('main > p.status[aria-live]', (e) => e.textContent ?? '');
