import type { Page } from 'puppeteer-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  chooseSuggestion,
  createVault,
  inlineMenu,
  noMenuWithin,
  readFields,
  waitForValue,
} from './support/autofill.ts';
import { type Device, launchDevice } from './support/browser.ts';
import { type RunningServer, startServer } from './support/server.ts';
import { type Sites, startSites } from './support/sites.ts';

/**
 * Logins built from web components (issue 13, class 2): the username and the password each in its
 * own component's shadow root, one open and one closed, are one login — inside a light-DOM form or
 * formless — and a separate form beside them stays separate. Components that fade their content in
 * get the menu on the first focus, while transparent honeypot components are never filled.
 */

const login = {
  title: 'Components',
  username: 'ada@components.test',
  password: 'pw-components-1',
  uris: [{ url: 'http://components.test' }],
};

let server: RunningServer;
let sites: Sites;
let device: Device;
const pages: Page[] = [];

beforeAll(async () => {
  [server, sites, device] = await Promise.all([startServer(), startSites(), launchDevice()]);
  await createVault(device, server.url, [login]);
}, 120_000);

afterAll(async () => {
  await device?.close();
  await sites?.close();
  await server?.stop();
});

afterEach(async () => {
  for (const p of pages.splice(0)) await p.close().catch(() => undefined);
});

async function open(path: string): Promise<Page> {
  const page = await device.browser.newPage();
  pages.push(page);
  await page.goto(sites.url('components.test', path));
  return page;
}

const pageLog = (page: Page) => page.evaluate(() => (globalThis as unknown as { log: string[] }).log);

describe('username and password in two components’ shadow roots', () => {
  it('fills both from the open component, inside a light-DOM form, and not the newsletter form', async () => {
    const page = await open('/components-login.html');
    await page.click('#username');
    await chooseSuggestion(page, 'Components');
    await waitForValue(page, 'password', 'pw-components-1');
    expect(await readFields(page)).toEqual({
      'newsletter-email': '',
      username: 'ada@components.test',
      password: 'pw-components-1',
    });
  });

  it('fills both from a press on the closed component, without a form', async () => {
    const page = await open('/components-login.html?formless=1');
    // The press reaches the page retargeted to the closed component's host.
    await page.click('#password');
    await chooseSuggestion(page, 'Components');
    await waitForValue(page, 'username', 'ada@components.test');
    expect(await readFields(page)).toEqual({
      'newsletter-email': '',
      username: 'ada@components.test',
      password: 'pw-components-1',
    });
  });
});

describe('components that fade their content in', () => {
  it('get the menu on the first focus, and the transparent honeypot components stay empty', async () => {
    const page = await open('/components-fade.html');
    await page.click('#username');
    await inlineMenu(page, 3_000);
    // The focus came while the content was still transparent (the fade had just begun).
    const focus = (await pageLog(page)).find((l) => l.startsWith('focus username '));
    expect(Number(focus?.split(' ')[2])).toBeLessThan(0.1);
    await chooseSuggestion(page, 'Components');
    await waitForValue(page, 'password', 'pw-components-1');
    expect(await readFields(page)).toEqual({
      'trap-email': '',
      'trap-password': '',
      username: 'ada@components.test',
      password: 'pw-components-1',
    });
  });

  it('a component transparent for good gets no menu', async () => {
    const page = await open('/components-fade.html');
    await page.click('#trap-email');
    expect((await pageLog(page)).some((l) => l.startsWith('focus trap-email'))).toBe(true);
    expect(await noMenuWithin(page, 1_500)).toBe(true);
  });
});
