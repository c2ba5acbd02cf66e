import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, envelope } from '../test-support/app.ts';
import { createTestDatabase, type TestDatabase } from '../test-support/db.ts';
import { errorOf, logInAgain, pushNewItems, sessionAlive } from '../test-support/key-lifecycle.ts';
import { accountKeysResponse } from './accounts-schema.ts';

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb.dispose());
beforeEach(() => testDb.truncate());

const driver = process.env.DATABASE_URL ? 'postgres' : 'pglite';

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
});
