import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Db } from './db/client.ts';
import { allRows } from './db/first-row.ts';
import { deviceSessions, dpopProofs, rateLimits, tokens } from './db/schema.ts';
import { HOUSEKEEPING_LOCK_ID, type HousekeepingOptions, startHousekeeping } from './housekeeping.ts';
import { createTestApp } from './test-support/app.ts';
import { createTestDatabase, type TestDatabase } from './test-support/db.ts';

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb.dispose());
beforeEach(() => testDb.truncate());

const NOW = new Date('2030-01-01T00:00:00.000Z');
const DAY = 86_400_000;
const ago = (ms: number) => new Date(NOW.getTime() - ms);

/** A signed-up account, without the counters and proof ids its sign-up left behind. */
async function account(): Promise<string> {
  const { accountId } = await createTestApp(testDb.database).signUp();
  await testDb.asOwner(async (db) => {
    await db.delete(rateLimits);
    await db.delete(dpopProofs);
  });
  return accountId;
}

async function session(
  db: Db,
  accountId: string,
  times: { createdAt: Date; lastSeenAt?: Date; revokedAt?: Date },
): Promise<string> {
  const id = randomUUID();
  await db.insert(deviceSessions).values({
    id,
    accountId,
    createdAt: times.createdAt,
    lastSeenAt: times.lastSeenAt ?? times.createdAt,
    revokedAt: times.revokedAt ?? null,
    revokedReason: times.revokedAt ? 'logout' : null,
  });
  return id;
}

async function token(
  db: Db,
  accountId: string,
  sessionId: string,
  row: { kind: 'access' | 'refresh'; expiresAt: Date; usedAt?: Date },
): Promise<string> {
  const hash = randomBytes(32).toString('hex');
  await db.insert(tokens).values({
    hash,
    accountId,
    sessionId,
    kind: row.kind,
    scopes: ['vault'],
    expiresAt: row.expiresAt,
    usedAt: row.usedAt ?? null,
  });
  return hash;
}

const logger = () => ({ info: vi.fn(), error: vi.fn() });

function housekeeping(overrides: Partial<HousekeepingOptions> = {}) {
  return startHousekeeping({
    db: testDb.database.db,
    logger: logger(),
    intervalMs: 3_600_000,
    firstRunMs: 3_600_000,
    sessionLimits: { idleDays: 14, absoluteDays: 30 },
    endedSessionDays: 30,
    now: () => NOW,
    ...overrides,
  });
}

const remaining = () =>
  testDb.asOwner(async (db) => ({
    sessions: new Set((await db.select({ id: deviceSessions.id }).from(deviceSessions)).map((r) => r.id)),
    tokens: new Set((await db.select({ hash: tokens.hash }).from(tokens)).map((r) => r.hash)),
    rateLimits: new Set((await db.select({ key: rateLimits.key }).from(rateLimits)).map((r) => r.key)),
    dpopProofs: new Set((await db.select({ id: dpopProofs.id }).from(dpopProofs)).map((r) => r.id)),
  }));

