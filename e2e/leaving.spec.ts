import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dpopProof, newDpopKey } from '../server/test-support/dpop.ts';
import { deriveAccountKeys, fromBase64Url, toBase64Url, validateKdfParams } from '../shared-crypto/index.ts';
import {
  deleteAccount,
  formError,
  openSecurity,
  RESET_LINK,
  resetVault,
  syncLine,
} from './support/account-pages.ts';
import { type Device, launchDevice } from './support/browser.ts';
import { PopupPage } from './support/popup-page.ts';
import { type RunningServer, startServer } from './support/server.ts';
import { waitFor } from './support/wait.ts';

/**
 * Leaving, in the real popup in Chromium against a real server: deleting the account leaves no row of
 * it in any table (read back as the database owner; the append-only audit log keeps its events, with
 * no email in them), and a vault reset from a locked device whose session is still valid.
 */

const aria = (name: string, role?: string) =>
  role ? `::-p-aria([name="${name}"][role="${role}"])` : `::-p-aria(${name})`;

async function accountIdOf(server: RunningServer, email: string, password: string): Promise<string> {
  const key = await newDpopKey();
  const post = async (path: string, body: unknown) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        dpop: await dpopProof(key, { method: 'POST', url: `${server.url}${path}` }),
      },
      body: JSON.stringify(body),
    });
  const pre = (await (await post('/v1/accounts/prelogin', { email })).json()) as {
    kdf: unknown;
    salt: string;
  };
  const { authKey } = await deriveAccountKeys(password, fromBase64Url(pre.salt), validateKdfParams(pre.kdf));
  const res = await post('/v1/sessions', { email, authKey: toBase64Url(authKey), deviceName: 'Test' });
  return ((await res.json()) as { accountId: string }).accountId;
}

describe('leaving', () => {
  let server: RunningServer;
  let deviceA: Device;
  let deviceB: Device;

  beforeAll(async () => {
    [server, deviceA, deviceB] = await Promise.all([startServer(), launchDevice(), launchDevice()]);
  });

  afterAll(async () => {
    await Promise.all([deviceA?.close(), deviceB?.close()]);
    await server?.stop();
  });

  it('deletes the account: no row of it in any table, every device signed out', async () => {
    const email = 'noor@example.test';
    const master = 'quiet-lantern-meadow-73';
    const a = new PopupPage(await deviceA.openPopup());
    await a.createAccount(server.url, email, master);
    await a.addLogin({ title: 'Bank', username: 'noor', password: 'bank-pw' });
    await a.syncNow();
    const b = new PopupPage(await deviceB.openPopup());
    await b.logIn(server.url, email, master);
    const accountId = await accountIdOf(server, email, master);

    await openSecurity(a);
    await deleteAccount(a, 'not the master password', email);
    expect(await formError(a, 'Master password')).toBe('That master password is not right.');
    await deleteAccount(a, master, 'someone-else@example.test');
    expect(await formError(a, 'Type your email to confirm')).toBe(
      'Type noor@example.test to confirm that this account is to be deleted.',
    );
    await deleteAccount(a, master, email);
    // Back to the setup screen: nothing of the account is left on this device.
    await a.page.locator(aria('Create account', 'tab')).wait();
    const local = await a.page.evaluate(() =>
      (
        globalThis as unknown as { chrome: { storage: { local: { get(k: null): Promise<object> } } } }
      ).chrome.storage.local.get(null),
    );
    expect(Object.keys(local).filter((k) => !k.endsWith('$') && k !== 'settings')).toEqual([]);

    // B's session is gone: it asks to log in again (the server cannot tell it "deleted" without
    // letting anyone probe which emails have accounts); its password no longer signs in.
    await b.syncNow();
    await b.page.locator(aria('Log in again', 'heading')).wait();

    await server.stop();
    const db = await PGlite.create({ dataDir: server.dataDir });
    try {
      const tables = await db.query<{ name: string; audit: boolean }>(
        `select quote_ident(table_schema) || '.' || quote_ident(table_name) as name,
                table_name like 'audit%' as audit
         from information_schema.tables
         where table_schema not in ('pg_catalog', 'information_schema') and table_type = 'BASE TABLE'`,
      );
      const names = tables.rows.map((t) => t.name);
      for (const t of ['public.accounts', 'public.items', 'public.device_sessions', 'public.tokens'])
        expect(names).toContain(t);
      let auditDump = '';
      for (const { name, audit } of tables.rows) {
        const rows = await db.query<{ row: string }>(`select row_to_json(t)::text as row from ${name} t`);
        const dump = rows.rows.map((r) => r.row).join('\n');
        expect(dump, `${name} still holds the email`).not.toContain(email);
        if (audit) auditDump += dump;
        else expect(dump, `${name} still holds a row of the account`).not.toContain(accountId);
      }
      // The audit log is append-only and hash-chained: it keeps the deletion, without personal data.
      expect(auditDump).toContain('account.deleted');
    } finally {
      await db.close();
    }
    const { port } = new URL(server.url);
    server = await startServer({ PORT: port, DATA_DIR: server.dataDir });
  });

  it('resets the vault from a locked device whose session is still valid, and only then', async () => {
    const email = 'ines@example.test';
    const master = 'copper-lichen-window-58';
    const fresh = 'saffron-glacier-minnow-29';
    await deviceA.browser.close().catch(() => undefined);
    deviceA = await launchDevice();
    const a = new PopupPage(await deviceA.openPopup());
    await a.createAccount(server.url, email, master);
    await a.addLogin({ title: 'Forgotten', username: 'ines', password: 'gone-pw' });
    await a.syncNow();
    await a.lock();

    // The device's session is alive (refreshed to find out): the reset is offered.
    await a.page.locator(aria(RESET_LINK, 'button')).wait();
    await resetVault(a, 'ines@other.test', fresh);
    expect(await formError(a, 'Type your email to confirm')).toBe(
      'Type ines@example.test to confirm that every login in it is to be deleted.',
    );
    await a.page.locator(aria('Back', 'button')).click();
    await resetVault(a, email, 'password1234');
    expect(await formError(a, 'New master password')).toContain('commonly used password');
    await a.page.locator(aria('Back', 'button')).click();

    await resetVault(a, email, fresh);
    await a.waitForList();
    expect(await a.titles()).toEqual([]);
    await waitFor(
      () => syncLine(a),
      (line) => line.startsWith('Synced') || line === 'Not synced yet.',
      10_000,
    );
    // The new master password opens it; the old one no longer does.
    await a.addLogin({ title: 'After the reset', username: 'ines', password: 'new-pw' });
    await a.syncNow();
    await a.lock();
    await a.unlock(master);
    expect(await a.alertText()).toContain('master password is not right');
    await a.unlock(fresh);
    await a.waitForList();
    expect(await a.titles()).toEqual(['After the reset']);

    // Device B's session ended with the deleted account of the first test: locked, it is never
    // offered a reset, whatever it knows of the email.
    const b = new PopupPage(await deviceB.openPopup());
    await b.lock();
    const offered = await b.page.evaluate(() =>
      (
        globalThis as unknown as { chrome: { runtime: { sendMessage(m: unknown): Promise<unknown> } } }
      ).chrome.runtime.sendMessage({ name: 'vaultResetAvailable', request: {} }),
    );
    expect(offered).toEqual({ ok: true, value: { available: false } });
    expect(await b.page.$(aria(RESET_LINK, 'button'))).toBeNull();
  });
});
