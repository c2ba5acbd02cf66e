import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { accountItem, deviceSessionItem } from '../storage/items.ts';
import { authorized, type Harness, loginFields, SERVER, startHarness } from '../test-support/devices.ts';
import { changeMasterPassword, type PasswordChange } from './password-change.ts';
import type { VaultService } from './vault-service.ts';

/**
 * Changing the master password against the real server in-process, with two devices: the change
 * itself, each refusal (nothing changes), a change racing another device's, the server unreachable,
 * and the other device's way back (log in again, or the new password typed at unlock) with its
 * unsynced edits.
 */

const EMAIL = 'grace@example.test';
const FIRST = 'orange-kettle-harbour-91';
const SECOND = 'violet-harbour-spindle-17';
const THIRD = 'copper-lantern-thistle-85';

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

const change = (w: VaultService, c: Partial<PasswordChange> & Pick<PasswordChange, 'newPassword'>) =>
  w.withOpenVault((v) => changeMasterPassword(v, { currentPassword: FIRST, kdf: 'keep', ...c }));

const token = async () => (await deviceSessionItem.getValue())?.accessToken ?? '';

/** Device A registered with one synced login; device B signed in. Storage is left on A. */
async function twoDevices() {
  const a = h.worker();
  await a.register(SERVER, EMAIL, FIRST);
  await a.items.saveItem(undefined, loginFields('Bank'));
  await a.syncNow();
  const deviceA = await h.snapshot();
  fakeBrowser.reset();
  await h.worker().login(SERVER, EMAIL, FIRST);
  const deviceB = await h.snapshot();
  await h.restore(deviceA);
  return { deviceA, deviceB };
}