describe('housekeeping', () => {
  it('deletes what is past its time, and keeps live rows and recently ended sessions', async () => {
    const accountId = await account();
    const seeded = await testDb.asOwner(async (db) => {
      const live = await session(db, accountId, { createdAt: ago(DAY), lastSeenAt: ago(3_600_000) });
      const endedRecently = await session(db, accountId, {
        createdAt: ago(20 * DAY),
        revokedAt: ago(29 * DAY),
      });
      const endedLongAgo = await session(db, accountId, {
        createdAt: ago(40 * DAY),
        revokedAt: ago(31 * DAY),
      });
      // Never revoked, but idle since 14 + 31 days, or signed in 30 + 31 days ago: ended 31 days ago.
      const idleLongAgo = await session(db, accountId, {
        createdAt: ago(50 * DAY),
        lastSeenAt: ago(45 * DAY),
      });
      const absoluteLongAgo = await session(db, accountId, {
        createdAt: ago(61 * DAY),
        lastSeenAt: ago(DAY),
      });
      // Idle since 20 days: ended 6 days ago, kept.
      const idleRecently = await session(db, accountId, {
        createdAt: ago(25 * DAY),
        lastSeenAt: ago(20 * DAY),
      });
      const tokensGo = [
        await token(db, accountId, live, { kind: 'access', expiresAt: ago(2 * DAY) }),
        await token(db, accountId, live, { kind: 'refresh', expiresAt: ago(2 * DAY), usedAt: ago(3 * DAY) }),
        await token(db, accountId, endedLongAgo, { kind: 'refresh', expiresAt: NOW }),
      ];
      const tokensStay = [
        // Within a day of its expiry.
        await token(db, accountId, live, { kind: 'access', expiresAt: ago(3_600_000) }),
        // A live session's newest refresh token: it still says why the session ended.
        await token(db, accountId, idleRecently, { kind: 'refresh', expiresAt: ago(2 * DAY) }),
        await token(db, accountId, live, { kind: 'refresh', expiresAt: new Date(NOW.getTime() + DAY) }),
        // An ended session keeps its tokens (they answer SESSION_ENDED with the reason) while it stays.
        await token(db, accountId, endedRecently, { kind: 'access', expiresAt: ago(28 * DAY) }),
      ];
      await db.insert(rateLimits).values([
        { key: 'gone', points: 3, expire: NOW.getTime() - 1 },
        { key: 'counting', points: 3, expire: NOW.getTime() + 60_000 },
        { key: 'forever', points: 1, expire: null },
      ]);
      await db.insert(dpopProofs).values([
        { id: 'old-proof', expiresAt: ago(1) },
        { id: 'fresh-proof', expiresAt: new Date(NOW.getTime() + 60_000) },
      ]);
      return {
        sessionsStay: [live, endedRecently, idleRecently],
        sessionsGo: [endedLongAgo, idleLongAgo, absoluteLongAgo],
        tokensGo,
        tokensStay,
      };
    });
    const before = await remaining();
    const log = logger();
    const hk = housekeeping({ logger: log });

    expect(await hk.runOnce()).toEqual({ tokens: 3, sessions: 3, rateLimits: 1, dpopProofs: 1 });
    const after = await remaining();
    for (const id of seeded.sessionsStay) expect(after.sessions.has(id)).toBe(true);
    for (const id of seeded.sessionsGo) expect(after.sessions.has(id)).toBe(false);
    for (const hash of seeded.tokensStay) expect(after.tokens.has(hash)).toBe(true);
    for (const hash of seeded.tokensGo) expect(after.tokens.has(hash)).toBe(false);
    // The sign-up's own session and tokens are live.
    expect(after.sessions.size).toBe(before.sessions.size - 3);
    expect(after.tokens.size).toBe(before.tokens.size - 3);
    expect([...after.rateLimits].sort()).toEqual(['counting', 'forever']);
    expect([...after.dpopProofs]).toEqual(['fresh-proof']);

    // One line per run, counts only.
    expect(log.info).toHaveBeenCalledTimes(1);
    const [line] = log.info.mock.calls[0] ?? [];
    expect(Object.keys(line).sort()).toEqual([
      'dpopProofs',
      'event',
      'ms',
      'rateLimits',
      'sessions',
      'tokens',
    ]);
    expect(line).toMatchObject({
      event: 'housekeeping',
      tokens: 3,
      sessions: 3,
      rateLimits: 1,
      dpopProofs: 1,
    });

    expect(await hk.runOnce()).toEqual({ tokens: 0, sessions: 0, rateLimits: 0, dpopProofs: 0 });
    await hk.stop();
  });

  it('keeps an ended session at least 30 days, and for ever when told 0', async () => {
    const accountId = await account();
    const [ended20, ended40] = await testDb.asOwner(async (db) => [
      await session(db, accountId, { createdAt: ago(30 * DAY), revokedAt: ago(20 * DAY) }),
      await session(db, accountId, { createdAt: ago(50 * DAY), revokedAt: ago(40 * DAY) }),
    ]);
    const forever = housekeeping({ endedSessionDays: 0 });
    expect(await forever.runOnce()).toMatchObject({ sessions: 0 });
    await forever.stop();

    const tenDays = housekeeping({ endedSessionDays: 10 });
    expect(await tenDays.runOnce()).toMatchObject({ sessions: 1 });
    await tenDays.stop();
    const after = await remaining();
    expect(after.sessions.has(ended20)).toBe(true);
    expect(after.sessions.has(ended40)).toBe(false);
  });

  it('deletes at most batchSize × maxBatches rows of a kind per run; the rest goes next run', async () => {
    const accountId = await account();
    await testDb.asOwner(async (db) => {
      for (let i = 0; i < 5; i += 1) {
        await session(db, accountId, { createdAt: ago(60 * DAY), revokedAt: ago(50 * DAY) });
      }
      await db
        .insert(dpopProofs)
        .values(Array.from({ length: 5 }, (_, i) => ({ id: `proof-${i}`, expiresAt: ago(1000) })));
      await db
        .insert(rateLimits)
        .values(
          Array.from({ length: 5 }, (_, i) => ({ key: `key-${i}`, points: 1, expire: NOW.getTime() - 1 })),
        );
    });
    const hk = housekeeping({ batchSize: 2, maxBatches: 2 });
    expect(await hk.runOnce()).toEqual({ tokens: 0, sessions: 4, rateLimits: 4, dpopProofs: 4 });
    expect(await hk.runOnce()).toEqual({ tokens: 0, sessions: 1, rateLimits: 1, dpopProofs: 1 });
    expect(await hk.runOnce()).toEqual({ tokens: 0, sessions: 0, rateLimits: 0, dpopProofs: 0 });
    await hk.stop();
  });

  it('runs by itself after firstRunMs, logs a failed run by type and code only, and tries again', async () => {
    const log = logger();
    let failures = 1;
    const real = testDb.database.db;
    const flaky = new Proxy(real, {
      get(target, property, receiver) {
        if (property === 'transaction' && failures > 0) {
          failures -= 1;
          return () =>
            Promise.reject(Object.assign(new Error('duplicate key user@example.com'), { code: 'XX000' }));
        }
        return Reflect.get(target, property, receiver);
      },
    });
    await testDb.asOwner((db) => db.insert(dpopProofs).values({ id: 'old-proof', expiresAt: ago(1) }));
    const hk = housekeeping({ db: flaky, logger: log, firstRunMs: 1, intervalMs: 50 });
    await vi.waitFor(() => expect(log.info).toHaveBeenCalled(), { timeout: 5000 });
    await hk.stop();

    expect(log.error).toHaveBeenCalledTimes(1);
    const [failed] = log.error.mock.calls[0] ?? [];
    expect(failed).toMatchObject({ event: 'housekeeping_failed', err: { type: 'Error', code: 'XX000' } });
    expect(JSON.stringify(failed)).not.toContain('example.com');
    expect(log.info.mock.calls[0]?.[0]).toMatchObject({ event: 'housekeeping', dpopProofs: 1 });
    expect((await remaining()).dpopProofs.size).toBe(0);
  });

  it('deletes across accounts only through definer functions with a fixed search_path, for keyhold_app alone', async () => {
    const rows = allRows(
      await testDb.database.db.execute(sql`select proname, prosecdef, proconfig::text as config,
          proacl::text as acl, has_function_privilege('keyhold_app', oid, 'EXECUTE') as app
        from pg_proc where proname like 'keyhold_prune_%' order by proname`),
    );
    expect(rows.map((row) => row.proname)).toEqual(['keyhold_prune_sessions', 'keyhold_prune_tokens']);
    for (const row of rows) {
      expect(row).toMatchObject({ prosecdef: true, config: '{"search_path=public, pg_temp"}', app: true });
      // No grant to PUBLIC (an ACL entry with an empty grantee).
      expect(String(row.acl)).not.toMatch(/[{,]=/);
    }
  });

  it('stop() ends the timer: no run after it', async () => {
    const log = logger();
    const hk = housekeeping({ logger: log, firstRunMs: 20, intervalMs: 20 });
    await hk.stop();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(log.info).not.toHaveBeenCalled();
  });
});

// Two processes: only PostgreSQL has them (PGlite's other handle is a copy of the database).
describe.runIf(process.env.DATABASE_URL)('housekeeping across processes', () => {
  it('runs on one process at a time: a run while another holds the lock returns null and deletes nothing', async () => {
    const other = await testDb.openAnother();
    const watcher = await testDb.openAnother();
    await testDb.asOwner((db) =>
      db.insert(dpopProofs).values([
        { id: 'old-1', expiresAt: ago(1000) },
        { id: 'old-2', expiresAt: ago(1000) },
      ]),
    );
    const first = housekeeping();
    const second = housekeeping({ db: other.db });

    // A row lock held elsewhere keeps the first run inside its transaction, holding the advisory lock.
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let locked = () => {};
    const rowLocked = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const holder = testDb.asOwner(async (db) => {
      await db.execute(sql`select id from dpop_proofs where id = 'old-1' for update`);
      locked();
      await released;
    });
    await rowLocked;
    const firstRun = first.runOnce();
    await vi.waitFor(
      async () => {
        const rows = allRows(
          await watcher.db.execute(
            sql`select count(*)::int as n from pg_locks where locktype = 'advisory' and granted
                and ((classid::bigint << 32) | objid::bigint) = ${sql.raw(HOUSEKEEPING_LOCK_ID.toString())}`,
          ),
        );
        expect(rows[0]?.n).toBe(1);
      },
      { timeout: 5000 },
    );

    // Without the lock, the second run would wait for the held row too: fail fast rather than time out.
    const waited = new Promise<'waited'>((resolve) => setTimeout(() => resolve('waited'), 5000).unref());
    expect(await Promise.race([second.runOnce(), waited])).toBeNull();
    expect((await remaining()).dpopProofs.size).toBe(2);

    release();
    await holder;
    expect(await firstRun).toMatchObject({ dpopProofs: 2 });
    await first.stop();
    await second.stop();
  });
});
