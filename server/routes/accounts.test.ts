import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { allRows } from '../db/first-row.ts';
import { b64u, createTestApp, envelope } from '../test-support/app.ts';
import { createTestDatabase, type TestDatabase } from '../test-support/db.ts';
import {
  accountRow,
  auditEvents,
  errorOf,
  logInAgain,
  pushNewItems,
  sessionAlive,
} from '../test-support/key-lifecycle.ts';
import { accountKeysResponse } from './accounts-schema.ts';

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb.dispose());
beforeEach(() => testDb.truncate());

describe(`POST /v1/accounts (${process.env.DATABASE_URL ? 'postgres' : 'pglite'})`, () => {
  it('registers an account and stores only a scrypt hash of the auth key', async () => {
    const { call, registration } = createTestApp(testDb.database);
    const account = registration('Mixed.Case@Example.com');
    const res = await call('POST', '/v1/accounts', { body: account });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ accountId: account.accountId });
    const rows = await testDb.asOwner((db) => db.query.accounts.findMany());
    expect(rows).toHaveLength(1);
    expect(rows[0]?.email).toBe('mixed.case@example.com');
    expect(rows[0]?.authHash).toMatch(/^scrypt\$32768\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(rows[0]?.authHash).not.toContain(account.authKey);
  });

  it('answers 409 ACCOUNT_EXISTS for a duplicate email (case-insensitive) or id', async () => {
    const { call, registration } = createTestApp(testDb.database);
    const first = registration('dup@example.com');
    expect((await call('POST', '/v1/accounts', { body: first })).status).toBe(201);
    const sameEmail = await call('POST', '/v1/accounts', { body: { ...registration('DUP@example.com') } });
    expect(sameEmail.status).toBe(409);
    expect(await sameEmail.json()).toMatchObject({ error: { code: 'ACCOUNT_EXISTS' } });
    const sameId = await call('POST', '/v1/accounts', {
      body: { ...registration(), accountId: first.accountId },
    });
    expect(sameId.status).toBe(409);
    const rows = await testDb.asOwner((db) => db.query.accounts.findMany());
    expect(rows.map((r) => r.email)).toEqual(['dup@example.com']);
  });

  it('names the missing or invalid field in a 400 VALIDATION', async () => {
    const { call, registration } = createTestApp(testDb.database);
    const { salt: _salt, ...withoutSalt } = registration();
    const missing = await call('POST', '/v1/accounts', { body: withoutSalt });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: { code: 'VALIDATION', field: 'salt' } });

    const weakKdf = await call('POST', '/v1/accounts', {
      body: { ...registration(), kdf: { alg: 'pbkdf2-sha256', iterations: 1000 } },
    });
    expect(await weakKdf.json()).toMatchObject({ error: { code: 'VALIDATION', field: 'kdf.iterations' } });

    const badEmail = await call('POST', '/v1/accounts', { body: { ...registration(), email: 'nope' } });
    expect(await badEmail.json()).toMatchObject({ error: { code: 'VALIDATION', field: 'email' } });

    const shortKey = await call('POST', '/v1/accounts', { body: { ...registration(), authKey: 'abc' } });
    expect(await shortKey.json()).toMatchObject({ error: { code: 'VALIDATION', field: 'authKey' } });

    // The vault key is sealed to the id as the client spelled it; PostgreSQL would hand it back in
    // lower case at login and no other device could open the vault.
    const account = registration();
    const upperId = await call('POST', '/v1/accounts', {
      body: { ...account, accountId: account.accountId.toUpperCase() },
    });
    expect(upperId.status).toBe(400);
    expect(await upperId.json()).toEqual({
      error: { code: 'VALIDATION', field: 'accountId', message: 'accountId: must be a lower-case UUID' },
    });
    expect(await testDb.asOwner((db) => db.query.accounts.findMany())).toHaveLength(0);
  });

  it('answers 400 MALFORMED_JSON for unparsable JSON or a non-JSON content type', async () => {
    const { call } = createTestApp(testDb.database);
    const broken = await call('POST', '/v1/accounts', { body: '{"email": ' });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ error: { code: 'MALFORMED_JSON' } });
    const form = await call('POST', '/v1/accounts', {
      body: 'email=a',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(400);
    expect(await form.json()).toMatchObject({ error: { code: 'MALFORMED_JSON' } });
  });

  it('answers 413 PAYLOAD_TOO_LARGE above 64 KiB', async () => {
    const { call, registration } = createTestApp(testDb.database);
    const res = await call('POST', '/v1/accounts', {
      body: { ...registration(), padding: 'x'.repeat(70 * 1024) },
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
  });
});

