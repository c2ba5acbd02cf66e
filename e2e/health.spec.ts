import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVault } from './support/autofill.ts';
import { type Device, launchDevice } from './support/browser.ts';
import { type RunningServer, startServer } from './support/server.ts';
import { waitFor } from './support/wait.ts';

/**
 * The Health tab, as a user sees it: logins saved through the worker with a weak password, a
 * reused pair, a plain-http site and a github.com login without TOTP each appear in their
 * category; clicking one opens it; the threshold choice is remembered.
 */

/** chrome.storage as an extension page sees it (the spec itself runs in Node, without those types). */
declare const chrome: { storage: { local: { get(key: string): Promise<Record<string, unknown>> } } };

const aria = (name: string, role = 'button') => `::-p-aria([name="${name}"][role="${role}"])`;
const SHARED = 'Vq7#shared-Mz2!kL9@pX';

const LOGINS = [
  {
    title: 'Weak Site',
    username: 'weak-user',
    password: 'password1',
    uris: [{ url: 'https://weak.example', match: 'domain' as const }],
  },
  {
    title: 'Reuse One',
    username: 'r1',
    password: SHARED,
    uris: [{ url: 'https://one.example', match: 'domain' as const }],
  },
  {
    title: 'Reuse Two',
    username: 'r2',
    password: SHARED,
    uris: [{ url: 'https://two.example', match: 'domain' as const }],
  },
  {
    title: 'Plain Site',
    username: 'plain',
    password: 'Tk4$unique-Plain-8wQ',
    uris: [{ url: 'http://plain.example/login', match: 'domain' as const }],
  },
  {
    title: 'GitHub',
    username: 'octo',
    password: 'Gh5%unique-Hub-3rZx',
    uris: [{ url: 'https://github.com/login', match: 'domain' as const }],
  },
];

describe('vault health', () => {
  let server: RunningServer;
  let device: Device;

  beforeAll(async () => {
    server = await startServer();
    device = await launchDevice();
    await createVault(device, server.url, LOGINS);
  }, 120_000);

  afterAll(async () => {
    await device?.close();
    await server?.stop();
  });

  it('lists each finding in its category and opens the item on click', async () => {
    const page = await device.openPopup();
    await page.locator(aria('Health', 'tab')).click();
    const section = (id: string) => page.$eval(`#health-${id}`, (e) => (e as HTMLElement).innerText);
    await page.locator(aria('Open Weak Site, weak-user')).wait();
    expect(await section('weak')).toContain('Weak Site');
    const reused = await section('reused');
    expect(reused).toContain('Reuse One');
    expect(reused).toContain('Reuse Two');
    expect(reused).toContain('Used by 2 logins');
    expect(await section('insecure')).toContain('Plain Site');
    expect(await section('inactiveTotp')).toContain('GitHub');
    expect(await section('inactiveTotp')).toContain('github.com offers one-time codes');
    // Nothing in the popup's page carries a password.
    const text = await page.$eval('body', (b) => (b as HTMLElement).innerText);
    expect(text).not.toContain(SHARED);
    expect(text).not.toContain('password1');
    // The scores are kept for the next unlock, sealed: neither a password nor its hash is readable.
    const kept = await waitFor(
      () =>
        page.evaluate(async () => (await chrome.storage.local.get('healthScores')).healthScores) as Promise<
          { sealed: string } | undefined
        >,
      (v) => v !== undefined,
      10_000,
    );
    if (!kept) throw new Error('no health scores were kept');
    const stored = JSON.stringify(kept);
    expect(kept.sealed).toMatch(/^k1\./);
    expect(stored).not.toContain('password1');
    expect(stored).not.toContain(createHash('sha256').update('password1').digest('base64'));

    await page.locator(aria('Open GitHub, octo')).click();
    await page.locator(aria('Edit login', 'heading')).wait();
    expect(await page.$eval(aria('Title', 'textbox'), (e) => (e as HTMLInputElement).value)).toBe('GitHub');
    await page.locator(aria('Cancel')).click();
    await page.locator(aria('Open GitHub, octo')).wait();
    await page.close();
  }, 60_000);

  it('remembers the old-password threshold', async () => {
    const page = await device.openPopup();
    await page.locator(aria('Health', 'tab')).click();
    await page.locator(aria('Open Weak Site, weak-user')).wait();
    await page.select('.health-old-after select', '90');
    await page.close();
    const again = await device.openPopup();
    await again.locator(aria('Health', 'tab')).click();
    await again.locator(aria('Open Weak Site, weak-user')).wait();
    expect(await again.$eval('.health-old-after select', (e) => (e as HTMLSelectElement).value)).toBe('90');
    await again.close();
  }, 60_000);
});
