import { TOTP } from 'otpauth';
import type { Page } from 'puppeteer-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  chooseSuggestion,
  createVault,
  inlineMenu,
  listLogins,
  noMenuWithin,
  openToolbarPopup,
  readFields,
  vaultCall,
  waitForValue,
} from './support/autofill.ts';
import { type Device, launchDevice } from './support/browser.ts';
import { type RunningServer, startServer } from './support/server.ts';
import { type Sites, startSites } from './support/sites.ts';
import { waitFor } from './support/wait.ts';

/**
 * Autofill in the real browser, on the local pages under e2e/sites, the way a user does it: click
 * (or Tab into) a field, pick the login in the inline menu. Each refusal proves nothing was written.
 */

const TOTP_SECRET = 'JBSWY3DPEHPK3PXP';
const logins = {
  bank: {
    title: 'Bank',
    username: 'ada@bank.test',
    password: 'pw-bank-1',
    uris: [{ url: 'http://bank.test' }],
  },
  secure: {
    title: 'Secure bank',
    username: 'grace',
    password: 'pw-secure-2',
    uris: [{ url: 'https://secure.test' }],
  },
  other: {
    title: 'Other site',
    username: 'alan',
    password: 'pw-other-3',
    uris: [{ url: 'http://other.test' }],
  },
  totp: {
    title: 'Two-factor',
    username: 'margaret',
    password: 'pw-totp-4',
    uris: [{ url: 'http://totp.test' }],
    totp: TOTP_SECRET,
  },
};

let server: RunningServer;
let sites: Sites;
let device: Device;
const pages: Page[] = [];

beforeAll(async () => {
  [server, sites, device] = await Promise.all([startServer(), startSites(), launchDevice()]);
  await createVault(device, server.url, Object.values(logins));
}, 120_000);

afterAll(async () => {
  await device?.close();
  await sites?.close();
  await server?.stop();
});

afterEach(async () => {
  for (const p of pages.splice(0)) await p.close().catch(() => undefined);
});

async function open(host: string, path: string): Promise<Page> {
  const page = await device.browser.newPage();
  pages.push(page);
  await page.goto(sites.url(host, path));
  return page;
}

const codesNow = () => {
  const totp = new TOTP({ secret: TOTP_SECRET });
  const now = Date.now();
  return [totp.generate({ timestamp: now }), totp.generate({ timestamp: now - 30_000 })];
};