describe('POST /v1/accounts/prelogin', () => {
  it('returns the stored KDF parameters and salt of a known account', async () => {
    const { call, registration } = createTestApp(testDb.database);
    const account = registration();
    await call('POST', '/v1/accounts', { body: account });
    const res = await call('POST', '/v1/accounts/prelogin', { body: { email: account.email.toUpperCase() } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ kdf: account.kdf, salt: account.salt });
  });

  it('returns stable fake parameters for an unknown email, different per email', async () => {
    const { call } = createTestApp(testDb.database);
    const ask = async (email: string) =>
      (await call('POST', '/v1/accounts/prelogin', { body: { email } })).json() as Promise<{
        kdf: unknown;
        salt: string;
      }>;
    const a1 = await ask('ghost@example.com');
    const a2 = await ask('Ghost@Example.com');
    const b = await ask('other@example.com');
    expect(a1).toEqual(a2);
    expect(a1.kdf).toEqual({ alg: 'argon2id', memoryKiB: 65_536, iterations: 3, parallelism: 4 });
    expect(a1.salt).toMatch(/^[\w-]{22}$/);
    expect(b.salt).not.toBe(a1.salt);
  });

  it('rate-limits the auth routes per client IP with 429 and Retry-After', async () => {
    const { call } = createTestApp(testDb.database, { authRateLimit: { limit: 3, windowMs: 60_000 } });
    for (let i = 0; i < 3; i++) {
      expect((await call('POST', '/v1/accounts/prelogin', { body: { email: 'a@example.com' } })).status).toBe(
        200,
      );
    }
    const limited = await call('POST', '/v1/accounts/prelogin', { body: { email: 'a@example.com' } });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('60');
    expect(await limited.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
  });
});

describe('POST /v1/accounts: the key lifecycle', () => {
  it('starts at key version 1 with the optional password history and the password age', async () => {
    const { call, registration, clock } = createTestApp(testDb.database);
    const withHistory = { ...registration(), passwordHistory: envelope(120) };
    expect((await call('POST', '/v1/accounts', { body: withHistory })).status).toBe(201);
    expect(await accountRow(testDb, withHistory.accountId)).toMatchObject({
      keyVersion: 1,
      passwordHistory: withHistory.passwordHistory,
      passwordChangedAt: clock.now,
      recoveryAuthHash: null,
      rotationKeyVersion: null,
    });
    const without = registration();
    expect((await call('POST', '/v1/accounts', { body: without })).status).toBe(201);
    expect((await accountRow(testDb, without.accountId)).passwordHistory).toBeNull();
    const tooLong = await call('POST', '/v1/accounts', {
      body: { ...registration(), passwordHistory: `k1.${'a'.repeat(4094)}` },
    });
    expect(await errorOf(tooLong)).toEqual({ status: 400, code: 'VALIDATION', field: 'passwordHistory' });
  });

  it('refuses KDF parameters below the policy floor with 400 KDF_TOO_WEAK; at the floor is fine', async () => {
    const { call, registration } = createTestApp(testDb.database);
    for (const kdf of [
      { alg: 'argon2id', memoryKiB: 65_535, iterations: 3, parallelism: 4 },
      { alg: 'argon2id', memoryKiB: 1_048_576, iterations: 2, parallelism: 4 },
    ]) {
      const res = await call('POST', '/v1/accounts', { body: { ...registration(), kdf } });
      expect(res.status, JSON.stringify(kdf)).toBe(400);
      const body = (await res.json()) as { error: { code: string; field: string; message: string } };
      expect(body.error).toMatchObject({ code: 'KDF_TOO_WEAK', field: 'kdf' });
      expect(body.error.message).toMatch(/at least 65536 KiB of memory, 3 iterations/);
    }
    for (const kdf of [
      { alg: 'argon2id', memoryKiB: 65_536, iterations: 3, parallelism: 1 },
      { alg: 'pbkdf2-sha256', iterations: 600_000 },
    ]) {
      expect((await call('POST', '/v1/accounts', { body: { ...registration(), kdf } })).status).toBe(201);
    }
    expect(await testDb.asOwner((db) => db.query.accounts.findMany())).toHaveLength(2);
  });

  it("follows the operator's floor, parallelism and PBKDF2 included", async () => {
    const { call, registration } = createTestApp(testDb.database, {
      policy: {
        passwordMinLength: 12,
        passwordMinStrength: 3,
        kdfFloor: {
          argon2id: { memoryKiB: 19_456, iterations: 2, parallelism: 2 },
          pbkdf2Iterations: 2_000_000,
        },
        passwordReminderDays: 90,
      },
    });
    const attempt = (kdf: unknown) => call('POST', '/v1/accounts', { body: { ...registration(), kdf } });
    expect(
      (await errorOf(await attempt({ alg: 'argon2id', memoryKiB: 19_456, iterations: 2, parallelism: 1 })))
        .code,
    ).toBe('KDF_TOO_WEAK');
    expect((await errorOf(await attempt({ alg: 'pbkdf2-sha256', iterations: 1_999_999 }))).code).toBe(
      'KDF_TOO_WEAK',
    );
    expect(
      (await attempt({ alg: 'argon2id', memoryKiB: 19_456, iterations: 2, parallelism: 2 })).status,
    ).toBe(201);
    expect((await attempt({ alg: 'pbkdf2-sha256', iterations: 2_000_000 })).status).toBe(201);
  });
});

describe('GET /v1/accounts/current', () => {
  it("answers the account's keys and credentials' state", async () => {
    const t = createTestApp(testDb.database);
    const user = await t.signUp();
    const res = await t.call('GET', '/v1/accounts/current', { token: user.accessToken });
    expect(res.status).toBe(200);
    expect(accountKeysResponse.parse(await res.json())).toEqual({
      accountId: user.accountId,
      email: user.email,
      kdf: user.kdf,
      salt: user.salt,
      keyVersion: 1,
      wrappedVaultKey: user.wrappedVaultKey,
      rotation: null,
      recovery: null,
      passwordChangedAt: t.clock.now.toISOString(),
      passwordHistory: null,
    });
  });

  it('401 without a token; 401 once the session ended', async () => {
    const t = createTestApp(testDb.database);
    const user = await t.signUp();
    expect(await errorOf(await t.call('GET', '/v1/accounts/current'))).toEqual({
      status: 401,
      code: 'UNAUTHENTICATED',
    });
    await t.call('DELETE', '/v1/sessions/current', { token: user.accessToken });
    expect(await errorOf(await t.call('GET', '/v1/accounts/current', { token: user.accessToken }))).toEqual({
      status: 401,
      code: 'SESSION_ENDED',
    });
  });
});

describe('DELETE /v1/accounts/current', () => {
  it('leaves no row of the account in any table but its audit history, which names no one', async () => {
    const t = createTestApp(testDb.database, { authRateLimit: { limit: 1000, windowMs: 60_000 } });
    const user = await t.signUp();
    const keep = await t.signUp();
    const phone = await logInAgain(t, user, 'Work phone of Alice');
    await pushNewItems(t, user.accessToken, 3);
    await pushNewItems(t, keep.accessToken, 1);
    const recovery = await t.call('PUT', '/v1/accounts/current/recovery', {
      token: user.accessToken,
      body: {
        authKey: user.authKey,
        keyVersion: 1,
        recoveryAuthKey: b64u(32),
        recoveryWrappedVaultKey: envelope(77),
      },
    });
    expect(recovery.status).toBe(204);
    // Every table of the schema, as its owner: rows whose any column holds the account's id or email.
    const tables = allRows(
      await testDb.asOwner((db) =>
        db.execute(sql`select table_name as name from information_schema.tables
          where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`),
      ),
    ).map((row) => String(row.name));
    expect(tables).toEqual(
      expect.arrayContaining(['accounts', 'device_sessions', 'tokens', 'items', 'audit_events']),
    );
    const rowsOfAccount = async () => {
      const holding: Record<string, number> = {};
      for (const table of tables) {
        const found = allRows(
          await testDb.asOwner((db) =>
            db.execute(
              sql`select count(*)::int as n from ${sql.identifier(table)} as t
                where strpos(row_to_json(t)::text, ${user.accountId}) > 0
                   or strpos(lower(row_to_json(t)::text), ${user.email}) > 0`,
            ),
          ),
        );
        holding[table] = Number(found[0]?.n);
      }
      return holding;
    };
    expect(await rowsOfAccount()).toMatchObject({ accounts: 1, device_sessions: 2, tokens: 4, items: 3 });

    const res = await t.call('DELETE', '/v1/accounts/current', {
      token: user.accessToken,
      body: { authKey: user.authKey },
    });
    expect(res.status).toBe(204);
    expect(await sessionAlive(t, phone.accessToken)).toBe(false);
    const holding = await rowsOfAccount();
    const { audit_events: auditRows, ...others } = holding;
    expect(
      Object.values(others).every((n) => n === 0),
      JSON.stringify(holding),
    ).toBe(true);
    // Append-only history stays, without the email, device names or any key.
    expect(auditRows).toBeGreaterThan(0);
    const history = JSON.stringify(await auditEvents(testDb, user.accountId));
    for (const personal of [user.email, 'Work phone of Alice', user.authKey, user.wrappedVaultKey]) {
      expect(history.includes(personal)).toBe(false);
    }
    // The other account is untouched.
    expect(await sessionAlive(t, keep.accessToken)).toBe(true);
    expect((await accountRow(testDb, keep.accountId)).revision).toBe(1);
  });

  it('counts a wrong master password toward the lockout', async () => {
    const t = createTestApp(testDb.database, { authRateLimit: { limit: 1000, windowMs: 60_000 } });
    const user = await t.signUp();
    const del = (authKey: string) =>
      t.call('DELETE', '/v1/accounts/current', { token: user.accessToken, body: { authKey } });
    for (let i = 0; i < 5; i++)
      expect(await errorOf(await del(b64u(32)))).toEqual({ status: 401, code: 'INVALID_CREDENTIALS' });
    const locked = await del(user.authKey);
    expect(locked.status).toBe(429);
    expect(await testDb.asOwner((db) => db.query.accounts.findMany())).toHaveLength(1);
    const failed = (await auditEvents(testDb, user.accountId)).filter((e) => e.type === 'login.failed');
    expect(failed[0]?.payload).toEqual({ reason: 'wrong-key', action: 'account-delete' });
  });
});
