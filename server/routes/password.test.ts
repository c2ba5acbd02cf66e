import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { b64u, createTestApp, envelope } from '../test-support/app.ts';
import { createTestDatabase, type TestDatabase } from '../test-support/db.ts';
import {
  accountRow,
  auditEvents,
  errorOf,
  expectNoSecretInAudit,
  logInAgain,
  newCredentials,
  type SignedUp,
  sessionAlive,
} from '../test-support/key-lifecycle.ts';
import { failuresOf } from '../test-support/limits.ts';
import { readEvents, startPushHub } from '../test-support/push.ts';
import { accountKeysResponse } from './accounts-schema.ts';
import { changePasswordResponse, type PasswordChangeReason } from './password-schema.ts';

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb.dispose());
beforeEach(() => testDb.truncate());

const driver = process.env.DATABASE_URL ? 'postgres' : 'pglite';

type TestApp = ReturnType<typeof createTestApp>;
const app = () => createTestApp(testDb.database, { authRateLimit: { limit: 1000, windowMs: 60_000 } });

const changeBody = (
  user: SignedUp,
  reason: PasswordChangeReason = 'change',
  extra: Record<string, unknown> = {},
) => ({
  currentAuthKey: user.authKey,
  ...newCredentials(),
  keyVersion: 1,
  passwordHistory: envelope(120),
  reason,
  ...extra,
});
const change = (t: TestApp, token: string, body: Record<string, unknown>) =>
  t.call('POST', '/v1/accounts/current/password', { token, body });
const login = (t: TestApp, email: string, authKey: string) =>
  t.call('POST', '/v1/sessions', { body: { email, authKey, deviceName: 'd' } });

