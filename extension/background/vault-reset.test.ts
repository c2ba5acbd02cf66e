import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { accountItem, deviceSessionItem } from '../storage/items.ts';
import { authorized, type Harness, loginFields, SERVER, startHarness } from '../test-support/devices.ts';
import { resetVault, vaultResetAvailable } from './vault-reset.ts';

/**
 * Vault reset against the real server in-process: only with a live device session, then every item
 * gone, a fresh vault one key version up, and other devices back in only with the new password.
 */

const EMAIL = 'ines@example.test';
const FORGOTTEN = 'copper-lichen-window-58';
const FRESH = 'saffron-glacier-minnow-29';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.server.close();
});
afterEach(() => h.settle());
beforeEach(async () => {
  fakeBrowser.reset();
  await h.server.reset();
});

describe('vault reset', () => {
  it('is offered only while the device session is alive (refreshed to find out)', async () => {
    const a = h.worker();
    await a.register(SERVER, EMAIL, FORGOTTEN);
    await a.lock();
    const before = await deviceSessionItem.getValue();
    expect(await a.withLockedAccount(vaultResetAvailable)).toBe(true);
    expect((await deviceSessionItem.getValue())?.refreshToken).not.toBe(before?.refreshToken);

    h.online = false;
    expect(await a.withLockedAccount(vaultResetAvailable)).toBe(false);
    h.online = true;

    // The session ended on the server (another device logged it out): nothing to prove it with.
    await authorized(h, '/v1/sessions/current', (await deviceSessionItem.getValue())?.accessToken ?? '', {
      method: 'DELETE',
    });
    expect(await a.withLockedAccount(vaultResetAvailable)).toBe(false);
    expect(await deviceSessionItem.getValue()).toBeNull();
    await expect(a.resetVault(EMAIL, FRESH)).rejects.toMatchObject({ code: 'SESSION_EXPIRED' });
  });

  it('deletes every item and opens a fresh vault under the new password, one key version up', async () => {
    const a = h.worker();
    await a.register(SERVER, EMAIL, FORGOTTEN);
    await a.items.saveItem(undefined, loginFields('Gone'));
    await a.syncNow();
    const deviceA = await h.snapshot();
    // Device B is signed in and holds an unsynced edit.
    fakeBrowser.reset();
    const b = h.worker();
    await b.login(SERVER, EMAIL, FORGOTTEN);
    h.online = false;
    const mine = await b.items.saveItem(undefined, loginFields('Only on B'));
    // Still offline while the snapshot waits for B's queue: the sync the save started fails.
    const deviceB = await h.snapshot();
    h.online = true;

    await h.restore(deviceA);
    const a2 = h.worker();
    await a2.lock();
    const state = await a2.resetVault(` ${EMAIL.toUpperCase()} `, FRESH);
    expect(state).toMatchObject({ status: 'unlocked', sync: { error: null } });
    expect(await a2.listItems()).toEqual([]);
    expect((await accountItem.getValue())?.keyVersion).toBe(2);
    const pull = await authorized(
      h,
      '/v1/sync/changes?since=0',
      (await deviceSessionItem.getValue())?.accessToken ?? '',
    );
    expect((await pull.json()).items).toEqual([]);
    await a2.lock();
    await expect(a2.unlock(FORGOTTEN)).rejects.toMatchObject({ code: 'WRONG_PASSWORD' });
    await a2.unlock(FRESH);
    // The unlock answers once the vault is open; its server part (the device session's refresh)
    // follows in the worker's queue, and a sync waits for it.
    await a2.syncNow();

    // B is signed out; with the new password it gets the new vault key and keeps only its own
    // unsynced edit (the reset deleted everything else), which it pushes into the fresh vault.
    await h.restore(deviceB);
    const b2 = h.worker();
    await b2.syncNow();
    expect((await b2.state()).sync.error).toBe('PASSWORD_CHANGED_ELSEWHERE');
    await b2.signInAgain(FRESH);
    expect((await b2.listItems()).map((i) => i.title)).toEqual(['Only on B']);
    expect((await b2.state()).sync).toMatchObject({ error: null, pending: 0 });
    expect((await b2.items.getItem(mine.id)).title).toBe('Only on B');
  });

  it('refuses another email and a weak new password, before any request', async () => {
    const a = h.worker();
    await a.register(SERVER, EMAIL, FORGOTTEN);
    await a.lock();
    const before = await accountItem.getValue();
    await expect(
      a.withLockedAccount(async (l) =>
        resetVault(l, 'ines@other.test', FRESH, (await l.api.checkServer()).policy),
      ),
    ).rejects.toMatchObject({ code: 'EMAIL_MISMATCH', detail: { field: 'email' } });
    await expect(a.resetVault(EMAIL, 'too short')).rejects.toMatchObject({
      code: 'WEAK_PASSWORD',
      detail: { field: 'newPassword' },
    });
    expect(await accountItem.getValue()).toEqual(before);
    await a.unlock(FORGOTTEN);
  });
});
