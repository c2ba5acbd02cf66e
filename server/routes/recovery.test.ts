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
import { failuresOf, limitsOn } from '../test-support/limits.ts';
import { accountKeysResponse } from './accounts-schema.ts';
import { recoveryResponse } from './recovery-schema.ts';
import { loginResponse } from './sessions-schema.ts';

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb.dispose());
beforeEach(() => testDb.truncate());

const driver = process.env.DATABASE_URL ? 'postgres' : 'pglite';

type TestApp = ReturnType<typeof createTestApp>;
/** Plenty of room under the per-IP limit: these tests are about the per-account lockout. */
const app = () => createTestApp(testDb.database, { authRateLimit: { limit: 1000, windowMs: 60_000 } });

/** Sets a recovery key for `user` (as the extension does after the password was re-entered). */
async function setRecoveryKey(t: TestApp, user: SignedUp, keyVersion = 1) {
  const key = { recoveryAuthKey: b64u(32), recoveryWrappedVaultKey: envelope(77) };
  const res = await t.call('PUT', '/v1/accounts/current/recovery', {
    token: user.accessToken,
    body: { authKey: user.authKey, keyVersion, ...key },
  });
  expect(res.status).toBe(204);
  return key;
}

const recover = (t: TestApp, email: string, recoveryAuthKey: string) =>
  t.call('POST', '/v1/accounts/recovery', { body: { email, recoveryAuthKey } });

const completeBody = (user: SignedUp, recoveryAuthKey: string, extra: Record<string, unknown> = {}) => ({
  email: user.email,
  recoveryAuthKey,
  ...newCredentials(),
  keyVersion: 1,
  passwordHistory: envelope(120),
  deviceName: 'recovered laptop',
  ...extra,
});
const complete = (t: TestApp, body: Record<string, unknown>) =>
  t.call('POST', '/v1/accounts/recovery/complete', { body });

const startRotation = async (t: TestApp, token: string, keyVersion = 2) => {
  const rotation = { keyVersion, wrappedVaultKey: envelope(77), wrappedByPrevious: envelope(77) };
  const res = await t.call('POST', '/v1/accounts/current/rotation', { token, body: rotation });
  expect(res.status).toBe(201);
  return rotation;
};

