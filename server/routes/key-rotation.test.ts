import { randomUUID } from 'node:crypto';
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
  pushNewItems,
  sessionAlive,
} from '../test-support/key-lifecycle.ts';
import { accountKeysResponse } from './accounts-schema.ts';
import { loginResponse } from './sessions-schema.ts';

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb.dispose());
beforeEach(() => testDb.truncate());

const driver = process.env.DATABASE_URL ? 'postgres' : 'pglite';

type TestApp = ReturnType<typeof createTestApp>;
async function startRotation(t: TestApp, token: string, keyVersion = 2) {
  const rotation = { keyVersion, wrappedVaultKey: envelope(77), wrappedByPrevious: envelope(77) };
  const res = await t.call('POST', '/v1/accounts/current/rotation', { token, body: rotation });
  expect(res.status).toBe(201);
  return rotation;
}

describe(`vault key rotation (${driver})`, () => {
  it('start → re-wrap every item → complete: the new key becomes current, the old version is refused', async () => {
    const t = createTestApp(testDb.database);
    const user = await t.signUp();
    const other = await logInAgain(t, user);
    const { ids, revisions } = await pushNewItems(t, user.accessToken, 3);
    const rotation = { keyVersion: 2, wrappedVaultKey: envelope(77), wrappedByPrevious: envelope(77) };

    const started = await t.call('POST', '/v1/accounts/current/rotation', {
      token: user.accessToken,
      body: rotation,
    });
    expect(started.status).toBe(201);
    expect(await started.json()).toEqual({ keyVersion: 2 });
    const keys = accountKeysResponse.parse(
      await (await t.call('GET', '/v1/accounts/current', { token: other.accessToken })).json(),
    );
    expect(keys).toMatchObject({ keyVersion: 1, rotation });

    // While it runs, both versions are written.
    const rewrap = (id: string, i: number) => ({
      id,
      baseRevision: revisions[i],
      deleted: false,
      keyVersion: 2,
      ciphertext: envelope(),
    });
    expect(
      (
        await t.call('POST', '/v1/sync/push', {
          token: user.accessToken,
          body: { changes: ids.slice(0, 2).map(rewrap) },
        })
      ).status,
    ).toBe(200);
    await pushNewItems(t, other.accessToken, 1, 1);
    const early = await t.call('POST', '/v1/accounts/current/rotation/complete', {
      token: user.accessToken,
      body: { keyVersion: 2 },
    });
    expect(await errorOf(early)).toEqual({ status: 409, code: 'ROTATION_INCOMPLETE' });
    expect(
      (
        await t.call('POST', '/v1/sync/push', {
          token: user.accessToken,
          body: { changes: [rewrap(ids[2] as string, 2)] },
        })
      ).status,
    ).toBe(200);
    // The item the other device added meanwhile at version 1 is still under the old key.
    const stillOne = await t.call('POST', '/v1/accounts/current/rotation/complete', {
      token: user.accessToken,
      body: { keyVersion: 2 },
    });
    expect(stillOne.status).toBe(409);
    expect(((await stillOne.json()) as { error: { message: string } }).error.message).toMatch(
      /^1 item is still encrypted under the previous key/,
    );
    const pulled = (await (
      await t.call('GET', '/v1/sync/changes?since=0', { token: user.accessToken })
    ).json()) as { items: { id: string; revision: number; keyVersion: number }[] };
    const oldOne = pulled.items.find((item) => item.keyVersion === 1);
    if (!oldOne) throw new Error('the item at version 1 is missing');
    const rewrapped = await t.call('POST', '/v1/sync/push', {
      token: user.accessToken,
      body: {
        changes: [
          {
            id: oldOne.id,
            baseRevision: oldOne.revision,
            deleted: false,
            keyVersion: 2,
            ciphertext: envelope(),
          },
        ],
      },
    });
    expect(rewrapped.status).toBe(200);

    const done = await t.call('POST', '/v1/accounts/current/rotation/complete', {
      token: user.accessToken,
      body: { keyVersion: 2 },
    });
    expect(done.status).toBe(200);
    expect(await done.json()).toEqual({ keyVersion: 2 });
    const after = accountKeysResponse.parse(
      await (await t.call('GET', '/v1/accounts/current', { token: user.accessToken })).json(),
    );
    expect(after).toMatchObject({ keyVersion: 2, wrappedVaultKey: rotation.wrappedVaultKey, rotation: null });
    // Every other session ended; writes at the old version are refused from now on.
    expect(await sessionAlive(t, other.accessToken)).toBe(false);
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

  it('start: a retry with the same values is 200; other values while one runs are ROTATION_PENDING', async () => {
    const t = createTestApp(testDb.database);
    const user = await t.signUp();
    const rotation = { keyVersion: 2, wrappedVaultKey: envelope(77), wrappedByPrevious: envelope(77) };
    const start = (body: unknown) =>
      t.call('POST', '/v1/accounts/current/rotation', { token: user.accessToken, body });
    expect((await start(rotation)).status).toBe(201);
    const again = await start(rotation);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ keyVersion: 2 });
    expect(await errorOf(await start({ ...rotation, wrappedVaultKey: envelope(77) }))).toEqual({
      status: 409,
      code: 'ROTATION_PENDING',
    });
    expect(await errorOf(await start({ ...rotation, keyVersion: 3 }))).toEqual({
      status: 409,
      code: 'KEY_VERSION_STALE',
    });
    expect(await accountRow(testDb, user.accountId)).toMatchObject({
      keyVersion: 1,
      rotationKeyVersion: 2,
      rotationWrappedVaultKey: rotation.wrappedVaultKey,
      rotationWrappedByPrevious: rotation.wrappedByPrevious,
    });
    const started = (await auditEvents(testDb, user.accountId)).filter(
      (e) => e.type === 'key.rotation-started',
    );
    expect(started.map((e) => e.payload)).toEqual([{ keyVersion: 2 }]);
  });

  it('start: only the next version (current + 1) may be created', async () => {
    const t = createTestApp(testDb.database);
    const user = await t.signUp();
    for (const keyVersion of [1, 3]) {
      const res = await t.call('POST', '/v1/accounts/current/rotation', {
        token: user.accessToken,
        body: { keyVersion, wrappedVaultKey: envelope(77), wrappedByPrevious: envelope(77) },
      });
      expect(await errorOf(res), `version ${keyVersion}`).toEqual({ status: 409, code: 'KEY_VERSION_STALE' });
    }
    const missing = await t.call('POST', '/v1/accounts/current/rotation', {
      token: user.accessToken,
      body: { keyVersion: 2, wrappedVaultKey: envelope(77) },
    });
    expect(await errorOf(missing)).toEqual({ status: 400, code: 'VALIDATION', field: 'wrappedByPrevious' });
    expect((await accountRow(testDb, user.accountId)).rotationKeyVersion).toBeNull();
  });

  it('login and GET current answer the rotation in progress', async () => {
    const t = createTestApp(testDb.database);
    const user = await t.signUp();
    const rotation = await startRotation(t, user.accessToken);
    const login = loginResponse.parse(
      await (
        await t.call('POST', '/v1/sessions', {
          body: { email: user.email, authKey: user.authKey, deviceName: 'd' },
        })
      ).json(),
    );
    expect(login).toMatchObject({ keyVersion: 1, wrappedVaultKey: user.wrappedVaultKey, rotation });
  });

  it('complete: NO_ROTATION without one (or for another version); 200 again once complete', async () => {
    const t = createTestApp(testDb.database);
    const user = await t.signUp();
    const complete = (keyVersion: number) =>
      t.call('POST', '/v1/accounts/current/rotation/complete', {
        token: user.accessToken,
        body: { keyVersion },
      });
    expect(await errorOf(await complete(2))).toEqual({ status: 409, code: 'NO_ROTATION' });
    await startRotation(t, user.accessToken);
    expect(await errorOf(await complete(3))).toEqual({ status: 409, code: 'NO_ROTATION' });
    expect((await complete(2)).status).toBe(200);
    const retry = await complete(2);
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual({ keyVersion: 2 });
    const rotated = (await auditEvents(testDb, user.accountId)).filter((e) => e.type === 'key.rotated');
    expect(rotated.map((e) => e.payload)).toEqual([{ keyVersion: 2, otherSessionsEnded: 0 }]);
    // The next rotation starts from the new version.
    await startRotation(t, user.accessToken, 3);
  });

  it('complete: says how many items remain; tombstones at the old version do not count', async () => {
    const t = createTestApp(testDb.database);
    const user = await t.signUp();
    const { ids, revisions } = await pushNewItems(t, user.accessToken, 3);
    await startRotation(t, user.accessToken);
    const res = await t.call('POST', '/v1/accounts/current/rotation/complete', {
      token: user.accessToken,
      body: { keyVersion: 2 },
    });
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({
      error: {
        code: 'ROTATION_INCOMPLETE',
        message: '3 items are still encrypted under the previous key: re-wrap them first.',
      },
    });
    // Deleting them at the old version is fine: a tombstone holds no key.
    const deleted = await t.call('POST', '/v1/sync/push', {
      token: user.accessToken,
      body: {
        changes: ids.map((id, i) => ({
          id,
          baseRevision: revisions[i],
          deleted: true,
          keyVersion: 1,
          ciphertext: null,
        })),
      },
    });
    expect(deleted.status).toBe(200);
    expect(
      (
        await t.call('POST', '/v1/accounts/current/rotation/complete', {
          token: user.accessToken,
          body: { keyVersion: 2 },
        })
      ).status,
    ).toBe(200);
  });

  it('complete: the new key becomes current, the recovery key is cleared, the history re-sealed', async () => {
    const t = createTestApp(testDb.database, { authRateLimit: { limit: 1000, windowMs: 60_000 } });
    const user = await t.signUp();
    const recoveryAuthKey = b64u(32);
    const put = await t.call('PUT', '/v1/accounts/current/recovery', {
      token: user.accessToken,
      body: { authKey: user.authKey, keyVersion: 1, recoveryAuthKey, recoveryWrappedVaultKey: envelope(77) },
    });
    expect(put.status).toBe(204);
    const rotation = await startRotation(t, user.accessToken);
    const passwordHistory = envelope(120);
    const done = await t.call('POST', '/v1/accounts/current/rotation/complete', {
      token: user.accessToken,
      body: { keyVersion: 2, passwordHistory },
    });
    expect(done.status).toBe(200);
    expect(await accountRow(testDb, user.accountId)).toMatchObject({
      keyVersion: 2,
      wrappedVaultKey: rotation.wrappedVaultKey,
      rotationKeyVersion: null,
      rotationWrappedVaultKey: null,
      rotationWrappedByPrevious: null,
      recoveryAuthHash: null,
      recoveryWrappedVaultKey: null,
      recoveryCreatedAt: null,
      passwordHistory,
    });
    // The recovery key wrapped the old vault key: it no longer works.
    const recover = await t.call('POST', '/v1/accounts/recovery', {
      body: { email: user.email, recoveryAuthKey },
    });
    expect(await errorOf(recover)).toEqual({ status: 401, code: 'INVALID_RECOVERY_KEY' });
    // A later rotation completed without a history leaves none (the old one is sealed by a replaced key).
    await startRotation(t, user.accessToken, 3);
    await t.call('POST', '/v1/accounts/current/rotation/complete', {
      token: user.accessToken,
      body: { keyVersion: 3 },
    });
    expect((await accountRow(testDb, user.accountId)).passwordHistory).toBeNull();
    await expectNoSecretInAudit(testDb, [
      rotation.wrappedVaultKey,
      rotation.wrappedByPrevious,
      passwordHistory,
    ]);
  });

  it('a pushing device racing the completion: either its old-version write lands first and blocks it, or it is refused', async () => {
    const t = createTestApp(testDb.database);
    const user = await t.signUp();
    const other = await logInAgain(t, user);
    await startRotation(t, user.accessToken);
    const [push, done] = await Promise.all([
      t.call('POST', '/v1/sync/push', {
        token: other.accessToken,
        body: {
          changes: [
            { id: randomUUID(), baseRevision: 0, deleted: false, keyVersion: 1, ciphertext: envelope() },
          ],
        },
      }),
      t.call('POST', '/v1/accounts/current/rotation/complete', {
        token: user.accessToken,
        body: { keyVersion: 2 },
      }),
    ]);
    if (done.status === 200) {
      // Completed first: the old-version write was refused (stale key, or its session ended).
      expect([409, 401]).toContain(push.status);
    } else {
      expect(push.status).toBe(200);
      expect((await errorOf(done)).code).toBe('ROTATION_INCOMPLETE');
    }
    const stored = await testDb.asOwner((db) => db.select().from(items));
    const row = await accountRow(testDb, user.accountId);
    // Never an item below the current version once a rotation completed.
    for (const item of stored) expect(item.keyVersion).toBeGreaterThanOrEqual(row.keyVersion);
  });
});

