import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test-support/db.ts';
import {
  CHANGES_CHANNEL,
  type ChangeNotifier,
  type NotifierListener,
  notifyChange,
  notifyRevocation,
  notifySession,
  postgresNotifier,
  REVOCATIONS_CHANNEL,
  SESSIONS_CHANNEL,
} from './notifier.ts';

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb.dispose());

const open: ChangeNotifier[] = [];
afterEach(async () => {
  for (const notifier of open.splice(0)) await notifier.close();
});

function recorder() {
  const calls: string[] = [];
  const listener: NotifierListener = {
    change: (e) => calls.push(`change ${e.accountId} ${e.revision}`),
    revocation: (e) => calls.push(`revocation ${e.sessionId}${e.reason ? ` ${e.reason}` : ''}`),
    session: (e) => calls.push(`session ${e.accountId} ${e.sessionId} ${e.kind}`),
    disconnected: () => calls.push('disconnected'),
    reconnected: () => calls.push('reconnected'),
    malformed: (channel) => calls.push(`malformed ${channel}`),
  };
  return { calls, listener };
}

async function started() {
  const notifier = testDb.database.createNotifier();
  open.push(notifier);
  const { calls, listener } = recorder();
  await notifier.start(listener);
  return { notifier, calls };
}

describe('ChangeNotifier', () => {
  it('delivers on commit, never on rollback', async () => {
    const { calls } = await started();
    const { db } = testDb.database;
    await expect(
      db.transaction(async (tx) => {
        await notifyChange(tx, { accountId: 'rolled-back', revision: 1 });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    await db.transaction(async (tx) => {
      await notifyChange(tx, { accountId: 'a', revision: 7 });
      await notifyRevocation(tx, { sessionId: 's' });
      await notifyRevocation(tx, { sessionId: 't', reason: 'remote-logout' });
      await notifySession(tx, { accountId: 'a', sessionId: 'u', kind: 'signed-in' });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(calls).toEqual([]);
    });
    await vi.waitFor(() =>
      expect(calls).toEqual([
        'change a 7',
        'revocation s',
        'revocation t remote-logout',
        'session a u signed-in',
      ]),
    );
  });

  it('ignores payloads that are not ours', async () => {
    const { calls } = await started();
    await testDb.database.db.execute(sql`select pg_notify(${CHANGES_CHANNEL}, 'not json')`);
    await testDb.database.db.execute(sql`select pg_notify(${CHANGES_CHANNEL}, '{"accountId":1}')`);
    // A revocation with a reason that is no session end reason, a session notice of an unknown kind.
    await testDb.database.db.execute(
      sql`select pg_notify(${REVOCATIONS_CHANNEL}, '{"sessionId":"s","reason":"whatever"}')`,
    );
    await testDb.database.db.execute(
      sql`select pg_notify(${SESSIONS_CHANNEL}, '{"accountId":"a","sessionId":"s","kind":"left"}')`,
    );
    await notifyChange(testDb.database.db, { accountId: 'a', revision: 1 });
    await vi.waitFor(() =>
      expect(calls).toEqual([
        `malformed ${CHANGES_CHANNEL}`,
        `malformed ${CHANGES_CHANNEL}`,
        `malformed ${REVOCATIONS_CHANNEL}`,
        `malformed ${SESSIONS_CHANNEL}`,
        'change a 1',
      ]),
    );
  });

  it('closing one notifier leaves another on the same database listening', async () => {
    const first = await started();
    const second = await started();
    await first.notifier.close();
    await notifyChange(testDb.database.db, { accountId: 'a', revision: 2 });
    await vi.waitFor(() => expect(second.calls).toEqual(['change a 2']));
    expect(first.calls).toEqual([]);
  });
});

describe.runIf(Boolean(process.env.DATABASE_URL))('PostgreSQL listener', () => {
  const listenerPids = async () => {
    const rows = (await testDb.asOwner((db) =>
      db.execute(
        sql`select pid from pg_stat_activity where datname = current_database() and query ilike 'listen%'`,
      ),
    )) as unknown as Array<{ pid: number }>;
    return rows.map((row) => row.pid);
  };

  it('re-LISTENs after the connection drops, and reports the gap', async () => {
    const { calls } = await started();
    const [pid] = await listenerPids();
    expect(pid).toBeTypeOf('number');
    await testDb.asOwner((db) => db.execute(sql`select pg_terminate_backend(${pid})`));
    await vi.waitFor(() => expect(calls).toContain('reconnected'), { timeout: 5_000 });
    expect(calls.slice(0, 1)).toEqual(['disconnected']);
    expect(await listenerPids()).not.toContain(pid);
    await notifyChange(testDb.database.db, { accountId: 'a', revision: 3 });
    await vi.waitFor(() => expect(calls.at(-1)).toBe('change a 3'));
  });

  it('fails to start when the database cannot be reached', async () => {
    const notifier = postgresNotifier('postgres://postgres@127.0.0.1:1/none');
    open.push(notifier);
    await expect(notifier.start(recorder().listener)).rejects.toThrow();
  });
});
