import { randomBytes, randomUUID } from 'node:crypto';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Device, launchDevice } from './support/browser.ts';
import { fieldError, setValue, submitAndSettle } from './support/form-errors.ts';
import { PopupPage } from './support/popup-page.ts';
import { type RunningServer, startServer } from './support/server.ts';
import { closedPortUrl, type StubServer, startSelfSignedStub, startStub } from './support/stub-servers.ts';

/**
 * What the popup says when something is wrong, in the real popup in Chromium: which server
 * address failed and why, how long a lockout lasts, which field of a form is wrong (next to it),
 * and text at the size the stylesheet says. One browser; the tests run in order on one device
 * (the lockout and the address checks need it without an account, the rest with one).
 */

const MASTER = 'a long enough master password 7';
const TOTP_LABEL = 'One-time code (TOTP) secret or otpauth:// URI';
const aria = (name: string, role?: string) =>
  role ? `::-p-aria([name="${name}"][role="${role}"])` : `::-p-aria(${name})`;

/** The popup page's own extension API, as the popup's `send` uses it. */
interface ExtensionPage {
  chrome: { runtime: { sendMessage(message: unknown): Promise<unknown> } };
}

const meta = (version: number, minClientVersion: number) =>
  JSON.stringify({ service: 'keyhold', protocol: { version, minClientVersion } });

