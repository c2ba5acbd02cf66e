/**
 * `npm run screenshots`: pictures of the main popup screens in the light and the dark theme, for a
 * reviewer to look at. Builds nothing: run `npx wxt build` first (it uses .output/chrome-mv3).
 * Starts a throwaway server and browser profile, signs up through the popup, adds a few logins and
 * saves PNGs into .tmp/screenshots/ (git-ignored; override with SCREENSHOTS_DIR). Nothing is
 * committed from it.
 */
import { access, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'puppeteer-core';
import { vaultCall } from '../e2e/support/autofill.ts';
import { EXTENSION_PATH, launchDevice } from '../e2e/support/browser.ts';
import { PopupPage } from '../e2e/support/popup-page.ts';
import { startServer } from '../e2e/support/server.ts';

const OUT = path.resolve(
  process.env.SCREENSHOTS_DIR ?? path.join(import.meta.dirname, '../.tmp/screenshots'),
);
const MASTER = 'quiet orbit lantern 42 velvet';
const THEMES = ['light', 'dark'] as const;

const LOGINS = [
  { title: 'Zeppelin Bank', username: 'ada.lovelace', uris: ['https://zeppelin-bank.example'] },
  { title: 'Mail', username: 'ada@example.test', uris: ['https://mail.example.com'] },
  { title: 'Work VPN — a rather long title that does not fit on one line', username: 'alovelace', uris: [] },
  { title: 'مصرف الرافدين', username: 'عدا', uris: ['https://rafidain.example'] },
];

try {
  await access(path.join(EXTENSION_PATH, 'manifest.json'));
} catch {
  process.stderr.write(`No built extension at ${EXTENSION_PATH}: run \`npx wxt build\` first.\n`);
  process.exit(1);
}

await mkdir(OUT, { recursive: true });
const server = await startServer();
const device = await launchDevice();
const saved: string[] = [];

/** One screen in both themes (the system's preference; the Theme setting stays "system"). */
async function shoot(page: Page, name: string) {
  await page.bringToFront();
  for (const theme of THEMES) {
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: theme }]);
    const file = path.join(OUT, `${name}-${theme}.png`);
    await page.screenshot({ path: file as `${string}.png`, fullPage: true });
    saved.push(file);
  }
}

try {
  const popup = new PopupPage(await device.openPopup());
  await popup.page.locator('::-p-aria([name="Create account"][role="tab"])').wait();
  await shoot(popup.page, '01-sign-up');

  await popup.createAccount(server.url, 'ada@example.test', MASTER);
  for (const login of LOGINS) {
    await vaultCall(device, 'saveItem', {
      fields: {
        title: login.title,
        username: login.username,
        password: `pw-${login.username}-7#Q`,
        uris: login.uris.map((url) => ({ url, match: 'domain' })),
        notes: '',
      },
    });
  }
  // vaultCall used a page of its own: the popup comes back to the front (a background tab does not paint).
  await popup.page.bringToFront();
  await popup.page.reload();
  await popup.page.waitForSelector('ul[aria-label="Logins"] li');
  await shoot(popup.page, '02-vault');

  await popup.page.locator('ul[aria-label="Logins"] li button').click();
  await new Promise((resolve) => setTimeout(resolve, 300)); // the item screen renders (whatever its kind)
  await shoot(popup.page, '03-item');
  await popup.page.reload();

  await popup.page.locator('::-p-aria([name="Settings"][role="tab"])').click();
  await popup.page.locator('::-p-aria([name="Save settings"][role="button"])').wait();
  await shoot(popup.page, '04-settings');

  const options = await device.browser.newPage();
  await options.setViewport({ width: 900, height: 900 });
  await options.goto(`chrome-extension://${device.extensionId}/options.html`);
  await options.locator('::-p-aria([name="Save settings"][role="button"])').wait();
  await shoot(options, '05-options');
  await options.close();

  await vaultCall(device, 'lock', {});
  await popup.page.bringToFront();
  await popup.page.reload();
  await popup.page.locator('::-p-aria([name="Unlock Keyhold"][role="heading"])').wait();
  await shoot(popup.page, '06-locked');

  process.stdout.write(`${saved.map((f) => path.relative(process.cwd(), f)).join('\n')}\n`);
} finally {
  await device.close();
  await server.stop();
}
