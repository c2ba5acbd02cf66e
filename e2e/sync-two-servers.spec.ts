import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../server/db/client.ts';
import { appRoleUrl } from '../server/test-support/db.ts';
import { MASTER_PASSWORD, vaultCall } from './support/autofill.ts';
import { type Device, launchDevice } from './support/browser.ts';
import { type RunningServer, startServer } from './support/server.ts';
import { waitFor } from './support/wait.ts';

/**
 * Issue 4, end to end: two server processes on one PostgreSQL database, two browser profiles each
 * talking to a different process. Changes cross processes through LISTEN/NOTIFY and the push
 * channel; offline edits of different fields merge, of the same field leave a conflict copy; a
 * server killed with SIGKILL in the middle of a push loses and duplicates nothing.
 */

const ADMIN_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const dbName = `keyhold_e2e_${randomBytes(5).toString('hex')}`;
const dbUrl = (() => {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${dbName}`;
  return u.toString();
})();

interface Summary {
  id: string;
  title: string;
  username: string;
  conflict: boolean;
  pending: boolean;
}
interface Detail {
  title: string;
  username: string;
  password: string;
  notes: string;
  uris: unknown[];
  totp: string;
  conflict: { of: string; ofUpdatedAt: string | null; copyUpdatedAt: string } | null;
}

const admin = postgres(ADMIN_URL, { onnotice: () => {}, max: 1 });
const servers: { one?: RunningServer; two?: RunningServer } = {};
const ports = { one: 0, two: 0 };
let a: Device;
let b: Device;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

// The servers connect as the application role, as in production (row-level security applies).
const start = (port: number) => startServer({ DATABASE_URL: appRoleUrl(dbUrl), PORT: String(port) });

const until = <T>(read: () => Promise<T>, ok: (v: T) => boolean, timeout = 10_000) =>
  waitFor(read, ok, timeout, 100);

const list = async (d: Device) =>
  (await vaultCall<{ items: Summary[]; matching: number }>(d, 'listItems', { limit: 1000 })).items;
const detail = (d: Device, id: string) => vaultCall<Detail>(d, 'getItem', { id });
const editable = (x: Detail) => ({
  title: x.title,
  username: x.username,
  password: x.password,
  notes: x.notes,
  uris: x.uris,
  totp: x.totp,
});

beforeAll(async () => {
  await admin.unsafe(`create database "${dbName}"`);
  const migrated = await openPostgres(dbUrl, { migrate: true });
  await migrated.close();
  ports.one = await freePort();
  ports.two = await freePort();
  [servers.one, servers.two, a, b] = await Promise.all([
    start(ports.one),
    start(ports.two),
    launchDevice(),
    launchDevice(),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  await Promise.all([servers.one?.stop(), servers.two?.stop()]);
  await admin.unsafe(`drop database if exists "${dbName}" with (force)`);
  await admin.end();
});

describe('two server processes, two devices', () => {
  const email = `two-servers-${randomBytes(4).toString('hex')}@example.test`;
  let itemId = '';

  it('carries a change from process 1 to a device on process 2 through the push channel', async () => {
    await vaultCall(a, 'register', { serverUrl: servers.one?.url, email, password: MASTER_PASSWORD });
    await vaultCall(b, 'login', { serverUrl: servers.two?.url, email, password: MASTER_PASSWORD });
    const saved = await vaultCall<{ id: string }>(a, 'saveItem', {
      fields: { title: 'Shared', username: 'ada', password: 'pw-0', uris: [], notes: 'n0', totp: '' },
    });
    itemId = saved.id;
    // No "Sync now" on B: the push channel must wake it.
    const seen = await until(
      () => list(b),
      (items) => items.some((i) => i.id === itemId),
      5_000,
    );
    expect(seen.map((i) => i.title)).toEqual(['Shared']);
  });

  it('merges offline edits of different fields from both devices', async () => {
    await Promise.all([servers.one?.stop(), servers.two?.stop()]);
    const base = await detail(a, itemId);
    await vaultCall(a, 'saveItem', { id: itemId, fields: { ...editable(base), username: 'ada-from-A' } });
    await vaultCall(b, 'saveItem', { id: itemId, fields: { ...editable(base), password: 'pw-from-B' } });
    expect((await list(a)).find((i) => i.id === itemId)?.pending).toBe(true);

    [servers.one, servers.two] = await Promise.all([start(ports.one), start(ports.two)]);
    for (const d of [a, b, a]) await vaultCall(d, 'syncNow', {});
    for (const d of [a, b]) {
      expect(await list(d)).toHaveLength(1);
      expect(await detail(d, itemId)).toMatchObject({ username: 'ada-from-A', password: 'pw-from-B' });
    }
  });

  it('keeps both values of the same field as the item and a marked conflict copy', async () => {
    await Promise.all([servers.one?.stop(), servers.two?.stop()]);
    const base = await detail(a, itemId);
    await vaultCall(a, 'saveItem', { id: itemId, fields: { ...editable(base), notes: 'notes from A' } });
    await vaultCall(b, 'saveItem', { id: itemId, fields: { ...editable(base), notes: 'notes from B' } });

    [servers.one, servers.two] = await Promise.all([start(ports.one), start(ports.two)]);
    for (const d of [a, b, a, b]) await vaultCall(d, 'syncNow', {});

    for (const d of [a, b]) {
      const items = await list(d);
      expect(items).toHaveLength(2);
      const copy = items.find((i) => i.conflict);
      expect(copy).toBeDefined();
      const notes = [(await detail(d, itemId)).notes, (await detail(d, copy?.id ?? '')).notes].sort();
      expect(notes).toEqual(['notes from A', 'notes from B']);
      const info = (await detail(d, copy?.id ?? '')).conflict;
      expect(info?.of).toBe(itemId);
      expect(info?.ofUpdatedAt).toBeTruthy();
      expect(info?.copyUpdatedAt).toBeTruthy();
    }

    // The user sees it in the popup: marked, with both versions' times.
    const popup = await b.openPopup();
    // A locator waits until the row stops moving: banners load after the list and push it down.
    await popup
      .locator(
        '::-p-xpath(//ul[contains(@class,"items")]//button[.//span[@class="badge" and text()="conflict copy"]])',
      )
      .setTimeout(10_000)
      .click();
    const note = await popup.waitForSelector('[role="note"][aria-label="Conflict copy"]');
    const times = await note?.$$eval('time', (ts) => ts.map((t) => t.getAttribute('datetime')));
    const copyInfo = (await detail(b, (await list(b)).find((i) => i.conflict)?.id ?? '')).conflict;
    expect(times).toEqual([copyInfo?.copyUpdatedAt, copyInfo?.ofUpdatedAt]);
    await popup.close();
  });

  it('loses and duplicates nothing when a server is killed with SIGKILL in the middle of a push', async () => {
    const before = (await list(a)).length;
    await servers.one?.stop();
    const count = 120;
    const filler = 'x'.repeat(4_000);
    for (let n = 0; n < count; n++) {
      await vaultCall(a, 'saveItem', {
        fields: {
          title: `Batch ${n}`,
          username: `u${n}`,
          password: `p${n}`,
          uris: [],
          notes: filler,
          totp: '',
        },
      });
    }
    servers.one = await start(ports.one);
    const db = postgres(dbUrl, { onnotice: () => {}, max: 1 });
    try {
      const sync = vaultCall(a, 'syncNow', {}).catch(() => undefined);
      // Kill the process while its push transaction is running (or, if we are too late, right after).
      await until(
        async () =>
          (
            await db`select count(*)::int as n from pg_stat_activity
                    where datname = ${dbName} and state <> 'idle' and query ilike '%items%'`
          )[0]?.n ?? 0,
        (n) => n > 0,
        5_000,
      );
      servers.one?.process.kill('SIGKILL');
      await sync;
      servers.one = await start(ports.one);
      const after = await until(
        async () => {
          await vaultCall(a, 'syncNow', {});
          return list(a);
        },
        (items) => items.length === before + count && items.every((i) => !i.pending),
        30_000,
      );
      expect(after).toHaveLength(before + count);
      const rows = await db`select count(*)::int as n from items where not deleted`;
      expect(rows[0]?.n).toBe(before + count);
      await vaultCall(b, 'syncNow', {});
      const onB = await list(b);
      expect(onB).toHaveLength(before + count);
      const batch = onB.filter((i) => i.title.startsWith('Batch ')).map((i) => i.title);
      expect(new Set(batch).size).toBe(count);
      expect(batch).toHaveLength(count);
    } finally {
      await db.end();
    }
  });
});
