import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { b64u, createTestApp, envelope } from '../test-support/app.ts';
import { createTestDatabase, type TestDatabase } from '../test-support/db.ts';
import { allRows } from './first-row.ts';
import { checkIsolation } from './rls-guard.ts';
import { accounts, auditEvents, deviceSessions, items, tokens } from './schema.ts';
import { inScope } from './scope.ts';

/**
 * Row-level security as the second wall: whatever a query forgets, PostgreSQL itself only shows and
 * touches the rows of the account the transaction acts for.
 */

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb.dispose());
beforeEach(() => testDb.truncate());

/** drizzle wraps the driver's error ("Failed query: …"); the database's reason is in its cause chain. */
const causedBy = (pattern: RegExp) => (error: unknown) => {
  for (let e: unknown = error; e instanceof Error; e = e.cause) if (pattern.test(e.message)) return true;
  return false;
};

/** Two accounts, each with a session, tokens, one item and audit events. */
async function twoAccounts() {
  const t = createTestApp(testDb.database);
  const [a, b] = [await t.signUp(), await t.signUp()];
  for (const user of [a, b]) {
    const res = await t.call('POST', '/v1/sync/push', {
      token: user.accessToken,
      body: {
        changes: [
          { id: randomUUID(), baseRevision: 0, deleted: false, keyVersion: 1, ciphertext: envelope() },
        ],
      },
    });
    expect(res.status).toBe(200);
  }
  return { a, b };
}