describe(`PUT /v1/accounts/current/recovery (${driver})`, () => {
  it('stores only a hash of the recovery auth key and the wrapped vault key; GET current shows when', async () => {
    const t = app();
    const user = await t.signUp();
    const { clock } = t;
    const key = await setRecoveryKey(t, user);
    const row = await accountRow(testDb, user.accountId);
    expect(row.recoveryAuthHash).toMatch(/^scrypt\$32768\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(row.recoveryAuthHash).not.toContain(key.recoveryAuthKey);
    expect(row.recoveryWrappedVaultKey).toBe(key.recoveryWrappedVaultKey);
    const keys = accountKeysResponse.parse(
      await (await t.call('GET', '/v1/accounts/current', { token: user.accessToken })).json(),
    );
    expect(keys.recovery).toEqual({ createdAt: clock.now.toISOString() });
    const [event] = (await auditEvents(testDb, user.accountId)).filter(
      (e) => e.type === 'recovery.key-created',
    );
    expect(event).toMatchObject({ sessionId: expect.any(String), payload: { replaced: false } });
    await expectNoSecretInAudit(testDb, [user.authKey, key.recoveryAuthKey, key.recoveryWrappedVaultKey]);
  });

  it('replaces an earlier recovery key, which stops working', async () => {
    const t = app();
    const user = await t.signUp();
    const first = await setRecoveryKey(t, user);
    const second = await setRecoveryKey(t, user);
    expect(await errorOf(await recover(t, user.email, first.recoveryAuthKey))).toEqual({
      status: 401,
      code: 'INVALID_RECOVERY_KEY',
    });
    expect((await recover(t, user.email, second.recoveryAuthKey)).status).toBe(200);
    const created = (await auditEvents(testDb, user.accountId)).filter(
      (e) => e.type === 'recovery.key-created',
    );
    expect(created.map((e) => e.payload.replaced)).toEqual([false, true]);
  });

  it('401 INVALID_CREDENTIALS for a wrong master password, counted toward the login lockout', async () => {
    const t = app();
    const user = await t.signUp();
    const put = (authKey: string) =>
      t.call('PUT', '/v1/accounts/current/recovery', {
        token: user.accessToken,
        body: { authKey, keyVersion: 1, recoveryAuthKey: b64u(32), recoveryWrappedVaultKey: envelope(77) },
      });
    for (let i = 0; i < 5; i++)
      expect(await errorOf(await put(b64u(32)))).toEqual({ status: 401, code: 'INVALID_CREDENTIALS' });
    expect((await accountRow(testDb, user.accountId)).recoveryAuthHash).toBeNull();
    // Locked: even the right password is not checked, here and at login.
    const locked = await put(user.authKey);
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toBe('60');
    expect((await errorOf(locked)).code).toBe('RATE_LIMITED');
    const login = await t.call('POST', '/v1/sessions', {
      body: { email: user.email, authKey: user.authKey, deviceName: 'd' },
    });
    expect(login.status).toBe(429);
    const failed = (await auditEvents(testDb, user.accountId)).filter((e) => e.type === 'login.failed');
    expect(failed).toHaveLength(5);
    expect(failed[0]?.payload).toEqual({ reason: 'wrong-key', action: 'recovery-key' });
  });

  it('409 KEY_VERSION_STALE for another key version, 409 ROTATION_PENDING during a rotation; no attempt counted', async () => {
    const t = app();
    const user = await t.signUp();
    const put = (keyVersion: number) =>
      t.call('PUT', '/v1/accounts/current/recovery', {
        token: user.accessToken,
        body: {
          authKey: user.authKey,
          keyVersion,
          recoveryAuthKey: b64u(32),
          recoveryWrappedVaultKey: envelope(77),
        },
      });
    expect(await errorOf(await put(2))).toEqual({ status: 409, code: 'KEY_VERSION_STALE' });
    await startRotation(t, user.accessToken);
    expect(await errorOf(await put(1))).toEqual({ status: 409, code: 'ROTATION_PENDING' });
    const row = await accountRow(testDb, user.accountId);
    expect(row.recoveryAuthHash).toBeNull();
    expect(await failuresOf(testDb, user.email)).toBe(0);
  });

  it('names a missing or malformed field; needs a token with the account scope', async () => {
    const t = app();
    const user = await t.signUp();
    const bad = await t.call('PUT', '/v1/accounts/current/recovery', {
      token: user.accessToken,
      body: {
        authKey: user.authKey,
        keyVersion: 1,
        recoveryAuthKey: 'short',
        recoveryWrappedVaultKey: envelope(77),
      },
    });
    expect(await errorOf(bad)).toEqual({ status: 400, code: 'VALIDATION', field: 'recoveryAuthKey' });
    const notEnvelope = await t.call('PUT', '/v1/accounts/current/recovery', {
      token: user.accessToken,
      body: {
        authKey: user.authKey,
        keyVersion: 1,
        recoveryAuthKey: b64u(32),
        recoveryWrappedVaultKey: 'plain',
      },
    });
    expect(await errorOf(notEnvelope)).toEqual({
      status: 400,
      code: 'VALIDATION',
      field: 'recoveryWrappedVaultKey',
    });
    const anonymous = await t.call('PUT', '/v1/accounts/current/recovery', {
      body: {
        authKey: user.authKey,
        keyVersion: 1,
        recoveryAuthKey: b64u(32),
        recoveryWrappedVaultKey: envelope(77),
      },
    });
    expect(await errorOf(anonymous)).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
  });
});

describe(`POST /v1/accounts/recovery (${driver})`, () => {
  it('answers what the recovery key opens, and changes nothing', async () => {
    const t = app();
    const user = await t.signUp();
    const key = await setRecoveryKey(t, user);
    const before = await accountRow(testDb, user.accountId);
    const res = await recover(t, user.email.toUpperCase(), key.recoveryAuthKey);
    expect(res.status).toBe(200);
    expect(recoveryResponse.parse(await res.json())).toEqual({
      accountId: user.accountId,
      keyVersion: 1,
      recoveryWrappedVaultKey: key.recoveryWrappedVaultKey,
      rotation: null,
      passwordHistory: null,
    });
    expect(await accountRow(testDb, user.accountId)).toEqual(before);
    expect(await sessionAlive(t, user.accessToken)).toBe(true);
  });

  it('also answers the rotation in progress (its key wrapped by the previous one) and the history', async () => {
    const t = app();
    const user = await t.signUp();
    const key = await setRecoveryKey(t, user);
    const rotation = await startRotation(t, user.accessToken);
    const body = recoveryResponse.parse(await (await recover(t, user.email, key.recoveryAuthKey)).json());
    expect(body.rotation).toEqual({ keyVersion: 2, wrappedByPrevious: rotation.wrappedByPrevious });
  });

  it('answers an unknown email, an account without a recovery key and a wrong key alike, and records why', async () => {
    const t = app();
    const withKey = await t.signUp();
    await setRecoveryKey(t, withKey);
    const withoutKey = await t.signUp();
    const answers = await Promise.all([
      recover(t, 'nobody@example.com', b64u(32)),
      recover(t, withoutKey.email, b64u(32)),
      recover(t, withKey.email, b64u(32)),
    ]);
    const bodies = await Promise.all(answers.map((res) => res.json()));
    expect(answers.map((res) => res.status)).toEqual([401, 401, 401]);
    expect(bodies[0]).toEqual({
      error: { code: 'INVALID_RECOVERY_KEY', message: 'The email or recovery key is incorrect.' },
    });
    expect(bodies[1]).toEqual(bodies[0]);
    expect(bodies[2]).toEqual(bodies[0]);
    const failed = (await auditEvents(testDb)).filter((e) => e.type === 'recovery.failed');
    expect(failed.map((e) => [e.accountId, e.payload.reason])).toEqual(
      expect.arrayContaining([
        [null, 'unknown-account'],
        [withoutKey.accountId, 'no-recovery-key'],
        [withKey.accountId, 'wrong-key'],
      ]),
    );
  });

  it('counts wrong recovery keys toward the login lockout, with wrong passwords on the same counter', async () => {
    // Locks of 1 s instead of 60 s: the store's clock is the real one.
    const t = createTestApp(testDb.database, { limits: limitsOn(testDb.database, { lockBaseSeconds: 1 }) });
    const user = await t.signUp();
    const key = await setRecoveryKey(t, user);
    const wrongLogin = () =>
      t.call('POST', '/v1/sessions', { body: { email: user.email, authKey: b64u(32), deviceName: 'd' } });
    for (let i = 0; i < 3; i++) expect((await wrongLogin()).status).toBe(401);
    for (let i = 0; i < 2; i++) expect((await recover(t, user.email, b64u(32))).status).toBe(401);
    // Five failures: the right recovery key is not even checked, and the answer says for how long.
    const locked = await recover(t, user.email, key.recoveryAuthKey);
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toBe('1');
    expect((await errorOf(locked)).code).toBe('RATE_LIMITED');
    const events = await auditEvents(testDb, user.accountId);
    expect(events.filter((e) => e.type === 'account.locked')).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ type: 'rate.limited', payload: { reason: 'account-locked' } });
    // After the lock, the right key works and starts the count again.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await recover(t, user.email, key.recoveryAuthKey)).status).toBe(200);
    expect(await failuresOf(testDb, user.email)).toBe(0);
  });

  it('checks at most 5 recovery keys even when 20 arrive at once', async () => {
    const t = app();
    const user = await t.signUp();
    await setRecoveryKey(t, user);
    const results = await Promise.all(Array.from({ length: 20 }, () => recover(t, user.email, b64u(32))));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(15);
  });

  it('is rate-limited per client IP like the other unauthenticated auth routes', async () => {
    const t = createTestApp(testDb.database, { authRateLimit: { limit: 2, windowMs: 60_000 } });
    for (let i = 0; i < 2; i++) expect((await recover(t, 'a@example.com', b64u(32))).status).toBe(401);
    const limited = await recover(t, 'a@example.com', b64u(32));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('60');
    const completeLimited = await complete(t, { email: 'a@example.com' });
    expect(completeLimited.status).toBe(429);
  });
});

