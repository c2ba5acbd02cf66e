import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { generateChromeMessagesText, parseMessagesFile } from '@wxt-dev/i18n/build';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Device, launchDevice } from './support/browser.ts';
import { fieldError, setValue, submitAndSettle } from './support/form-errors.ts';
import { type RunningServer, startServer } from './support/server.ts';
import { closedPortUrl } from './support/stub-servers.ts';

/**
 * Keyhold in a browser whose language is Japanese (`--lang=ja`): the popup's pages declare
 * `lang="ja"`, and what the popup writes itself (the setup screen, the unlocked popup's tabs), a
 * check made in the popup and an error made in the service worker are the Japanese strings of
 * extension/locales/ja.yml, as the build turned them into _locales/ja/messages.json.
 */

const MASTER = 'tsuki yoru kawa mori 7 fune';
const aria = (name: string, role?: string) =>
  role ? `::-p-aria([name="${name}"][role="${role}"])` : `::-p-aria(${name})`;

let ja: Record<string, { message: string }>;
/** A Japanese string by its key, with `{name}` substitutions, as `t` shows it. */
const jp = (key: string, named: Record<string, string> = {}) => {
  const message = ja[key.replaceAll('.', '_')]?.message;
  if (message === undefined) throw new Error(`No Japanese string ${key}`);
  return message.replace(/\{([A-Za-z0-9_]+)\}/g, (m, k: string) => named[k] ?? m);
};

describe('Japanese', () => {
  let server: RunningServer;
  let device: Device;
  let closed: string;
  let popup: Page;

  beforeAll(async () => {
    const file = path.resolve(import.meta.dirname, '../extension/locales/ja.yml');
    ja = JSON.parse(generateChromeMessagesText(await parseMessagesFile(file)));
    [server, device, closed] = await Promise.all([
      startServer(),
      launchDevice(undefined, { lang: 'ja' }),
      closedPortUrl(),
    ]);
    popup = await device.openPopup();
  });

  afterAll(async () => {
    await device?.close();
    await server?.stop();
  });

  it('shows the setup screen in Japanese, with lang="ja"', async () => {
    await popup.locator(aria(jp('account.create'), 'tab')).wait();
    expect(await popup.$eval('html', (e) => e.lang)).toBe('ja');
    const tabs = await popup.$$eval('[role="tab"]', (els) => els.map((e) => e.textContent));
    expect(tabs).toEqual([jp('account.create'), jp('account.logIn')]);
    expect(await popup.$eval('form .status', (e) => e.textContent)).toBe(jp('account.remember'));
    // Fields are found by their Japanese labels.
    await popup.locator(aria(jp('account.serverUrl'))).wait();
    await popup.locator(aria(jp('account.confirmPassword'))).wait();
  });

  it('says what is wrong in Japanese: a check in the popup, an error from the worker', async () => {
    await setValue(popup, jp('account.serverUrl'), closed);
    await setValue(popup, jp('account.email'), 'not an email');
    await setValue(popup, jp('account.masterPassword'), MASTER);
    await setValue(popup, jp('account.confirmPassword'), MASTER);
    await submitAndSettle(popup, jp('account.create'));
    expect(await fieldError(popup, jp('account.email'))).toBe(jp('errors.check.email'));

    // The service worker finds no server there and says so, in the browser's language.
    await setValue(popup, jp('account.email'), `hanako-${randomUUID()}@example.test`);
    await submitAndSettle(popup, jp('account.create'));
    expect(await fieldError(popup, jp('account.serverUrl'))).toBe(
      jp('errors.at.serverUnreachable', { url: closed }),
    );
  });

  it('creates the account and shows the unlocked popup’s tabs in Japanese', async () => {
    await setValue(popup, jp('account.serverUrl'), server.url);
    await popup.locator(aria(jp('account.create'), 'button')).click();
    await popup
      .locator(aria(jp('recovery.saveTitle'), 'heading'))
      .setTimeout(60_000)
      .wait();
    const key = await popup.$eval(
      `section[aria-label="${jp('recovery.keyLabel')}"] code`,
      (e) => e.textContent ?? '',
    );
    await setValue(popup, jp('recovery.typeLastGroup'), key.split('-').at(-1) ?? '');
    await popup.locator(aria(jp('recovery.saved'), 'button')).click();

    const tablist = await popup.locator(`[role="tablist"][aria-label="${jp('tabs.label')}"]`).waitHandle();
    const names = await tablist.$$eval('[role="tab"]', (els) => els.map((e) => e.textContent));
    expect(names).toContain(jp('tabs.vault'));
    expect(
      names.every((n) => !/[A-Za-z]{3}/.test(n ?? '')),
      names.join(', '),
    ).toBe(true);
  });
});