describe(`POST /v1/accounts/current/password (${driver})`, () => {
  it('change: swaps the credentials atomically, ends every other session, keeps the caller signed in', async () => {
    const t = app();
    const user = await t.signUp();
    const phone = await logInAgain(t, user, 'phone');
    const tablet = await logInAgain(t, user, 'tablet');
    t.clock.now = new Date(t.clock.now.getTime() + 600_000);
    const body = changeBody(user);
    const res = await change(t, user.accessToken, body);
    expect(res.status).toBe(200);
    expect(changePasswordResponse.parse(await res.json())).toEqual({
      passwordChangedAt: t.clock.now.toISOString(),
    });
    expect(await sessionAlive(t, user.accessToken)).toBe(true);
    expect(await sessionAlive(t, phone.accessToken)).toBe(false);
    expect(await sessionAlive(t, tablet.accessToken)).toBe(false);
    expect(
      (await t.call('POST', '/v1/sessions/refresh', { body: { refreshToken: phone.refreshToken } })).status,
    ).toBe(401);
    expect((await login(t, user.email, user.authKey)).status).toBe(401);
    expect((await login(t, user.email, body.authKey)).status).toBe(200);
    const keys = accountKeysResponse.parse(
      await (await t.call('GET', '/v1/accounts/current', { token: user.accessToken })).json(),
    );
    expect(keys).toMatchObject({
      kdf: body.kdf,
      salt: body.salt,
      wrappedVaultKey: body.wrappedVaultKey,
      passwordHistory: body.passwordHistory,
      passwordChangedAt: t.clock.now.toISOString(),
      keyVersion: 1,
    });
    const [changed] = (await auditEvents(testDb, user.accountId)).filter(
      (e) => e.type === 'password.changed',
    );
    expect(changed).toMatchObject({ payload: { otherSessionsEnded: 2 } });
    await expectNoSecretInAudit(testDb, [
      user.authKey,
      body.authKey,
      body.wrappedVaultKey,
      body.passwordHistory,
    ]);
  });

  it("change: closes the other devices' push streams on commit", async () => {
    const hub = await startPushHub(testDb.database);
    try {
      const t = createTestApp(testDb.database, { push: hub });
      const user = await t.signUp();
      const phone = await logInAgain(t, user, 'phone');
      const stream = await t.call('GET', '/v1/sync/events', { token: phone.accessToken });
      expect(stream.status).toBe(200);
      const events = readEvents(stream);
      expect((await events.next())?.event).toBe('hello');
      expect((await change(t, user.accessToken, changeBody(user))).status).toBe(200);
      expect(await events.next()).toEqual({ event: 'bye', data: { reason: 'password-change' } });
      expect(await events.next()).toBeNull();
    } finally {
      await hub.close();
    }
  });

  it('kdf-upgrade: same password under stronger parameters; sessions and the password age stay', async () => {
    const t = app();
    const user = await t.signUp();
    const phone = await logInAgain(t, user, 'phone');
    const registeredAt = t.clock.now;
    t.clock.now = new Date(t.clock.now.getTime() + 600_000);
    const body = changeBody(user, 'kdf-upgrade', {
      kdf: { alg: 'argon2id', memoryKiB: 131_072, iterations: 4, parallelism: 4 },
    });
    const res = await change(t, user.accessToken, body);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ passwordChangedAt: registeredAt.toISOString() });
    expect(await sessionAlive(t, phone.accessToken)).toBe(true);
    expect((await login(t, user.email, body.authKey)).status).toBe(200);
    expect((await accountRow(testDb, user.accountId)).kdf).toEqual(body.kdf);
    const events = await auditEvents(testDb, user.accountId);
    expect(events.filter((e) => e.type === 'password.changed')).toHaveLength(0);
    expect(events.find((e) => e.type === 'kdf.upgraded')).toMatchObject({
      payload: { alg: 'argon2id', previousAlg: 'argon2id' },
    });
  });

  it('401 INVALID_CREDENTIALS for a wrong current password, counted toward the lockout; nothing changes', async () => {
    const t = app();
    const user = await t.signUp();
    const before = await accountRow(testDb, user.accountId);
    for (let i = 0; i < 5; i++) {
      const res = await change(t, user.accessToken, changeBody(user, 'change', { currentAuthKey: b64u(32) }));
      expect(await errorOf(res)).toEqual({ status: 401, code: 'INVALID_CREDENTIALS' });
    }
    const after = await accountRow(testDb, user.accountId);
    expect(after.authHash).toBe(before.authHash);
    // Five failures, and locked: a lock holds the count one above the limit (rate-limiter-flexible's block).
    expect(await failuresOf(testDb, user.email)).toBe(6);
    // Locked now: neither this route nor a login checks even the right password.
    const locked = await change(t, user.accessToken, changeBody(user));
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toBe('60');
    expect((await login(t, user.email, user.authKey)).status).toBe(429);
    const failed = (await auditEvents(testDb, user.accountId)).filter((e) => e.type === 'login.failed');
    expect(failed.map((e) => e.payload)).toEqual(
      Array(5).fill({ reason: 'wrong-key', action: 'password-change' }),
    );
    expect(await sessionAlive(t, user.accessToken)).toBe(true);
  });

  it('a success resets the count of earlier failures', async () => {
    const t = app();
    const user = await t.signUp();
    for (let i = 0; i < 3; i++)
      await change(t, user.accessToken, changeBody(user, 'change', { currentAuthKey: b64u(32) }));
    expect((await change(t, user.accessToken, changeBody(user))).status).toBe(200);
    expect(await failuresOf(testDb, user.email)).toBe(0);
  });

  it('409 KEY_VERSION_STALE for another key version and ROTATION_PENDING during a rotation, before any check', async () => {
    const t = app();
    const user = await t.signUp();
    const stale = await change(t, user.accessToken, changeBody(user, 'change', { keyVersion: 2 }));
    expect(await errorOf(stale)).toEqual({ status: 409, code: 'KEY_VERSION_STALE' });
    const started = await t.call('POST', '/v1/accounts/current/rotation', {
      token: user.accessToken,
      body: { keyVersion: 2, wrappedVaultKey: envelope(77), wrappedByPrevious: envelope(77) },
    });
    expect(started.status).toBe(201);
    const rotating = await change(t, user.accessToken, changeBody(user));
    expect(await errorOf(rotating)).toEqual({ status: 409, code: 'ROTATION_PENDING' });
    expect(await failuresOf(testDb, user.email)).toBe(0);
    expect((await login(t, user.email, user.authKey)).status).toBe(200);
  });

  it('400 KDF_TOO_WEAK below the floor (an operator may raise it); VALIDATION names the field', async () => {
    const t = createTestApp(testDb.database, {
      policy: {
        passwordMinLength: 12,
        passwordMinStrength: 3,
        kdfFloor: {
          argon2id: { memoryKiB: 65_536, iterations: 3, parallelism: 1 },
          pbkdf2Iterations: 1_000_000,
        },
        passwordReminderDays: null,
      },
    });
    const user = await t.signUp();
    for (const kdf of [
      { alg: 'argon2id', memoryKiB: 65_535, iterations: 3, parallelism: 4 },
      { alg: 'argon2id', memoryKiB: 65_536, iterations: 2, parallelism: 4 },
      { alg: 'pbkdf2-sha256', iterations: 999_999 },
    ]) {
      const res = await change(t, user.accessToken, changeBody(user, 'kdf-upgrade', { kdf }));
      expect(await errorOf(res), JSON.stringify(kdf)).toEqual({
        status: 400,
        code: 'KDF_TOO_WEAK',
        field: 'kdf',
      });
    }
    expect(
      (
        await change(
          t,
          user.accessToken,
          changeBody(user, 'kdf-upgrade', { kdf: { alg: 'pbkdf2-sha256', iterations: 1_000_000 } }),
        )
      ).status,
    ).toBe(200);
    const bad = await change(t, user.accessToken, changeBody(user, 'change', { reason: 'because' }));
    expect(await errorOf(bad)).toEqual({ status: 400, code: 'VALIDATION', field: 'reason' });
    const noHistory = await change(
      t,
      user.accessToken,
      changeBody(user, 'change', { passwordHistory: undefined }),
    );
    expect(await errorOf(noHistory)).toEqual({ status: 400, code: 'VALIDATION', field: 'passwordHistory' });
    const longHistory = await change(
      t,
      user.accessToken,
      changeBody(user, 'change', { passwordHistory: `k1.${'a'.repeat(4094)}` }),
    );
    expect(await errorOf(longHistory)).toEqual({ status: 400, code: 'VALIDATION', field: 'passwordHistory' });
  });

  it('two devices changing the password at once: exactly one wins, the other is told clearly', async () => {
    for (let round = 0; round < 3; round++) {
      await testDb.truncate();
      const t = app();
      const user = await t.signUp();
      const phone = await logInAgain(t, user, 'phone');
      const [laptopBody, phoneBody] = [changeBody(user), changeBody(user)];
      const answers = await Promise.all([
        change(t, user.accessToken, laptopBody),
        change(t, phone.accessToken, phoneBody),
      ]);
      const statuses = answers.map((res) => res.status);
      expect(
        statuses.filter((s) => s === 200),
        `round ${round}`,
      ).toHaveLength(1);
      const winner = statuses[0] === 200 ? 0 : 1;
      const loser = answers[1 - winner] as Response;
      const refused = await errorOf(loser);
      expect(
        [
          { status: 409, code: 'CREDENTIALS_CHANGED' },
          { status: 401, code: 'INVALID_TOKEN' },
        ],
        `round ${round}`,
      ).toContainEqual(refused);
      // The winner's credentials are the ones stored; only the winner's session lives.
      const winning = winner === 0 ? laptopBody : phoneBody;
      expect((await login(t, user.email, winning.authKey)).status).toBe(200);
      expect((await login(t, user.email, (winner === 0 ? phoneBody : laptopBody).authKey)).status).toBe(401);
      expect(await sessionAlive(t, winner === 0 ? user.accessToken : phone.accessToken)).toBe(true);
      expect(await sessionAlive(t, winner === 0 ? phone.accessToken : user.accessToken)).toBe(false);
      expect(
        (await auditEvents(testDb, user.accountId)).filter((e) => e.type === 'password.changed'),
      ).toHaveLength(1);
    }
  });

  it('409 CREDENTIALS_CHANGED for a kdf-upgrade racing a change from the same device', async () => {
    const t = app();
    const user = await t.signUp();
    const answers = await Promise.all([
      change(t, user.accessToken, changeBody(user, 'change')),
      change(t, user.accessToken, changeBody(user, 'kdf-upgrade')),
    ]);
    const statuses = answers.map((res) => res.status).sort();
    expect(statuses[0]).toBe(200);
    const loser = answers.find((res) => res.status !== 200) as Response;
    expect([
      { status: 409, code: 'CREDENTIALS_CHANGED' },
      { status: 401, code: 'INVALID_CREDENTIALS' },
    ]).toContainEqual(await errorOf(loser));
  });
});
