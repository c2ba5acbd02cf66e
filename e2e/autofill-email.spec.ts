import type { Page } from 'puppeteer-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chooseSuggestion, createVault, noMenuWithin, readFields, waitForValue } from './support/autofill.ts';
import { type Device, launchDevice } from './support/browser.ts';
import { type RunningServer, startServer } from './support/server.ts';
import { type Sites, startSites } from './support/sites.ts';

/**
 * Email-first and identifier-first logins (issue 13, class 1): a step that asks only for an email
 * or a login name, in a form or not, gets the menu and the saved login's username; the password
 * follows on its own step. A newsletter box never gets the menu, even under a "Sign in" title.
 * A login has one username, so every identifier step of a flow gets that one value.
 */

const logins = {
  mail: {
    title: 'Mail',
    username: 'ada@mail.test',
    password: 'pw-mail-1',
    uris: [{ url: 'http://mail.test' }],
  },
  portal: {
    title: 'Portal',
    username: 'ada@portal.test',
    password: 'pw-portal-2',
    uris: [{ url: 'http://portal.test' }],
  },
  blog: {
    title: 'Blog',
    username: 'ada@blog.test',
    password: 'pw-blog-3',
    uris: [{ url: 'http://blog.test' }],
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

describe('email-first login', () => {
  it('offers the login on the lone email box and fills its username, then the password', async () => {
    const page = await open('mail.test', '/email-first.html');
    await page.click('#email');
    await chooseSuggestion(page, 'Mail');
    await waitForValue(page, 'email', 'ada@mail.test');
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    expect(page.url()).toContain('/multistep-password.html');
    await page.click('#password');
    await chooseSuggestion(page, 'Mail');
    await waitForValue(page, 'password', 'pw-mail-1');
  });
});

describe('identifier-first login in three formless steps on one page', () => {
  it('fills the user step, then the email step, then the password', async () => {
    const page = await open('portal.test', '/identifier-three-steps.html');
    await page.click('#user');
    await chooseSuggestion(page, 'Portal');
    await waitForValue(page, 'user', 'ada@portal.test');
    expect(await readFields(page)).toEqual({ user: 'ada@portal.test', email: '', password: '' });

    await page.click('#next');
    await page.waitForSelector('#mail');
    await page.click('#mail');
    await chooseSuggestion(page, 'Portal');
    await waitForValue(page, 'email', 'ada@portal.test');
    expect((await readFields(page)).password).toBe('');

    await page.click('#next');
    await page.waitForSelector('#password');
    await page.click('#password');
    await chooseSuggestion(page, 'Portal');
    await waitForValue(page, 'password', 'pw-portal-2');
    expect(await readFields(page)).toEqual({
      user: 'ada@portal.test',
      email: 'ada@portal.test',
      password: 'pw-portal-2',
    });
  });
});

describe('newsletter boxes', () => {
  it('get no menu, in a form or not, even under a sign-in title', async () => {
    const page = await open('blog.test', '/newsletter-only.html');
    await page.click('#email');
    expect(await noMenuWithin(page, 1_500)).toBe(true);
    await page.click('#updates');
    expect(await noMenuWithin(page, 1_500)).toBe(true);
    expect(await readFields(page)).toEqual({ email: '', updates: '' });
  });
});