describe('fills from the inline menu', () => {
  it('a simple form', async () => {
    const page = await open('bank.test', '/simple.html');
    await page.click('#username');
    await chooseSuggestion(page, 'Bank');
    await waitForValue(page, 'password', 'pw-bank-1');
    expect(await readFields(page)).toEqual({ username: 'ada@bank.test', password: 'pw-bank-1' });
  });

  it('email + password with autocomplete attributes, offered on a subdomain of the saved site', async () => {
    const page = await open('accounts.bank.test', '/autocomplete.html');
    await page.click('#email');
    await chooseSuggestion(page, 'Bank');
    await waitForValue(page, 'password', 'pw-bank-1');
    expect((await readFields(page)).username).toBe('ada@bank.test');
  });

  it('inputs outside any form', async () => {
    const page = await open('bank.test', '/formless.html');
    await page.click('#password');
    await chooseSuggestion(page, 'Bank');
    await waitForValue(page, 'password', 'pw-bank-1');
    expect((await readFields(page)).username).toBe('ada@bank.test');
  });

  it('a multi-step login: username first, then the password on the next page', async () => {
    const page = await open('bank.test', '/multistep-user.html');
    await page.click('#username');
    await chooseSuggestion(page, 'Bank');
    await waitForValue(page, 'username', 'ada@bank.test');
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    expect(page.url()).toContain('/multistep-password.html');
    await page.click('#password');
    await chooseSuggestion(page, 'Bank');
    await waitForValue(page, 'password', 'pw-bank-1');
  });

  it('an open shadow root', async () => {
    const page = await open('bank.test', '/shadow-open.html');
    await page.click('pierce/#username');
    await chooseSuggestion(page, 'Bank');
    await waitForValue(page, 'password', 'pw-bank-1');
  });

  it('a closed shadow root (reached with the keyboard, as page script cannot)', async () => {
    const page = await open('bank.test', '/shadow-closed.html');
    await page.keyboard.press('Tab');
    await chooseSuggestion(page, 'Bank');
    await waitForValue(page, 'password', 'pw-bank-1');
    expect((await readFields(page)).username).toBe('ada@bank.test');
  });

  it('a same-origin iframe and nested iframes', async () => {
    for (const path of ['/iframe-same.html', '/iframe-nested.html']) {
      const page = await open('bank.test', path);
      const frame = await waitFor(
        async () => page.frames().find((f) => f.url().includes('/frame-login.html')),
        (f) => f !== undefined,
      );
      if (!frame) throw new Error('login frame missing');
      await frame.waitForSelector('#username');
      await frame.click('#username');
      await chooseSuggestion(page, 'Bank');
      await waitForValue(frame, 'password', 'pw-bank-1');
    }
  });

  it('a login form added by script a second after load', async () => {
    const page = await open('bank.test', '/spa.html');
    await page.waitForSelector('#username', { timeout: 5_000 });
    await page.click('#username');
    await chooseSuggestion(page, 'Bank');
    await waitForValue(page, 'password', 'pw-bank-1');
  });

  it('framework-controlled inputs that only accept values seen through events', async () => {
    for (const path of ['/framework.html', '/framework.html?tracker=1']) {
      const page = await open('bank.test', path);
      await page.click('#username');
      await chooseSuggestion(page, 'Bank');
      await waitForValue(page, 'password', 'pw-bank-1');
      // The page re-renders from its state every 200 ms: the values must survive that.
      await new Promise((r) => setTimeout(r, 500));
      expect(await readFields(page)).toEqual({ username: 'ada@bank.test', password: 'pw-bank-1' });
    }
  });

  it('a form with autocomplete="off"', async () => {
    const page = await open('bank.test', '/autocomplete-off.html');
    await page.click('#username');
    await chooseSuggestion(page, 'Bank');
    await waitForValue(page, 'password', 'pw-bank-1');
  });

  it('a login form inside a modal dialog and inside a popover', async () => {
    for (const path of ['/dialog.html', '/popover.html']) {
      const page = await open('bank.test', path);
      await page.click('#open');
      await page.waitForSelector('#username', { visible: true });
      await page.click('#username');
      await chooseSuggestion(page, 'Bank');
      await waitForValue(page, 'password', 'pw-bank-1');
    }
  });

  it('offers nothing on search and newsletter fields next to a login form', async () => {
    const page = await open('bank.test', '/search-newsletter.html');
    await page.click('#search');
    expect(await noMenuWithin(page, 1_000)).toBe(true);
    await page.click('#newsletter');
    expect(await noMenuWithin(page, 1_000)).toBe(true);
    await page.click('#username');
    await chooseSuggestion(page, 'Bank');
    await waitForValue(page, 'password', 'pw-bank-1');
    const values = await readFields(page);
    expect(values.search).toBe('');
    expect(values.newsletter).toBe('');
  });

  it('navigates the menu with the keyboard: ArrowDown into it, Enter to fill', async () => {
    const page = await open('bank.test', '/simple.html');
    await page.click('#username');
    await inlineMenu(page);
    await new Promise((r) => setTimeout(r, 700));
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await waitForValue(page, 'password', 'pw-bank-1');
  });

  it('closes the menu with Escape and fills nothing', async () => {
    const page = await open('bank.test', '/simple.html');
    await page.click('#username');
    await inlineMenu(page);
    await page.keyboard.press('Escape');
    await waitFor(
      async () => page.frames().some((f) => f.url().includes('/inline-menu.html')),
      (open) => !open,
    );
    expect(page.frames().some((f) => f.url().includes('/inline-menu.html'))).toBe(false);
    expect(await readFields(page)).toEqual({ username: '', password: '' });
  });
});

describe('one-time codes', () => {
  it('fills the code into six split boxes after a login fill and submit', async () => {
    const page = await open('totp.test', '/login-then-totp.html');
    await page.click('#username');
    await chooseSuggestion(page, 'Two-factor');
    await waitForValue(page, 'password', 'pw-totp-4');
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    expect(page.url()).toContain('/totp-split.html');
    const filled = await waitFor(
      () => readFields(page),
      (v) => /^\d{6}$/.test(v.otp ?? ''),
    );
    expect(codesNow()).toContain(filled.otp);
  });

  it('fills a single code field from the inline menu', async () => {
    const page = await open('totp.test', '/totp-single.html');
    await page.click('#otp');
    await chooseSuggestion(page, 'Two-factor');
    const filled = await waitFor(
      () => readFields(page),
      (v) => /^\d{6}$/.test(v.otp ?? ''),
    );
    expect(codesNow()).toContain(filled.otp);
  });
});

