import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Database, openPostgres, type PoolSettings, rawQueryOf } from '../db/client.ts';
import { DATABASE_RETRY_AFTER_SECONDS, databaseFailure } from '../db/database-failure.ts';
import { createTestApp, envelope } from '../test-support/app.ts';
import { createTestDatabase, type TestDatabase } from '../test-support/db.ts';
import { type ItemChange, pushResponse } from './sync-schema.ts';

/**
 * A push waits at most DB_LOCK_TIMEOUT_MS for its account's row (docs/sync.md, "Busy account").
 * PostgreSQL only: PGlite has one connection, so no second transaction can hold the row while a push
 * waits (and a clone of it is another database, not another connection to the same one).
 */
const LOCK_TIMEOUT_MS = 300;
const pool: PoolSettings = {
  max: 4,
  connectTimeoutSeconds: 5,
  idleTimeoutSeconds: 0,
  maxLifetimeSeconds: 1800,
  statementTimeoutMs: 1000,
  lockTimeoutMs: LOCK_TIMEOUT_MS,
};

describe.runIf(Boolean(process.env.DATABASE_URL))('a push against a busy account (PostgreSQL)', () => {
  let testDb: TestDatabase;
  let limited: Database;
  let owner: postgres.Sql;
  beforeAll(async () => {
    testDb = await createTestDatabase();
    if (!testDb.urls) throw new Error('PostgreSQL test database without URLs');
    limited = await openPostgres(testDb.urls.app, { pool });
    owner = postgres(testDb.urls.owner, { onnotice: () => {}, max: 2 });
  });
  afterAll(async () => {
    await owner?.end();
    await limited?.close();
    await testDb?.dispose();
  });
  beforeEach(() => testDb.truncate());

  /** Holds the account's row FOR UPDATE in the owner's own transaction until `release()`. */
  async function holdAccount(accountId: string) {
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let locked = () => {};
    const isLocked = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const done = owner.begin(async (tx) => {
      await tx`select id from accounts where id = ${accountId} for update`;
      locked();
      await released;
    });
    await isLocked;
    return async () => {
      release();
      await done;
    };
  }

  const change = (): ItemChange => ({
    id: randomUUID(),
    baseRevision: 0,
    deleted: false,
    keyVersion: 1,
    ciphertext: envelope(),
  });

  it('answers 503 DATABASE_BUSY within the lock timeout, applies nothing, and the same push applies once released', async () => {
    const t = createTestApp(limited);
    const user = await t.signUp();
    const body = { changes: [change(), change()] };
    const release = await holdAccount(user.accountId);
    const started = performance.now();
    const busy = await t.call('POST', '/v1/sync/push', { token: user.accessToken, body });
    const waited = performance.now() - started;
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe(String(DATABASE_RETRY_AFTER_SECONDS));
    expect(await busy.json()).toEqual({
      error: { code: 'DATABASE_BUSY', message: 'The account is busy; retry shortly.' },
    });
    expect(waited).toBeGreaterThanOrEqual(LOCK_TIMEOUT_MS - 50);
    expect(waited).toBeLessThan(LOCK_TIMEOUT_MS + 1500);
    expect(t.logLines.join('')).toContain('"event":"database_busy"');
    await release();

    const [account] = await owner`select revision from accounts where id = ${user.accountId}`;
    expect(Number(account?.revision)).toBe(0);
    const applied = await t.call('POST', '/v1/sync/push', { token: user.accessToken, body });
    expect(applied.status).toBe(200);
    const reply = pushResponse.parse(await applied.json());
    expect(reply.revision).toBe(2);
    expect(reply.results.map((r) => r.status)).toEqual(['applied', 'applied']);
  });

  it('starts every pooled connection with the configured statement and lock timeouts', async () => {
    const { rows } = await rawQueryOf(limited.db)(
      "select current_setting('statement_timeout') as statement, current_setting('lock_timeout') as lock",
      [],
    );
    expect(rows).toEqual([{ statement: '1s', lock: '300ms' }]);
  });

  it('cancels a statement past DB_STATEMENT_TIMEOUT_MS with 57014, which counts as busy', async () => {
    const started = performance.now();
    const error = await rawQueryOf(limited.db)('select pg_sleep(3)', []).then(
      () => null,
      (e: unknown) => e,
    );
    expect(performance.now() - started).toBeLessThan(2500);
    expect(databaseFailure(error)).toBe('busy');
  });
});
