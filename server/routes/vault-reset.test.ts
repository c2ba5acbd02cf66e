import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { items } from '../db/schema.ts';
import { b64u, createTestApp, envelope } from '../test-support/app.ts';
import { createTestDatabase, type TestDatabase } from '../test-support/db.ts';
import {
  accountRow,
  auditEvents,
  errorOf,
  expectNoSecretInAudit,
  logInAgain,
  newCredentials,
  pushNewItems,
  type SignedUp,
  sessionAlive,
} from '../test-support/key-lifecycle.ts';
import { changesResponse } from './sync-schema.ts';
import { vaultResetResponse } from './vault-reset-schema.ts';

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb.dispose());
beforeEach(() => testDb.truncate());

const driver = process.env.DATABASE_URL ? 'postgres' : 'pglite';

type TestApp = ReturnType<typeof createTestApp>;
const app = () => createTestApp(testDb.database, { authRateLimit: { limit: 1000, windowMs: 60_000 } });

const resetBody = (keyVersion = 2, extra: Record<string, unknown> = {}) => ({
  ...newCredentials(),
  keyVersion,
  passwordHistory: envelope(120),
  ...extra,
});
const reset = (t: TestApp, token: string | undefined, body: Record<string, unknown>) =>
  t.call('POST', '/v1/accounts/current/reset', { ...(token ? { token } : {}), body });

async function withRecoveryKey(t: TestApp, user: SignedUp) {
  const recoveryAuthKey = b64u(32);
  const res = await t.call('PUT', '/v1/accounts/current/recovery', {
    token: user.accessToken,
    body: { authKey: user.authKey, keyVersion: 1, recoveryAuthKey, recoveryWrappedVaultKey: envelope(77) },
  });
  expect(res.status).toBe(204);
  return recoveryAuthKey;
}

