import { TOTP } from 'otpauth';
import type { Page } from 'puppeteer-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  chooseSuggestion,
  createVault,
  listLogins,
  menuGone,
  noMenuWithin,
  openToolbarPopup,
  readFields,
} from './support/autofill.ts';
import { type Device, launchDevice } from './support/browser.ts';
import { type RunningServer, startServer } from './support/server.ts';
import { type Sites, startSites } from './support/sites.ts';
import { waitFor } from './support/wait.ts';

/**
 * One-time codes as sites ask for them (issue 13, classes 6 and 7): 5- and 8-digit codes, split
 * boxes filled one digit each only when there are as many boxes as digits, and a masked box that
 * asks for a security-key or device code, which never receives the login's password.
 */

const SECRET = 'JBSWY3DPEHPK3PXP';
const uri = (digits: number) => `otpauth://totp/Example:ada?secret=${SECRET}&digits=${digits}`;
const logins = {
  eight: {
    title: 'Eight digits',
    username: 'ada',
    password: 'pw-eight-1',
    uris: [{ url: 'http://eight.test' }],
    totp: uri(8),
  },
  five: {
    title: 'Five digits',
    username: 'ada',
    password: 'pw-five-2',
    uris: [{ url: 'http://five.test' }],
    totp: uri(5),
  },
  device: {
    title: 'Device step',
    username: 'ada',
    password: 'pw-device-3',
    uris: [{ url: 'http://device.test' }],
  },
};

/** The codes a login's secret gives now and in the previous period (a fill may straddle the change). */
const codesNow = (digits: number) => {
  const totp = new TOTP({ secret: SECRET, digits });
  const now = Date.now();
  return [totp.generate({ timestamp: now }), totp.generate({ timestamp: now - 30_000 })];
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

describe('one-time codes of other lengths', () => {
  it('fills an 8-digit code into eight boxes, one digit each', async () => {
    const page = await open('eight.test', '/totp-eight.html');
    await page.click('#otp-1');
    await chooseSuggestion(page, 'Eight digits');
    const filled = await waitFor(
      () => readFields(page),
      (v) => /^\d{8}$/.test(v.otp ?? ''),
    );
    expect(codesNow(8)).toContain(filled.otp);
  });

  it('writes nothing into six boxes for an 8-digit code, and says why', async () => {
    const page = await open('eight.test', '/totp-split.html');
    await page.click('#otp-1');
    const menu = await chooseSuggestion(page, 'Eight digits');
    await menu.waitForSelector("::-p-text(do not fit this login's 8-digit code)");
    expect((await readFields(page)).otp).toBe('');
    // The note closes on a click elsewhere on the page.
    await page.click('h1');
    expect(await menuGone(page)).toBe(true);
  });

  it('fills a 5-digit code into a single code box', async () => {
    const page = await open('five.test', '/totp-single.html');
    await page.click('#otp');
    await chooseSuggestion(page, 'Five digits');
    const filled = await waitFor(
      () => readFields(page),
      (v) => /^\d{5}$/.test(v.otp ?? ''),
    );
    expect(codesNow(5)).toContain(filled.otp);
  });
});

describe('a device or security-key code in a password box', () => {
  it('offers no login there, and the popup’s Fill writes the password nowhere on that step', async () => {
    const page = await open('device.test', '/device-code.html');
    await page.click('#code');
    // The box is a code box: only logins with a one-time code would be offered, and this one has none.
    expect(await noMenuWithin(page, 1_500)).toBe(true);
    await page.click('#device-pin');
    expect(await noMenuWithin(page, 1_500)).toBe(true);

    const popup = await openToolbarPopup(device, page);
    await popup.locator('::-p-aria([name="Fill Device step"][role="button"])').click();
    await popup.waitForSelector('::-p-text(Keyhold found no login fields it can fill on this page.)');
    expect(await readFields(page)).toEqual({ code: '', device: '' });
    // The login is still there to fill where it belongs.
    expect((await listLogins(device)).map((l) => l.title)).toContain('Device step');
  });
});
