import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp } from '../test-support/app.ts';
import { createTestDatabase, type TestDatabase } from '../test-support/db.ts';

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
