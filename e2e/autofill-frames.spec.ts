import type { Frame, Page } from 'puppeteer-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  chooseSuggestion,
  createVault,
  inlineMenu,
  menuGone,
  noMenuWithin,
  openToolbarPopup,
  readFields,
  waitForValue,
} from './support/autofill.ts';
import { type Device, launchDevice } from './support/browser.ts';
import { type RunningServer, startServer } from './support/server.ts';
import { type Sites, startSites } from './support/sites.ts';
import { waitFor } from './support/wait.ts';

/**
 * Frames (issue 13, class 3): a sign-in form several same-origin frames deep in a frame narrower
 * than the menu, a narrow cross-origin frame, and `srcdoc` / `about:blank` frames that inherit
 * their creator's origin — filled from the menu and the toolbar popup, while a sandboxed srcdoc and
 * a blank frame made by a foreign frame keep being refused the top page's login.
 */

const logins = {
  portal: { title: 'Portal', username: 'ada', password: 'pw-portal-1', uris: [{ url: 'http://app.test' }] },
  other: {
    title: 'Other site',
    username: 'alan',
    password: 'pw-other-2',
    uris: [{ url: 'http://other.test' }],
  },
  bank: { title: 'Bank', username: 'grace', password: 'pw-bank-3', uris: [{ url: 'http://bank.test' }] },
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

/** The frame holding the sign-in form (waits until it has loaded it). */
async function loginFrame(page: Page, match: (f: Frame) => boolean): Promise<Frame> {
  const frame = await waitFor(
    async () => {
      for (const f of page.frames()) {
        if (match(f) && (await f.$('#username').catch(() => null))) return f;
      }
      return undefined;
    },
    (f) => f !== undefined,
  );
  if (!frame) throw new Error('login frame missing');
  return frame;
}

const isMenuFrame = (f: Frame) => f.url().includes('/inline-menu.html');

/** Where the menu is drawn, in the top page's coordinates, and the frame that holds it. */
async function menuBox(page: Page) {
  const menu = await inlineMenu(page);
  const element = await menu.frameElement();
  const box = await element?.boundingBox();
  if (!box) throw new Error('menu has no box');
  return { menu, box, parent: menu.parentFrame() };
}

describe('a sign-in form in a frame narrower than the menu', () => {
  it('three same-origin frames deep: the menu is drawn whole in the top page and its click fills', async () => {
    const page = await open('app.test', '/frame-deep.html?depth=3');
    const frame = await loginFrame(page, (f) => f.url().includes('/frame-narrow-login.html'));
    await frame.click('#username');
    const { box, parent } = await menuBox(page);
    // The menu left the 170 px frame: it hangs in the top document at its full width, under the field.
    expect(parent).toBe(page.mainFrame());
    expect(box.width).toBe(300);
    const field = await (await frame.$('#username'))?.boundingBox();
    if (!field) throw new Error('field has no box');
    expect(box.y).toBeGreaterThanOrEqual(field.y + field.height);
    expect(box.y).toBeLessThan(field.y + field.height + 20);
    await chooseSuggestion(page, 'Portal');
    await waitForValue(frame, 'password', 'pw-portal-1');
    expect(await readFields(page)).toEqual({ username: 'ada', password: 'pw-portal-1' });
  });

  it('scrolling the top page moves the menu with the field', async () => {
    const page = await open('app.test', '/frame-deep.html?depth=2');
    await page.setViewport({ width: 800, height: 300 });
    await page.evaluate(() => {
      document.body.style.height = '2000px';
    });
    const frame = await loginFrame(page, (f) => f.url().includes('/frame-narrow-login.html'));
    await frame.click('#username');
    const before = (await menuBox(page)).box;
    await page.evaluate(() => window.scrollBy(0, 40));
    const after = await waitFor(
      async () => (await menuBox(page)).box,
      (b) => Math.round(before.y - b.y) === 40,
    );
    expect(Math.round(before.y - after.y)).toBe(40);
  });

  it('a menu hung in the top page closes on a press there, and goes when its frame goes', async () => {
    const page = await open('app.test', '/frame-deep.html?depth=2');
    let frame = await loginFrame(page, (f) => f.url().includes('/frame-narrow-login.html'));
    await frame.click('#username');
    await inlineMenu(page);
    await page.mouse.click(700, 20);
    expect(await menuGone(page)).toBe(true);
    // Open again, then the page removes the whole nested frame: no menu may be left behind.
    frame = await loginFrame(page, (f) => f.url().includes('/frame-narrow-login.html'));
    await frame.click('#password');
    await inlineMenu(page);
    await page.evaluate(() => document.getElementById('frame')?.remove());
    expect(await menuGone(page)).toBe(true);
    expect(await page.$$eval('keyhold-frame', (hosts) => hosts.length)).toBe(0);
  });

  it('a narrow cross-origin frame: the menu stays inside that frame, fits it, and its click fills', async () => {
    const page = await open('bank.test', '/frame-narrow-foreign.html');
    const frame = await loginFrame(page, (f) => f.url().includes('other.test'));
    await frame.click('#username');
    const { box, parent } = await menuBox(page);
    expect(parent).toBe(frame);
    const holder = await (await page.$('#frame'))?.boundingBox();
    if (!holder) throw new Error('frame has no box');
    expect(box.x).toBeGreaterThanOrEqual(holder.x);
    expect(box.x + box.width).toBeLessThanOrEqual(holder.x + holder.width);
    expect(box.y + box.height).toBeLessThanOrEqual(holder.y + holder.height);
    // Only the frame's own site is offered, and a click on it is taken (the guard sees it whole).
    await chooseSuggestion(page, 'Other site');
    await waitForValue(frame, 'password', 'pw-other-2');
    expect((await readFields(frame)).username).toBe('alan');
  });
});

describe('frames that inherit their origin', () => {
  it('a srcdoc frame: fills from the menu', async () => {
    const page = await open('app.test', '/frame-srcdoc.html');
    const frame = await loginFrame(page, (f) => f.url() === 'about:srcdoc');
    await frame.click('#username');
    await chooseSuggestion(page, 'Portal');
    await waitForValue(page, 'password', 'pw-portal-1');
    expect(await readFields(page)).toEqual({ username: 'ada', password: 'pw-portal-1' });
  });

  it('an about:blank frame the page writes its form into: fills from the menu', async () => {
    const page = await open('app.test', '/frame-blank.html');
    const frame = await loginFrame(page, (f) => f !== page.mainFrame() && !isMenuFrame(f));
    await frame.click('#username');
    await chooseSuggestion(page, 'Portal');
    await waitForValue(page, 'password', 'pw-portal-1');
    expect(await readFields(page)).toEqual({ username: 'ada', password: 'pw-portal-1' });
  });

  it('a srcdoc frame: the toolbar popup’s Fill reaches it', async () => {
    const page = await open('app.test', '/frame-srcdoc.html');
    await loginFrame(page, (f) => f.url() === 'about:srcdoc');
    const popup = await openToolbarPopup(device, page);
    await popup.locator('::-p-aria([name="Fill Portal"][role="button"])').click();
    await waitForValue(page, 'password', 'pw-portal-1');
    expect((await readFields(page)).username).toBe('ada');
  });
});

describe('refuses', () => {
  it('a sandboxed srcdoc frame: no menu, and the popup’s Fill writes nothing there', async () => {
    const page = await open('app.test', '/frame-srcdoc-sandboxed.html');
    const frame = await loginFrame(page, (f) => f.name() === 'sandboxed');
    await frame.click('#username');
    expect(await noMenuWithin(page, 1_500)).toBe(true);
    const popup = await openToolbarPopup(device, page);
    await popup.locator('::-p-aria([name="Fill Portal"][role="button"])').click();
    // The popup says why nothing was filled; the frame stays empty.
    await popup.waitForSelector('.suggestions .notice');
    expect(await readFields(frame)).toEqual({ username: '', password: '' });
  });

  it('a blank frame made by a foreign frame: the top page’s login is neither offered nor filled there', async () => {
    const page = await open('bank.test', '/frame-blank-foreign.html');
    const frame = await loginFrame(
      page,
      (f) => f.parentFrame()?.url().includes('other.test') === true && !isMenuFrame(f),
    );
    await frame.click('#username');
    // The blank frame's origin is other.test: its own login is offered, never the bank's.
    const menu = await inlineMenu(page);
    await menu.waitForSelector('::-p-aria([name="Other site"][role="button"])');
    expect(await menu.$('::-p-aria([name="Bank"][role="button"])')).toBeNull();
    await page.keyboard.press('Escape');
    const popup = await openToolbarPopup(device, page);
    await popup.locator('::-p-aria([name="Fill Bank"][role="button"])').click();
    await popup.waitForSelector('.suggestions .notice');
    // The partner's page reads its blank frame's fields.
    const partner = frame.parentFrame();
    if (!partner) throw new Error('partner frame missing');
    expect(await readFields(partner)).toEqual({ username: '', password: '' });
  });
});