describe(`POST /v1/accounts/recovery/complete (${driver})`, () => {
  it('swaps the credentials, forgets the recovery key, ends every session and opens a new one', async () => {
    const t = app();
    const user = await t.signUp();
    const phone = await logInAgain(t, user, 'phone');
    const key = await setRecoveryKey(t, user);
    t.clock.now = new Date(t.clock.now.getTime() + 3_600_000);
    const body = completeBody(user, key.recoveryAuthKey);
    const res = await complete(t, body);
    expect(res.status).toBe(200);
    const reply = loginResponse.parse(await res.json());
    expect(reply).toMatchObject({
      accountId: user.accountId,
      wrappedVaultKey: body.wrappedVaultKey,
      kdf: body.kdf,
      salt: body.salt,
      keyVersion: 1,
      rotation: null,
    });
    // Every earlier session ended (its tokens fail on the next request); the new one works.
    expect(await sessionAlive(t, user.accessToken)).toBe(false);
    expect(await sessionAlive(t, phone.accessToken)).toBe(false);
    expect(
      (await t.call('POST', '/v1/sessions/refresh', { body: { refreshToken: phone.refreshToken } })).status,
    ).toBe(401);
    expect(await sessionAlive(t, reply.accessToken)).toBe(true);
    // The earlier sessions say why they ended; the new one is listed as this device's.
    const ended = await t.call('GET', '/v1/accounts/current', { token: phone.accessToken });
    expect(await ended.json()).toMatchObject({ error: { code: 'SESSION_ENDED', reason: 'recovery' } });
    const listed = await t.call('GET', '/v1/sessions', { token: reply.accessToken });
    expect(await listed.json()).toMatchObject({ sessions: [{ id: reply.sessionId, current: true }] });
    // The new master password logs in; the old one and the used recovery key no longer do.
    const login = (authKey: string) =>
      t.call('POST', '/v1/sessions', { body: { email: user.email, authKey, deviceName: 'd' } });
    expect((await login(user.authKey)).status).toBe(401);
    expect((await login(body.authKey)).status).toBe(200);
    expect((await recover(t, user.email, key.recoveryAuthKey)).status).toBe(401);
    const row = await accountRow(testDb, user.accountId);
    expect(row).toMatchObject({
      salt: body.salt,
      wrappedVaultKey: body.wrappedVaultKey,
      passwordHistory: body.passwordHistory,
      passwordChangedAt: t.clock.now,
      recoveryAuthHash: null,
      recoveryWrappedVaultKey: null,
      recoveryCreatedAt: null,
      lockedUntil: null,
    });
    const [recovered] = (await auditEvents(testDb, user.accountId)).filter(
      (e) => e.type === 'account.recovered',
    );
    expect(recovered).toMatchObject({ payload: { sessionsEnded: 2 } });
    expect(recovered?.sessionId).not.toBeNull();
    await expectNoSecretInAudit(testDb, [
      body.authKey,
      key.recoveryAuthKey,
      body.wrappedVaultKey,
      body.passwordHistory,
      user.email,
      'recovered laptop',
    ]);
  });

  it('resets the failure count: earlier wrong guesses do not lock the new password out', async () => {
    const t = app();
    const user = await t.signUp();
    const key = await setRecoveryKey(t, user);
    for (let i = 0; i < 3; i++) {
      await t.call('POST', '/v1/sessions', {
        body: { email: user.email, authKey: b64u(32), deviceName: 'd' },
      });
    }
    expect(await failuresOf(testDb, user.email)).toBe(3);
    expect((await complete(t, completeBody(user, key.recoveryAuthKey))).status).toBe(200);
    expect(await failuresOf(testDb, user.email)).toBe(0);
  });

  it('401 INVALID_RECOVERY_KEY for a wrong key, counted; nothing changes', async () => {
    const t = app();
    const user = await t.signUp();
    await setRecoveryKey(t, user);
    const before = await accountRow(testDb, user.accountId);
    expect(await errorOf(await complete(t, completeBody(user, b64u(32))))).toEqual({
      status: 401,
      code: 'INVALID_RECOVERY_KEY',
    });
    expect(await accountRow(testDb, user.accountId)).toEqual(before);
    expect(await failuresOf(testDb, user.email)).toBe(1);
    expect(await sessionAlive(t, user.accessToken)).toBe(true);
  });

  it('works only once: a second completion with the same key is refused', async () => {
    const t = app();
    const user = await t.signUp();
    const key = await setRecoveryKey(t, user);
    const [a, b] = await Promise.all([
      complete(t, completeBody(user, key.recoveryAuthKey)),
      complete(t, completeBody(user, key.recoveryAuthKey)),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 401]);
    const loser = a.status === 401 ? a : b;
    expect((await errorOf(loser)).code).toBe('INVALID_RECOVERY_KEY');
    expect(
      (await auditEvents(testDb, user.accountId)).filter((e) => e.type === 'account.recovered'),
    ).toHaveLength(1);
  });

  it('400 KDF_TOO_WEAK below the policy floor, before the recovery key is checked', async () => {
    const t = app();
    const user = await t.signUp();
    const key = await setRecoveryKey(t, user);
    const res = await complete(
      t,
      completeBody(user, key.recoveryAuthKey, {
        kdf: { alg: 'argon2id', memoryKiB: 32_768, iterations: 3, parallelism: 4 },
      }),
    );
    expect(await errorOf(res)).toEqual({ status: 400, code: 'KDF_TOO_WEAK', field: 'kdf' });
    const row = await accountRow(testDb, user.accountId);
    expect(await failuresOf(testDb, user.email)).toBe(0);
    expect(row.recoveryAuthHash).not.toBeNull();
  });

  it('409 KEY_VERSION_STALE when the vault key moved on; the proven key costs no attempt', async () => {
    const t = app();
    const user = await t.signUp();
    const key = await setRecoveryKey(t, user);
    const res = await complete(t, completeBody(user, key.recoveryAuthKey, { keyVersion: 2 }));
    expect(await errorOf(res)).toEqual({ status: 409, code: 'KEY_VERSION_STALE' });
    const row = await accountRow(testDb, user.accountId);
    expect(await failuresOf(testDb, user.email)).toBe(0);
    expect(row.recoveryAuthHash).not.toBeNull();
    expect(await sessionAlive(t, user.accessToken)).toBe(true);
  });

  it('during a rotation: requires the rotation key wrapped by the new password, and replaces it', async () => {
    const t = app();
    const user = await t.signUp();
    const key = await setRecoveryKey(t, user);
    const rotation = await startRotation(t, user.accessToken);
    const missing = await complete(t, completeBody(user, key.recoveryAuthKey));
    expect(await errorOf(missing)).toEqual({
      status: 400,
      code: 'VALIDATION',
      field: 'rotationWrappedVaultKey',
    });
    const rotationWrappedVaultKey = envelope(77);
    const res = await complete(t, completeBody(user, key.recoveryAuthKey, { rotationWrappedVaultKey }));
    expect(res.status).toBe(200);
    const reply = loginResponse.parse(await res.json());
    expect(reply.rotation).toEqual({
      keyVersion: 2,
      wrappedVaultKey: rotationWrappedVaultKey,
      wrappedByPrevious: rotation.wrappedByPrevious,
    });
    expect(await accountRow(testDb, user.accountId)).toMatchObject({
      keyVersion: 1,
      rotationKeyVersion: 2,
      rotationWrappedVaultKey,
      rotationWrappedByPrevious: rotation.wrappedByPrevious,
    });
  });

  it('without a rotation: refuses a rotation key it would have nowhere to put', async () => {
    const t = app();
    const user = await t.signUp();
    const key = await setRecoveryKey(t, user);
    const res = await complete(
      t,
      completeBody(user, key.recoveryAuthKey, { rotationWrappedVaultKey: envelope(77) }),
    );
    expect(await errorOf(res)).toEqual({ status: 400, code: 'VALIDATION', field: 'rotationWrappedVaultKey' });
    expect((await accountRow(testDb, user.accountId)).recoveryAuthHash).not.toBeNull();
  });

  it('names a missing field', async () => {
    const t = app();
    const user = await t.signUp();
    const { salt: _salt, ...body } = completeBody(user, b64u(32));
    expect(await errorOf(await complete(t, body))).toEqual({
      status: 400,
      code: 'VALIDATION',
      field: 'salt',
    });
    const { passwordHistory: _history, ...noHistory } = completeBody(user, b64u(32));
    expect(await errorOf(await complete(t, noHistory))).toEqual({
      status: 400,
      code: 'VALIDATION',
      field: 'passwordHistory',
    });
  });
});