describe(`push and key versions (${driver})`, () => {
  it('refuses the whole push when one live change is at a version neither current nor pending', async () => {
    const t = createTestApp(testDb.database);
    const user = await t.signUp();
    const good = { id: randomUUID(), baseRevision: 0, deleted: false, keyVersion: 1, ciphertext: envelope() };
    const future = {
      id: randomUUID(),
      baseRevision: 0,
      deleted: false,
      keyVersion: 2,
      ciphertext: envelope(),
    };
    const res = await t.call('POST', '/v1/sync/push', {
      token: user.accessToken,
      body: { changes: [good, future] },
    });
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({
      error: {
        code: 'KEY_VERSION_STALE',
        message: "This vault's encryption key was replaced on another device.",
      },
    });
    expect(await testDb.asOwner((db) => db.select().from(items))).toEqual([]);
    expect((await accountRow(testDb, user.accountId)).revision).toBe(0);
  });

  it('takes tombstones at any version, also after a rotation completed', async () => {
    const t = createTestApp(testDb.database);
    const user = await t.signUp();
    await startRotation(t, user.accessToken);
    await t.call('POST', '/v1/accounts/current/rotation/complete', {
      token: user.accessToken,
      body: { keyVersion: 2 },
    });
    const res = await t.call('POST', '/v1/sync/push', {
      token: user.accessToken,
      body: {
        changes: [{ id: randomUUID(), baseRevision: 0, deleted: true, keyVersion: 1, ciphertext: null }],
      },
    });
    expect(res.status).toBe(200);
  });
});