describe('popup: errors that say what and where', () => {
  let server: RunningServer;
  let device: Device;
  let web: StubServer;
  let tls: StubServer;
  let closed: string;
  let popup: Page;

  beforeAll(async () => {
    [server, device, web, tls, closed] = await Promise.all([
      // The lockout test's account uses cheap KDF parameters (six wrong passwords are derived):
      // this server's policy floor lets them in.
      startServer({ KDF_MIN_ARGON2_MEMORY_KIB: '19456', KDF_MIN_ARGON2_ITERATIONS: '1' }),
      launchDevice(),
      // Any other web server: a 404 page, a 200 text page, or a Keyhold of another protocol.
      startStub((req, res) => {
        if (req.url === '/old/v1/meta') return res.end(meta(0, 0));
        if (req.url === '/new/v1/meta') return res.end(meta(99, 99));
        if (req.url?.startsWith('/text/')) return res.end('Hello from some other web server');
        res.writeHead(404, { 'content-type': 'text/html' }).end('<!doctype html><h1>Not Found</h1>');
      }),
      startSelfSignedStub((_req, res) => res.end(meta(1, 1))),
      closedPortUrl(),
    ]);
    popup = await device.openPopup();
  });

  afterAll(async () => {
    await device?.close();
    await Promise.all([server?.stop(), web?.close(), tls?.close()]);
  });

  it("says how long a lockout lasts, from the server's Retry-After", async () => {
    // An account made over the API: its auth key is random, so every password typed is wrong.
    const email = `locked-${randomUUID()}@example.test`;
    const created = await fetch(`${server.url}/v1/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        accountId: randomUUID(),
        email,
        kdf: { alg: 'argon2id', memoryKiB: 19_456, iterations: 1, parallelism: 1 },
        salt: randomBytes(16).toString('base64url'),
        authKey: randomBytes(32).toString('base64url'),
        wrappedVaultKey: `k1.${randomBytes(64).toString('base64url')}`,
      }),
    });
    expect(created.status).toBe(201);

    await popup.locator(aria('Log in', 'tab')).click();
    await setValue(popup, 'Server address', server.url);
    await setValue(popup, 'Email', email);
    // The server locks the account after 5 failures in a row.
    for (let attempt = 1; attempt <= 5; attempt++) {
      await setValue(popup, 'Master password', `wrong ${attempt}`);
      await submitAndSettle(popup, 'Log in');
      expect(await fieldError(popup, 'Master password')).toBe('The email or master password is not right.');
    }
    await setValue(popup, 'Master password', 'wrong 6');
    // The field's old error went away with the new input.
    expect(await fieldError(popup, 'Master password')).toBeNull();
    await submitAndSettle(popup, 'Log in');
    const alert = await popup.$eval('form > [role="alert"]:not(.field-error)', (e) => e.textContent);
    expect(alert).toMatch(/^Too many attempts\. Try again in (1 minute|[1-5]?\d seconds)\.$/);
  });

  it('names the address and why when it is not a Keyhold server we can use', async () => {
    await popup.locator(aria('Create account', 'tab')).click();
    await setValue(popup, 'Email', 'ada@example.test');
    await setValue(popup, 'Master password', MASTER);
    await setValue(popup, 'Confirm master password', MASTER);
    const cases: [address: string, message: string][] = [
      [closed, `Keyhold cannot reach a server at ${closed}. Check the address and your connection.`],
      [web.url, `${web.url} did not answer like a Keyhold server.`],
      [`${web.url}/text`, `${web.url}/text did not answer like a Keyhold server.`],
      [`${server.url}/wrong/path`, `${server.url}/wrong/path did not answer like a Keyhold server.`],
      [
        tls.url,
        `The secure connection to ${tls.url} failed (net::ERR_CERT_AUTHORITY_INVALID): the server's certificate is not trusted`,
      ],
      [`${web.url}/old`, `The Keyhold server at ${web.url}/old is too old for this extension`],
      [`${web.url}/new`, `The Keyhold server at ${web.url}/new needs a newer Keyhold extension`],
    ];
    for (const [address, message] of cases) {
      await setValue(popup, 'Server address', address);
      await submitAndSettle(popup, 'Create account');
      expect(await fieldError(popup, 'Server address'), address).toContain(message);
    }
    // Typing in the field clears its error.
    await popup.locator(aria('Server address')).click();
    await popup.keyboard.type('x');
    expect(await fieldError(popup, 'Server address')).toBeNull();
  });

  it("shows every extension page's text at its stylesheet size in Chromium", async () => {
    const page = new PopupPage(popup);
    await popup.locator(aria('Create account', 'tab')).click();
    await setValue(popup, 'Server address', server.url);
    await setValue(popup, 'Email', 'grace@example.test');
    await setValue(popup, 'Master password', MASTER);
    await setValue(popup, 'Confirm master password', MASTER);
    await popup.locator(aria('Create account', 'button')).click();
    await page.waitForRecoveryKey();
    await page.saveRecoveryKey();
    await page.addLogin({ title: 'Zeppelin Bank', username: 'ada.lovelace.99' });

    const sizes = await popup.$eval('ul[aria-label="Logins"] li button', (button) => {
      const px = (e: Element | null) => (e ? Number.parseFloat(getComputedStyle(e).fontSize) : Number.NaN);
      return {
        body: px(document.body),
        title: px(button.querySelector(':scope > span:not(.sub)')),
        username: px(button.querySelector(':scope > span.sub')),
      };
    });
    expect(sizes.body).toBe(14);
    expect(sizes.title).toBe(14);
    expect(sizes.title).toBeGreaterThanOrEqual(sizes.username);

    for (const file of ['inline-menu.html', 'save-prompt.html']) {
      const other = await device.browser.newPage();
      await other.goto(`chrome-extension://${device.extensionId}/${file}`);
      expect(await other.evaluate(() => getComputedStyle(document.body).fontSize), file).toBe('13px');
      await other.close();
    }
  });

  it('marks a bad TOTP secret and a javascript: website next to their fields; the worker refuses them too', async () => {
    await popup.locator(aria('Add login', 'button')).click();
    await setValue(popup, 'Title', 'Bad input');
    await setValue(popup, 'Website address 1', 'javascript:alert(1)');
    await setValue(popup, TOTP_LABEL, 'not a secret!!');
    await setValue(popup, 'Username', 'x'.repeat(1001));
    await popup.locator(aria('Save', 'button')).click();

    expect(await fieldError(popup, 'Website address 1')).toBe(
      'Website address 1 is not a web address: use one that starts with https:// or http:// (or an app address: androidapp://, iosapp://).',
    );
    expect(await fieldError(popup, TOTP_LABEL)).toBe(
      'The one-time code secret is not valid: paste the Base32 secret (letters A–Z and digits 2–7) or an otpauth://totp/ URI.',
    );
    expect(await fieldError(popup, 'Username')).toBe('The username can be at most 1,000 characters.');
    expect(await fieldError(popup, 'Title')).toBeNull();
    // Nothing was saved, and the first wrong field has the focus.
    await popup.locator(aria('Add login', 'heading')).wait();
    const username = await popup.locator(aria('Username')).waitHandle();
    expect(await username.evaluate((e) => e === document.activeElement)).toBe(true);

    // Correcting one field clears its error only.
    await setValue(popup, TOTP_LABEL, 'JBSWY3DPEHPK3PXP');
    expect(await fieldError(popup, TOTP_LABEL)).toBeNull();
    expect(await fieldError(popup, 'Website address 1')).not.toBeNull();

    // The service worker checks the same, for any caller that is not this form.
    const reply = (fields: Record<string, unknown>) =>
      popup.evaluate(
        (f) =>
          (globalThis as unknown as ExtensionPage).chrome.runtime.sendMessage({
            name: 'saveItem',
            request: { fields: f },
          }),
        {
          title: 'Direct',
          username: '',
          password: '',
          notes: '',
          totp: '',
          uris: [],
          ...fields,
        },
      );
    expect(await reply({ uris: [{ url: 'javascript:alert(1)', match: 'domain' }] })).toMatchObject({
      ok: false,
      code: 'VALIDATION',
      field: 'fields.uris.0.url',
      message: expect.stringMatching(/^Website address 1 is not a web address/),
    });
    expect(await reply({ totp: 'not a secret!!' })).toMatchObject({
      ok: false,
      code: 'VALIDATION',
      field: 'fields.totp',
      message: expect.stringMatching(/^The one-time code secret is not valid/),
    });

    await setValue(popup, 'Website address 1', 'androidapp://com.example.bank');
    await setValue(popup, 'Username', 'ada');
    await popup.locator(aria('Save', 'button')).click();
    await new PopupPage(popup).waitForList();
    expect(await new PopupPage(popup).titles()).toEqual(['Bad input', 'Zeppelin Bank']);
  });
});