describe(`row-level security (${process.env.DATABASE_URL ? 'postgres' : 'pglite'})`, () => {
  it("an unscoped query inside A's transaction sees and touches only A's rows", async () => {
    const { a, b } = await twoAccounts();
    const { db } = testDb.database;
    await inScope(db, { account: a.accountId }, async (tx) => {
      // Deliberately no account filter anywhere.
      expect((await tx.select().from(items)).map((row) => row.accountId)).toEqual([a.accountId]);
      expect((await tx.select().from(accounts)).map((row) => row.id)).toEqual([a.accountId]);
      expect(new Set((await tx.select().from(deviceSessions)).map((row) => row.accountId))).toEqual(
        new Set([a.accountId]),
      );
      expect(new Set((await tx.select().from(tokens)).map((row) => row.accountId))).toEqual(
        new Set([a.accountId]),
      );
      expect(new Set((await tx.select().from(auditEvents)).map((row) => row.accountId))).toEqual(
        new Set([a.accountId]),
      );
      const updated = await tx
        .update(items)
        .set({ ciphertext: envelope() })
        .returning({ accountId: items.accountId });
      expect(updated.map((row) => row.accountId)).toEqual([a.accountId]);
      const deleted = await tx.delete(tokens).returning({ accountId: tokens.accountId });
      expect(new Set(deleted.map((row) => row.accountId))).toEqual(new Set([a.accountId]));
      // Writing a row for another account is refused outright.
      await expect(
        tx.transaction((sp) =>
          sp.insert(items).values({
            accountId: b.accountId,
            id: randomUUID(),
            revision: 1,
            keyVersion: 1,
            ciphertext: 'k1.x',
          }),
        ),
      ).rejects.toSatisfy(causedBy(/row-level security/));
    });
    // B's rows are all still there, untouched.
    const bItems = await testDb.asOwner((owner) =>
      owner.select().from(items).where(sql`account_id = ${b.accountId}`),
    );
    expect(bItems).toHaveLength(1);
    const bTokens = await testDb.asOwner((owner) =>
      owner.select().from(tokens).where(sql`account_id = ${b.accountId}`),
    );
    expect(bTokens.length).toBeGreaterThan(0);
  });

  it('a query outside any account scope sees no account data at all', async () => {
    await twoAccounts();
    const { db } = testDb.database;
    for (const table of [items, accounts, deviceSessions, tokens, auditEvents]) {
      expect(await db.select().from(table)).toEqual([]);
      expect(await inScope(db, 'server', (tx) => tx.select().from(table))).toEqual([]);
    }
  });

  it('an email lookup sees that one account row and nothing of any other table', async () => {
    const { a } = await twoAccounts();
    await inScope(testDb.database.db, { email: a.email }, async (tx) => {
      expect((await tx.select().from(accounts)).map((row) => row.id)).toEqual([a.accountId]);
      expect(await tx.select().from(items)).toEqual([]);
      expect(await tx.select().from(tokens)).toEqual([]);
    });
  });

  it("the application role cannot rewrite audit history, even its own account's", async () => {
    const { a } = await twoAccounts();
    const { db } = testDb.database;
    for (const statement of [
      sql`update audit_events set type = 'nothing.happened'`,
      sql`delete from audit_events`,
      sql`truncate audit_events`,
      sql`update audit_checkpoints set signature = 'x'`,
      sql`delete from audit_signing_keys`,
    ]) {
      await expect(inScope(db, { account: a.accountId }, (tx) => tx.execute(statement))).rejects.toSatisfy(
        causedBy(/permission denied/),
      );
    }
    // Not even the owner, by accident: the trigger stands in the way.
    await expect(
      testDb.asOwner((owner) => owner.execute(sql`update audit_events set ip = null`)),
    ).rejects.toSatisfy(causedBy(/append-only/));
  });

  it('the guard finds nothing wrong with the migrated schema, and finds a table without FORCE', async () => {
    expect(await testDb.asOwner((owner) => checkIsolation(owner))).toEqual([]);
    const problems = await testDb.asOwner(async (owner) => {
      await owner.execute(sql`create table scratch_notes (account_id uuid, body text)`);
      await owner.execute(sql`alter table items no force row level security`);
      const found = await checkIsolation(owner);
      // Undo inside the same transaction's caller: asOwner commits, so restore explicitly.
      await owner.execute(sql`drop table scratch_notes`);
      await owner.execute(sql`alter table items force row level security`);
      return found;
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'table items: row-level security is not forced',
        'table scratch_notes: row-level security is not enabled',
        'table scratch_notes: row-level security is not forced',
        'table scratch_notes: has no policy (nobody but a superuser sees it)',
      ]),
    );
  });

  it("the key lifecycle routes act on the caller's account only", async () => {
    const { a, b } = await twoAccounts();
    const t = createTestApp(testDb.database, { authRateLimit: { limit: 1000, windowMs: 60_000 } });
    const bBefore = await testDb.asOwner((owner) =>
      owner.select().from(accounts).where(sql`id = ${b.accountId}`),
    );
    const bItems = await testDb.asOwner((owner) =>
      owner.select().from(items).where(sql`account_id = ${b.accountId}`),
    );
    const fresh = () => ({ kdf: a.kdf, salt: b64u(16), authKey: b64u(32), wrappedVaultKey: envelope(77) });
    const calls: [string, string, unknown][] = [
      [
        'PUT',
        '/v1/accounts/current/recovery',
        {
          authKey: a.authKey,
          keyVersion: 1,
          recoveryAuthKey: b64u(32),
          recoveryWrappedVaultKey: envelope(77),
        },
      ],
      [
        'POST',
        '/v1/accounts/current/rotation',
        { keyVersion: 2, wrappedVaultKey: envelope(77), wrappedByPrevious: envelope(77) },
      ],
      ['POST', '/v1/accounts/current/reset', { ...fresh(), keyVersion: 3, passwordHistory: null }],
    ];
    for (const [method, path, body] of calls) {
      const res = await t.call(method, path, { token: a.accessToken, body });
      expect(res.status, path).toBeLessThan(300);
    }
    const keys = (await (await t.call('GET', '/v1/accounts/current', { token: a.accessToken })).json()) as {
      accountId: string;
    };
    expect(keys.accountId).toBe(a.accountId);
    // B's row and items are exactly as they were; A's changed.
    expect(
      await testDb.asOwner((owner) => owner.select().from(accounts).where(sql`id = ${b.accountId}`)),
    ).toEqual(bBefore);
    expect(
      await testDb.asOwner((owner) => owner.select().from(items).where(sql`account_id = ${b.accountId}`)),
    ).toEqual(bItems);
    const [aRow] = await testDb.asOwner((owner) =>
      owner.select().from(accounts).where(sql`id = ${a.accountId}`),
    );
    expect(aRow?.keyVersion).toBe(3);
    // B's session lived through A's reset (which ended A's other sessions only).
    expect((await t.call('GET', '/v1/accounts/current', { token: b.accessToken })).status).toBe(200);
  });

  it("the hot-path functions run with the caller's rights, under the policies of the account they declare", async () => {
    const { a, b } = await twoAccounts();
    const { db } = testDb.database;
    // SECURITY INVOKER: none of them can see more than keyhold_app itself.
    const definers = allRows(
      await db.execute(sql`select proname from pg_proc where prosecdef and proname in
        ('keyhold_authorize', 'keyhold_changes', 'keyhold_stream_state', 'keyhold_push_lock')`),
    );
    expect(definers).toEqual([]);
    // Declared as A, B's session is not there: the join finds no row rather than B's revision.
    expect(
      allRows(
        await db.execute(sql`select * from keyhold_stream_state(${a.accountId}::uuid, ${b.sessionId}::uuid)`),
      ),
    ).toEqual([]);
    expect(
      allRows(
        await db.execute(sql`select * from keyhold_stream_state(${a.accountId}::uuid, ${a.sessionId}::uuid)`),
      ),
    ).toHaveLength(1);
    // The declaration lasts for the function's statement only: the next one sees nothing again.
    expect(await db.select().from(items)).toEqual([]);
    await db.transaction(async (tx) => {
      const locked = allRows(
        await tx.execute(sql`select * from keyhold_push_lock(${a.accountId}::uuid, array[]::uuid[])`),
      );
      expect(locked).toHaveLength(1);
      // Inside the push's transaction the declaration holds: A's rows, and only A's, for the rest of it.
      expect((await tx.select().from(items)).map((row) => row.accountId)).toEqual([a.accountId]);
      expect((await tx.select().from(accounts)).map((row) => row.id)).toEqual([a.accountId]);
    });
  });

  it("the server's role owns nothing and cannot bypass row-level security", async () => {
    const rows = allRows(
      await testDb.database.db.execute(
        sql`select current_user as role, r.rolsuper as superuser, r.rolbypassrls as bypass
            from pg_roles r where r.rolname = current_user`,
      ),
    );
    expect(rows).toEqual([{ role: 'keyhold_app', superuser: false, bypass: false }]);
  });
});