describe(`POST /v1/accounts/current/reset (${driver})`, () => {
  it('deletes every item, starts fresh keys and credentials, and ends every other session', async () => {
    const t = app();
    const user = await t.signUp();
    const phone = await logInAgain(t, user, 'phone');
    const { ids, revisions, revision: before } = await pushNewItems(t, user.accessToken, 4);
    // One of them already deleted: a tombstone, gone too, but not counted as an item deleted now.
    await t.call('POST', '/v1/sync/push', {
      token: user.accessToken,
      body: {
        changes: [{ id: ids[0], baseRevision: revisions[0], deleted: true, keyVersion: 1, ciphertext: null }],
      },
    });
    const recoveryAuthKey = await withRecoveryKey(t, user);
    t.clock.now = new Date(t.clock.now.getTime() + 60_000);

    const body = resetBody();
    const res = await reset(t, user.accessToken, body);
    expect(res.status).toBe(200);
    expect(vaultResetResponse.parse(await res.json())).toEqual({ keyVersion: 2 });

    expect(
      await testDb.asOwner((db) => db.select().from(items).where(eq(items.accountId, user.accountId))),
    ).toEqual([]);
    const row = await accountRow(testDb, user.accountId);
    expect(row).toMatchObject({
      keyVersion: 2,
      salt: body.salt,
      kdf: body.kdf,
      wrappedVaultKey: body.wrappedVaultKey,
      passwordHistory: body.passwordHistory,
      passwordChangedAt: t.clock.now,
      revision: before + 2,
      recoveryAuthHash: null,
      rotationKeyVersion: null,
    });
    // A device that pulls sees the revision move on, and nothing of the old vault.
    const pulled = changesResponse.parse(
      await (await t.call('GET', `/v1/sync/changes?since=${before + 1}`, { token: user.accessToken })).json(),
    );
    expect(pulled).toEqual({ revision: before + 2, items: [], hasMore: false });
    expect(await sessionAlive(t, user.accessToken)).toBe(true);
    expect(await sessionAlive(t, phone.accessToken)).toBe(false);
    const login = (authKey: string) =>
      t.call('POST', '/v1/sessions', { body: { email: user.email, authKey, deviceName: 'd' } });
    expect((await login(user.authKey)).status).toBe(401);
    expect((await login(body.authKey)).status).toBe(200);
    const recover = await t.call('POST', '/v1/accounts/recovery', {
      body: { email: user.email, recoveryAuthKey },
    });
    expect(recover.status).toBe(401);
    const [event] = (await auditEvents(testDb, user.accountId)).filter((e) => e.type === 'vault.reset');
    expect(event).toMatchObject({ payload: { itemsDeleted: 3, keyVersion: 2, otherSessionsEnded: 1 } });
    await expectNoSecretInAudit(testDb, [body.authKey, body.wrappedVaultKey, body.passwordHistory]);
  });

  it('refuses later writes made under the old key, from any device', async () => {
    const t = app();
    const user = await t.signUp();
    expect((await reset(t, user.accessToken, resetBody())).status).toBe(200);
    const stale = await t.call('POST', '/v1/sync/push', {
      token: user.accessToken,
      body: {
        changes: [
          { id: randomUUID(), baseRevision: 0, deleted: false, keyVersion: 1, ciphertext: envelope() },
        ],
      },
    });
    expect(await errorOf(stale)).toEqual({ status: 409, code: 'KEY_VERSION_STALE' });
    await pushNewItems(t, user.accessToken, 1, 2);
  });

  it('409 KEY_VERSION_STALE unless the new version is one above every version in use', async () => {
    const t = app();
    const user = await t.signUp();
    for (const keyVersion of [1, 3]) {
      const res = await reset(t, user.accessToken, resetBody(keyVersion));
      expect(await errorOf(res), `version ${keyVersion}`).toEqual({ status: 409, code: 'KEY_VERSION_STALE' });
    }
    // A pending rotation holds version 2 already: a reset must go above it.
    const started = await t.call('POST', '/v1/accounts/current/rotation', {
      token: user.accessToken,
      body: { keyVersion: 2, wrappedVaultKey: envelope(77), wrappedByPrevious: envelope(77) },
    });
    expect(started.status).toBe(201);
    expect(await errorOf(await reset(t, user.accessToken, resetBody(2)))).toEqual({
      status: 409,
      code: 'KEY_VERSION_STALE',
    });
    const row = await accountRow(testDb, user.accountId);
    expect(row).toMatchObject({
      keyVersion: 1,
      rotationKeyVersion: 2,
      wrappedVaultKey: user.wrappedVaultKey,
    });
    expect((await reset(t, user.accessToken, resetBody(3))).status).toBe(200);
    expect(await accountRow(testDb, user.accountId)).toMatchObject({
      keyVersion: 3,
      rotationKeyVersion: null,
      rotationWrappedVaultKey: null,
      rotationWrappedByPrevious: null,
    });
    // Neither the old version nor the abandoned rotation's may write now.
    for (const keyVersion of [1, 2]) {
      const push = await t.call('POST', '/v1/sync/push', {
        token: user.accessToken,
        body: {
          changes: [
            { id: randomUUID(), baseRevision: 0, deleted: false, keyVersion, ciphertext: envelope() },
          ],
        },
      });
      expect(push.status, `version ${keyVersion}`).toBe(409);
    }
  });

  it('needs a valid device session: never the email alone, never an ended session', async () => {
    const t = app();
    const user = await t.signUp();
    await pushNewItems(t, user.accessToken, 2);
    expect(await errorOf(await reset(t, undefined, { email: user.email, ...resetBody() }))).toEqual({
      status: 401,
      code: 'UNAUTHENTICATED',
    });
    expect((await t.call('DELETE', '/v1/sessions/current', { token: user.accessToken })).status).toBe(204);
    expect(await errorOf(await reset(t, user.accessToken, resetBody()))).toEqual({
      status: 401,
      code: 'SESSION_ENDED',
    });
    expect(await testDb.asOwner((db) => db.select().from(items))).toHaveLength(2);
    expect((await accountRow(testDb, user.accountId)).keyVersion).toBe(1);
  });

  it('400 KDF_TOO_WEAK below the floor and VALIDATION for a bad field; nothing is deleted', async () => {
    const t = app();
    const user = await t.signUp();
    await pushNewItems(t, user.accessToken, 2);
    const weak = await reset(
      t,
      user.accessToken,
      resetBody(2, { kdf: { alg: 'argon2id', memoryKiB: 65_536, iterations: 2, parallelism: 4 } }),
    );
    expect(await errorOf(weak)).toEqual({ status: 400, code: 'KDF_TOO_WEAK', field: 'kdf' });
    const badKey = await reset(t, user.accessToken, resetBody(2, { authKey: 'nope' }));
    expect(await errorOf(badKey)).toEqual({ status: 400, code: 'VALIDATION', field: 'authKey' });
    expect(await testDb.asOwner((db) => db.select().from(items))).toHaveLength(2);
  });
});