describe('save and update', () => {
  it('offers Save after a new login is submitted and the page navigates; saves on click', async () => {
    const page = await open('newsite.test', '/simple.html');
    await page.type('#username', 'kay@newsite.test');
    await page.type('#password', 'typed-pw-5');
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    const prompt = await waitFor(
      async () => page.frames().find((f) => f.url().includes('/save-prompt.html')),
      (f) => f !== undefined,
    );
    if (!prompt) throw new Error('no save prompt');
    const save = await prompt.waitForSelector('::-p-aria([name="Save"][role="button"])');
    await new Promise((r) => setTimeout(r, 700));
    await save?.click();
    const items = await waitFor(
      () => listLogins(device),
      (list) => list.some((i) => i.username === 'kay@newsite.test'),
    );
    expect(items.find((i) => i.username === 'kay@newsite.test')?.title).toBe('newsite.test');
  });

  it('offers Update on a change-password form and changes only the password', async () => {
    const page = await open('bank.test', '/change-password.html');
    await page.click('#current-password');
    await chooseSuggestion(page, 'Bank');
    await waitForValue(page, 'currentPassword', 'pw-bank-1');
    await page.type('#new-password', 'pw-bank-NEW');
    await page.type('#confirm-password', 'pw-bank-NEW');
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    const prompt = await waitFor(
      async () => page.frames().find((f) => f.url().includes('/save-prompt.html')),
      (f) => f !== undefined,
    );
    if (!prompt) throw new Error('no update prompt');
    const update = await prompt.waitForSelector('::-p-aria([name="Update"][role="button"])');
    await new Promise((r) => setTimeout(r, 700));
    await update?.click();
    const list = await listLogins(device);
    const bank = list.find((i) => i.title === 'Bank');
    const detail = await waitFor(
      () => vaultCall<{ password: string; username: string }>(device, 'getItem', { id: bank?.id }),
      (d) => d.password === 'pw-bank-NEW',
    );
    expect(detail).toMatchObject({ username: 'ada@bank.test', password: 'pw-bank-NEW' });
    // Put it back for the other specs.
    const fields = await vaultCall<Record<string, unknown>>(device, 'getItem', { id: bank?.id });
    await vaultCall(device, 'saveItem', {
      id: bank?.id,
      fields: { ...pick(fields), password: 'pw-bank-1' },
    });
  });

  it('remembers "Never for this site" and then stays quiet', async () => {
    const page = await open('never.test', '/formless.html');
    await page.type('#username', 'nobody');
    await page.type('#password', 'never-pw');
    await page.click('#login-button');
    const prompt = await waitFor(
      async () => page.frames().find((f) => f.url().includes('/save-prompt.html')),
      (f) => f !== undefined,
    );
    if (!prompt) throw new Error('no prompt after a formless login');
    const never = await prompt.waitForSelector('::-p-aria([name="Never for this site"][role="button"])');
    await new Promise((r) => setTimeout(r, 700));
    await never?.click();
    const again = await open('never.test', '/simple.html');
    await again.type('#username', 'nobody');
    await again.type('#password', 'never-pw-2');
    await Promise.all([again.waitForNavigation(), again.click('button[type=submit]')]);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(again.frames().some((f) => f.url().includes('/save-prompt.html'))).toBe(false);
    const items = await listLogins(device);
    expect(items.some((i) => i.username === 'nobody')).toBe(false);
  });

  it('offers a generated password on registration and saves it when the form is submitted', async () => {
    const page = await open('signup.test', '/register.html');
    await page.type('#email', 'new-user@signup.test');
    await page.click('#new-password');
    await chooseSuggestion(page, 'Use a strong generated password');
    const values = await waitFor(
      () => readFields(page),
      (v) => (v.newPassword ?? '').length >= 20,
    );
    expect(values.confirmPassword).toBe(values.newPassword);
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    const items = await waitFor(
      () => listLogins(device),
      (list) => list.some((i) => i.username === 'new-user@signup.test'),
    );
    const saved = items.find((i) => i.username === 'new-user@signup.test');
    const detail = await vaultCall<{ password: string }>(device, 'getItem', { id: saved?.id });
    expect(detail.password).toBe(values.newPassword);
    // Filled on the page: it went into the generator history too (docs/generator.md).
    const history = await vaultCall<{ entries: { value: string }[] }>(device, 'generatorHistory', {});
    expect(history.entries[0]?.value).toBe(values.newPassword);
  });
});

