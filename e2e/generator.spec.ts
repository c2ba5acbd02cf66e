import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Device, launchDevice } from './support/browser.ts';
import { GeneratorPage } from './support/generator-page.ts';
import { PopupPage } from './support/popup-page.ts';
import { type RunningServer, startServer } from './support/server.ts';

/**
 * The generator through the popup only: the Generator tab's options shape the value (length, sets,
 * look-alikes, minimums; a passphrase's words and separator), a bad combination is refused next to
 * its field, Copy puts the value in the clipboard and in the encrypted history, which a new popup
 * shows again until it is cleared.
 */

const MASTER = 'generator spec master password 71!';
const EMAIL = 'wordsmith@example.test';
const AMBIGUOUS = /[0Oo1lI|]/;

describe('password generator', () => {
  let server: RunningServer;
  let device: Device;

  beforeAll(async () => {
    server = await startServer();
    device = await launchDevice();
  });

  afterAll(async () => {
    await device?.close();
    await server?.stop();
  });

  it('generates by the options, copies into the history, survives a new popup, clears', async () => {
    const popup = new PopupPage(await device.openPopup());
    await popup.createAccount(server.url, EMAIL, MASTER);
    await popup.waitForList();
    const origin = `chrome-extension://${device.extensionId}`;
    await device.browser
      .defaultBrowserContext()
      .overridePermissions(origin, ['clipboard-read', 'clipboard-sanitized-write']);

    const gen = new GeneratorPage(popup.page);
    await gen.open();
    // The defaults: 20 characters with every set.
    const first = await gen.valueMatching(/^.{20}$/);
    expect(first).toMatch(/[A-Z]/);
    expect(first).toMatch(/[a-z]/);
    expect(first).toMatch(/[0-9]/);
    expect(first).toMatch(/[^A-Za-z0-9]/);

    // Symbols off while a minimum of them is asked for: said next to the minimum, no value.
    await gen.setChecked('#gen-symbols', false);
    expect(await gen.fieldError('gen-min-symbols')).toBe('Turn on symbols to ask for a minimum of them.');
    await gen.type('#gen-min-symbols', '0');
    await gen.type('#gen-length', '32');
    const alnum = await gen.valueMatching(/^[A-Za-z0-9]{32}$/);
    expect(alnum).toHaveLength(32);

    // Minimums that do not fit the length are refused next to the length.
    await gen.type('#gen-min-digits', '9');
    await gen.type('#gen-length', '8');
    expect(await gen.fieldError('gen-length')).toContain('need a length of at least 11');
    await gen.type('#gen-length', '40');
    const digits = await gen.valueMatching(/^(?=(?:.*\d){9})[A-Za-z0-9]{40}$/);
    expect(digits.replace(/\D/g, '').length).toBeGreaterThanOrEqual(9);

    // Look-alikes left out; the regenerated values keep to it.
    await gen.setChecked('#gen-ambiguous', true);
    await gen.type('#gen-length', '64');
    for (let i = 0; i < 3; i++) {
      const v = await gen.valueMatching(/^[A-Za-z0-9]{64}$/);
      expect(v).not.toMatch(AMBIGUOUS);
      await popup.click('Regenerate');
      await popup.page.waitForFunction(
        (prev: string) => document.querySelector('output.generated-value')?.textContent !== prev,
        {},
        v,
      );
    }

    // Password options left half edited do not block a passphrase.
    await gen.type('#gen-min-digits', '99');
    expect(await gen.fieldError('gen-length')).toContain('need a length of at least 101');

    // A passphrase of 4 capitalised words with a number, separated by dots; its entropy is shown.
    await popup.page.locator('::-p-aria([name="Passphrase"][role="radio"])').click();
    await gen.type('#gen-separator', 'ab');
    expect(await gen.fieldError('gen-separator')).toBe('The separator cannot contain letters or numbers.');
    await gen.type('#gen-separator', '.');
    await gen.type('#gen-words', '4');
    const phrase = await gen.valueMatching(/^[A-Z][a-z-]+\d?(\.[A-Z][a-z-]+\d?){3}$/);
    expect(phrase.replace(/\D/g, '')).toHaveLength(1);
    const entropy = await popup.page.$eval('.generator-entropy', (e) => e.textContent ?? '');
    expect(entropy).toBe('57 bits of entropy'); // 4 · log2(7776) + log2(40) ≈ 57.02

    await popup.click('Copy');
    const notice = await popup.page.locator('.generator-result [role="status"]').waitHandle();
    expect(await notice.evaluate((e) => e.textContent)).toBe('Copied. It is also in the history below.');
    expect(await popup.page.evaluate(() => navigator.clipboard.readText())).toBe(phrase);
    expect(await gen.historyValues()).toEqual([phrase]);

    // A new popup: the options are remembered and the history is there (opened by the vault key).
    await popup.page.close();
    const again = new PopupPage(await device.openPopup());
    await again.waitForList();
    const gen2 = new GeneratorPage(again.page);
    await gen2.open();
    await gen2.valueMatching(/^[A-Z][a-z-]+\d?(\.[A-Z][a-z-]+\d?){3}$/);
    await again.page.locator('ul.generator-history-list code').wait();
    expect(await gen2.historyValues()).toEqual([phrase]);

    // Clear, after a confirmation.
    await again.click('Clear history');
    await again.page
      .locator('::-p-aria(Clear every value in the history? They cannot be brought back.)')
      .wait();
    await again.click('Clear');
    await again.page.locator('.generator-history .empty').wait();
    expect(await gen2.historyValues()).toEqual([]);
  });

  it('fills a new login’s password from the saved options, and keeps it in the history if not saved', async () => {
    const popup = new PopupPage(await device.openPopup());
    await popup.waitForList();
    await popup.click('Add login');
    await popup.click('Generate password');
    // The options saved last are the passphrase's: four capitalised words joined by dots.
    const handle = await popup.page.waitForFunction(
      () => {
        const value = [...document.querySelectorAll<HTMLInputElement>('input')].find((i) =>
          /^[A-Z][a-z-]+\d?(\.[A-Z][a-z-]+\d?){3}$/.test(i.value),
        )?.value;
        return value ?? null;
      },
      { polling: 'mutation', timeout: 10_000 },
    );
    const generated = (await handle.jsonValue()) as string;
    // Closed without saving: the value is still in the generator history.
    await popup.click('Cancel');
    const gen = new GeneratorPage(popup.page);
    await gen.open();
    await popup.page.locator('ul.generator-history-list code').wait();
    expect(await gen.historyValues()).toEqual([generated]);
    await popup.page.close();
  });
});
