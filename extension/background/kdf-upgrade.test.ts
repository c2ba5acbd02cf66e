import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { accountItem, deviceSessionItem } from '../storage/items.ts';
import { authorized, type Harness, metaWithPolicy, SERVER, startHarness } from '../test-support/devices.ts';
import { currentDpopKey } from './dpop-key.ts';

/**
 * The transparent KDF upgrade at unlock: when the server's floor rises above the account's
 * parameters, the unlock re-wraps the vault key under parameters raised to it — same password, new
 * salt, every session kept.
 */

const EMAIL = 'ada@example.test';
const MASTER = 'orange-kettle-harbour-91';
const RAISED = {
  kdfFloor: { argon2id: { memoryKiB: 98_304, iterations: 3, parallelism: 1 }, pbkdf2Iterations: 600_000 },
};

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
}, 120_000);
afterAll(async () => {
  await h?.server.close();
});
afterEach(() => h.settle());
beforeEach(async () => {
  fakeBrowser.reset();
  await h.server.reset();
});

describe('KDF upgrade at unlock', () => {
  it('raises the account to the floor with a new salt, keeping the password and the sessions', async () => {
    const a = h.worker();
    await a.register(SERVER, EMAIL, MASTER);
    const deviceA = await h.snapshot();
    fakeBrowser.reset();
    await h.worker().login(SERVER, EMAIL, MASTER);
    const tokenB = (await deviceSessionItem.getValue())?.accessToken ?? '';
    const keyB = (await currentDpopKey()) ?? undefined;

    await h.restore(deviceA);
    const a2 = h.worker();
    await a2.lock();
    const before = await accountItem.getValue();
    // The operator raised the floor (a server of the new policy).
    h.intercept = (req) => (new URL(req.url).pathname === '/v1/meta' ? metaWithPolicy(h, RAISED) : null);
    await a2.unlock(MASTER);
    // The upgrade is part of the unlock's server part, which follows its answer; a sync waits for it.
    await a2.syncNow();
    const after = await accountItem.getValue();
    expect(after?.kdf).toEqual({ alg: 'argon2id', memoryKiB: 98_304, iterations: 3, parallelism: 4 });
    expect(after?.salt).not.toBe(before?.salt);
    // Other sessions are kept: it is the same password.
    expect((await authorized(h, '/v1/sync/changes', tokenB, {}, keyB)).status).toBe(200);

    // Already at the floor: the next unlock changes nothing.
    await a2.lock();
    await a2.unlock(MASTER);
    await a2.syncNow();
    expect(await accountItem.getValue()).toEqual(after);
    // And a new device signs in with the upgraded parameters.
    fakeBrowser.reset();
    await h.worker().login(SERVER, EMAIL, MASTER);
    expect((await accountItem.getValue())?.kdf).toEqual(after?.kdf);
  });

  it('leaves the account as it is when the upgrade cannot reach the server; the vault opens anyway', async () => {
    const a = h.worker();
    await a.register(SERVER, EMAIL, MASTER);
    await a.lock();
    const before = await accountItem.getValue();
    h.intercept = (req) => {
      const path = new URL(req.url).pathname;
      if (path === '/v1/meta') return metaWithPolicy(h, RAISED);
      return path === '/v1/accounts/current/password' ? Promise.reject(new TypeError('fetch failed')) : null;
    };
    await a.unlock(MASTER);
    expect((await a.state()).status).toBe('unlocked');
    expect(await accountItem.getValue()).toEqual(before);
  });
});
