import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Device, launchDevice } from './support/browser.ts';
import { type LoginFields, PopupPage } from './support/popup-page.ts';
import { type RunningServer, startServer } from './support/server.ts';

/**
 * The walking skeleton, as a user does it: device A creates an account and adds a login,
 * device B logs in and sees it, B edits and A sees the edit, A locks and unlocks. Then the
 * server's whole database is read back: none of the secrets may appear in it.
 */

const MASTER = 'correct horse battery staple 42!';
const EMAIL = 'ada@example.test';
const login = {
  title: 'Zeppelin Bank',
  username: 'ada.lovelace.99',
  password: 'pw-Wq8#rT2!vbnM',
  uris: [
    { url: 'https://login.zeppelin-bank.example', match: 'domain' },
    { url: 'https://zeppelin-bank.example/help', match: 'exact' },
  ],
  notes: 'security question: first engine = analytical',
  totp: 'otpauth://totp/Ada?secret=MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U&issuer=ZB',
} satisfies LoginFields;
const editedPassword = 'pw-EDITED-on-B-7731';

describe('walking skeleton: one account, one item, two devices', () => {
  let server: RunningServer;
  let deviceA: Device;
  let deviceB: Device;

  beforeAll(async () => {
    server = await startServer();
    [deviceA, deviceB] = await Promise.all([launchDevice(), launchDevice()]);
  });

  afterAll(async () => {
    await Promise.all([deviceA?.close(), deviceB?.close()]);
    await server?.stop();
  });

  it('syncs a login between two devices, locks, and keeps the server blind', async () => {
    const a = new PopupPage(await deviceA.openPopup());
    await a.createAccount(server.url, EMAIL, MASTER);
    await a.addLogin(login);
    expect(await a.titles()).toEqual([login.title]);
    await a.syncNow();

    const b = new PopupPage(await deviceB.openPopup());
    await b.logIn(server.url, EMAIL, MASTER);
    expect(await b.titles()).toEqual([login.title]);
    expect(await b.openItem(login.title)).toEqual(login);
    await b.closeItem();

    await b.editItem(login.title, { password: editedPassword });
    await b.syncNow();

    await a.syncNow();
    expect(await a.openItem(login.title)).toEqual({ ...login, password: editedPassword });
    await a.closeItem();

    await a.lock();
    await a.unlock('not the master password');
    expect(await a.alertText()).toContain('master password is not right');
    await a.unlock(MASTER);
    await a.waitForList();
    expect(await a.titles()).toEqual([login.title]);

    // Chrome kills an idle service worker; the next popup wakes a fresh one that is still unlocked.
    await a.page.close();
    await deviceA.stopServiceWorker();
    const again = new PopupPage(await deviceA.openPopup());
    await again.waitForList();
    expect(await again.titles()).toEqual([login.title]);

    await server.stop();
    const db = await PGlite.create({ dataDir: server.dataDir });
    try {
      const tables = await db.query<{ name: string }>(
        `select quote_ident(table_schema) || '.' || quote_ident(table_name) as name
         from information_schema.tables where table_schema not in ('pg_catalog', 'information_schema')`,
      );
      expect(tables.rows.length).toBeGreaterThan(2);
      let dump = '';
      for (const { name } of tables.rows) {
        const rows = await db.query<{ row: string }>(`select row_to_json(t)::text as row from ${name} t`);
        dump += rows.rows.map((r) => r.row).join('\n');
      }
      expect(dump).toContain(EMAIL); // the dump really holds the account…
      const secrets = [
        MASTER,
        login.title,
        login.username,
        login.password,
        editedPassword,
        login.notes,
        login.totp,
        'MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U',
        ...login.uris.map((u) => u.url),
      ];
      for (const secret of secrets) expect(dump, `server database leaks "${secret}"`).not.toContain(secret);
      expect(dump).not.toContain('zeppelin');
    } finally {
      await db.close();
    }
  });
});