describe('refuses', () => {
  it('to fill on a page’s synthetic events', async () => {
    const page = await open('bank.test', '/synthetic.html');
    await page.waitForFunction(() => (window as unknown as { log: string[] }).log.includes('done'), {
      timeout: 8_000,
    });
    expect(await readFields(page)).toEqual({ username: '', password: '' });
  });

  it('to fill honeypots: hidden, zero-size, transparent and off-screen fields', async () => {
    const page = await open('bank.test', '/honeypot.html');
    await page.click('#username');
    await chooseSuggestion(page, 'Bank');
    await waitForValue(page, 'password', 'pw-bank-1');
    const values = await readFields(page);
    for (const decoy of ['user_hp1', 'pass_hp2', 'pass_hp3', 'email_hp4', 'pass_hp5']) {
      expect(values[decoy], decoy).toBe('');
    }
    expect(values.username).toBe('ada@bank.test');
  });

  it('to open the menu on a field covered by another element', async () => {
    const page = await open('bank.test', '/covered.html');
    await page.keyboard.press('Tab');
    expect(await noMenuWithin(page, 1_500)).toBe(true);
    expect(await readFields(page)).toEqual({ username: '', password: '' });
  });

  it('to give a cross-origin iframe a login saved for the top page; fills it with its own', async () => {
    const page = await open('bank.test', '/cross-origin.html');
    const frame = await waitFor(
      async () => page.frames().find((f) => f.url().includes('other.test')),
      (f) => f !== undefined,
    );
    if (!frame) throw new Error('cross-origin frame missing');
    await frame.waitForSelector('#username');
    await frame.click('#username');
    // Only the frame's own site is offered: "Other site", never "Bank".
    const menu = await chooseSuggestion(page, 'Other site').catch(() => null);
    expect(menu).not.toBeNull();
    await waitForValue(frame, 'password', 'pw-other-3');
    expect((await readFields(frame)).username).toBe('alan');
  });

  it('to fill a sandboxed iframe', async () => {
    const page = await open('bank.test', '/sandboxed.html');
    const frame = await waitFor(
      async () => page.frames().find((f) => f.url().includes('/frame-login.html')),
      (f) => f !== undefined,
    );
    if (!frame) throw new Error('sandboxed frame missing');
    await frame.waitForSelector('#username');
    await frame.click('#username');
    expect(await noMenuWithin(page, 1_500)).toBe(true);
    expect(await readFields(frame)).toEqual({ username: '', password: '' });
  });

  it('to fill a password saved for https into a plain-http page without confirmation', async () => {
    const page = await open('secure.test', '/simple.html');
    await page.click('#username');
    const menu = await chooseSuggestion(page, 'Secure bank');
    const fillAnyway = await menu.waitForSelector('::-p-aria([name="Fill anyway"][role="button"])');
    expect(await readFields(page)).toEqual({ username: '', password: '' });
    await new Promise((r) => setTimeout(r, 700));
    await fillAnyway?.click();
    await waitForValue(page, 'password', 'pw-secure-2');
  });
});

describe('the toolbar popup', () => {
  it('lists the current tab’s logins first and fills one with its Fill button', async () => {
    const page = await open('bank.test', '/simple.html');
    const popup = await openToolbarPopup(device, page);
    await popup.waitForSelector('::-p-text(Suggestions for bank.test)');
    // Only the logins matching the tab are suggested; the full list stays below them.
    const suggested = await popup.$$eval('.suggestions .title', (els) => els.map((e) => e.textContent));
    expect(suggested).toEqual(['Bank']);
    await popup.click('::-p-aria([name="Fill Bank"][role="button"])');
    await waitForValue(page, 'password', 'pw-bank-1');
    expect((await readFields(page)).username).toBe('ada@bank.test');
  });

  it('asks before filling a login saved for https into a plain-http page, and fills on "Fill anyway"', async () => {
    const page = await open('secure.test', '/simple.html');
    const popup = await openToolbarPopup(device, page);
    const fill = await popup.waitForSelector('::-p-aria([name="Fill Secure bank"][role="button"])');
    await fill?.click();
    const anyway = await popup.waitForSelector('::-p-aria([name="Fill anyway"][role="button"])');
    expect(await readFields(page)).toEqual({ username: '', password: '' });
    await anyway?.click();
    await waitForValue(page, 'password', 'pw-secure-2');
  });

  it('suggests nothing on a page no login matches', async () => {
    const page = await open('nomatch.test', '/simple.html');
    const popup = await openToolbarPopup(device, page);
    // The vault list is there, the suggestions section is not.
    await popup.waitForSelector('::-p-text(Bank)');
    expect(await popup.$('.suggestions')).toBeNull();
    expect(await readFields(page)).toEqual({ username: '', password: '' });
  });
});

function pick(detail: Record<string, unknown>) {
  const { title, username, password, uris, notes, totp } = detail;
  return { title, username, password, uris, notes, totp };
}