describe('changeMasterPassword', () => {
  it('re-wraps the vault key under a new salt, keeps this session, ends the others', async () => {
    const { deviceB } = await twoDevices();
    const a = h.worker();
    const before = await accountItem.getValue();
    const tokenA = await token();
    await change(a, { newPassword: SECOND, kdf: 'stronger' });

    const after = await accountItem.getValue();
    expect(after?.salt).not.toBe(before?.salt);
    expect(after?.wrappedVaultKey).not.toBe(before?.wrappedVaultKey);
    expect(after?.kdf).toEqual({ alg: 'argon2id', memoryKiB: 131_072, iterations: 3, parallelism: 4 });
    expect((await authorized(h, '/v1/sync/changes', tokenA)).status).toBe(200);
    expect((await a.listItems()).map((i) => i.title)).toEqual(['Bank']);

    // The new password unlocks here; the old one no longer does.
    await a.lock();
    await expect(a.unlock(FIRST)).rejects.toMatchObject({ code: 'WRONG_PASSWORD' });
    await a.unlock(SECOND);
    // The unlock answers once the vault is open; its server part (the device session's refresh)
    // follows in the worker's queue, and a sync waits for it.
    await a.syncNow();
    expect((await a.state()).sync.error).toBeNull();

    // B's session is over: its next request says so.
    await h.restore(deviceB);
    const b = h.worker();
    expect((await authorized(h, '/v1/sync/changes', await token())).status).toBe(401);
    await b.syncNow();
    expect((await b.state()).sync.error).toBe('PASSWORD_CHANGED_ELSEWHERE');
  });

  it('lets the other device log in again with the new password and push the edits it made meanwhile', async () => {
    const { deviceB } = await twoDevices();
    await change(h.worker(), { newPassword: SECOND });
    const deviceA = await h.snapshot();

    await h.restore(deviceB);
    const b = h.worker();
    // Edited after the change: the push fails, the edit stays.
    const made = await b.items.saveItem(undefined, loginFields('Made on B'));
    await b.syncNow();
    expect((await b.state()).sync).toMatchObject({ error: 'PASSWORD_CHANGED_ELSEWHERE', pending: 1 });
    await expect(b.signInAgain(FIRST)).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    expect((await b.state()).sync.pending).toBe(1);
    await b.signInAgain(SECOND);
    expect((await b.state()).sync).toMatchObject({ error: null, pending: 0 });

    await h.restore(deviceA);
    const a = h.worker();
    await a.syncNow();
    expect((await a.items.getItem(made.id)).title).toBe('Made on B');
  });

  it('opens a locked device with the new password typed at unlock, keeping its unsynced edits', async () => {
    const { deviceB } = await twoDevices();
    const deviceA = await h.snapshot();
    // B edits offline and locks: the edit is only in its sealed cache.
    await h.restore(deviceB);
    const b = h.worker();
    h.online = false;
    const made = await b.items.saveItem(undefined, loginFields('Offline on B'));
    await b.lock();
    const lockedB = await h.snapshot();
    h.online = true;

    await h.restore(deviceA);
    await change(h.worker(), { newPassword: SECOND });
    const changedA = await h.snapshot();

    await h.restore(lockedB);
    const b2 = h.worker();
    await b2.unlock(SECOND);
    await b2.syncNow();
    expect((await b2.state()).sync).toMatchObject({ error: null, pending: 0 });
    // B took the server's new salt: the new password is now this device's too.
    expect((await accountItem.getValue())?.salt).toBe((changedA.local.account as { salt: string }).salt);

    await h.restore(changedA);
    const a = h.worker();
    await a.syncNow();
    expect((await a.items.getItem(made.id)).title).toBe('Offline on B');
  });

  it("never sends a wrong unlock password to the server while its salt and KDF are this device's", async () => {
    const a = h.worker();
    await a.register(SERVER, EMAIL, FIRST);
    await a.lock();
    const asked: string[] = [];
    h.intercept = (req) => {
      asked.push(`${req.method} ${new URL(req.url).pathname}`);
      return null;
    };
    await expect(a.unlock('not the password')).rejects.toMatchObject({ code: 'WRONG_PASSWORD' });
    expect(asked).toEqual(['POST /v1/accounts/prelogin']);
  });

  it('refuses a wrong current password on this device, before any request', async () => {
    await twoDevices();
    const a = h.worker();
    const before = await accountItem.getValue();
    h.online = false;
    await expect(change(a, { currentPassword: 'not it', newPassword: SECOND })).rejects.toMatchObject({
      code: 'WRONG_PASSWORD',
      detail: { field: 'currentPassword' },
    });
    expect(await accountItem.getValue()).toEqual(before);
  });

  it('refuses a new password below the policy, naming why', async () => {
    await twoDevices();
    const a = h.worker();
    await expect(change(a, { newPassword: 'short-7' })).rejects.toMatchObject({
      code: 'WEAK_PASSWORD',
      detail: { field: 'newPassword', passwordProblem: { problem: 'too-short', minLength: 12 } },
    });
    await expect(change(a, { newPassword: 'grace-uncommon-lichen-58' })).rejects.toMatchObject({
      code: 'WEAK_PASSWORD',
      detail: { passwordProblem: { problem: 'contains-email' } },
    });
  });

  it('refuses the current password and any of the last five, from the sealed history', async () => {
    await twoDevices();
    const a = h.worker();
    await expect(change(a, { newPassword: FIRST })).rejects.toMatchObject({
      code: 'PASSWORD_REUSED',
      detail: { field: 'newPassword' },
    });
    await change(a, { newPassword: SECOND });
    await change(a, { currentPassword: SECOND, newPassword: THIRD });
    // Back to the first: it is in the history the server keeps sealed (it cannot read it).
    await expect(change(a, { currentPassword: THIRD, newPassword: FIRST })).rejects.toMatchObject({
      code: 'PASSWORD_REUSED',
    });
    await expect(change(a, { currentPassword: THIRD, newPassword: SECOND })).rejects.toMatchObject({
      code: 'PASSWORD_REUSED',
    });
  });

  it('of two changes racing on two devices, the second is told and changes nothing', async () => {
    const { deviceB } = await twoDevices();
    await change(h.worker(), { newPassword: SECOND });
    await h.restore(deviceB);
    const b = h.worker();
    const before = await accountItem.getValue();
    await expect(change(b, { newPassword: THIRD })).rejects.toMatchObject({
      code: 'PASSWORD_CHANGED_ELSEWHERE',
    });
    expect(await accountItem.getValue()).toEqual(before);
  });

  it('says the server cannot be reached and changes nothing', async () => {
    await twoDevices();
    const a = h.worker();
    const before = await accountItem.getValue();
    h.intercept = (req) =>
      new URL(req.url).pathname === '/v1/accounts/current/password'
        ? Promise.reject(new TypeError('fetch failed'))
        : null;
    await expect(change(a, { newPassword: SECOND })).rejects.toMatchObject({ code: 'SERVER_UNREACHABLE' });
    h.intercept = null;
    expect(await accountItem.getValue()).toEqual(before);
    await a.lock();
    await a.unlock(FIRST);
    await a.syncNow();
    expect((await a.state()).sync.error).toBeNull();
  });
});
