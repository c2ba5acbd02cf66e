import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { deviceSessionItem } from '../storage/items.ts';
import { authorized, type Harness, loginFields, SERVER, startHarness } from '../test-support/devices.ts';
import { vaultRecords } from '../test-support/vault-store.ts';
import { deleteAccount } from './account-deletion.ts';

const MASTER = 'orange-kettle-harbour-91';
const EMAIL = 'grace@example.test';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.server.close();
});
afterEach(() => h.settle());
beforeEach(async () => {
  h.online = true;
  fakeBrowser.reset();
  await h.server.reset();
});

const token = async () => {
  const s = await deviceSessionItem.getValue();
  if (!s) throw new Error('no device session');
  return s.accessToken;
};

describe('deleteAccount', () => {
  it('deletes the account on the server, ends every device session and forgets everything here', async () => {
    // Device B signs in first and keeps its session.
    const a = h.worker();
    await a.register(SERVER, EMAIL, MASTER);
    await a.items.saveItem(undefined, loginFields('Bank'));
    await a.syncNow();
    const deviceA = await h.snapshot();
    fakeBrowser.reset();
    const b = h.worker();
    await b.login(SERVER, EMAIL, MASTER);
    const tokenB = await token();
    const deviceB = await h.snapshot();

    await h.restore(deviceA);
    const a2 = h.worker();
    const tokenA = await token();
    await a2.withOpenVault((v) => deleteAccount(v, MASTER, ' Grace@Example.test '));

    expect((await a2.state()).status).toBe('no-account');
    expect(await fakeBrowser.storage.local.get(null)).not.toHaveProperty('account');
    expect(await fakeBrowser.storage.local.get(null)).not.toHaveProperty('vault-cache');
    expect(await vaultRecords()).toEqual([]);
    expect(await fakeBrowser.storage.local.get(null)).not.toHaveProperty('device-session');
    expect(await fakeBrowser.storage.session.get(null)).toEqual({});
    for (const t of [tokenA, tokenB]) expect((await authorized(h, '/v1/sync/changes', t)).status).toBe(401);
    // Nobody can sign in to it any more.
    await expect(h.worker().login(SERVER, EMAIL, MASTER)).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
    });

    // Device B learns at its next request: its session is gone and its key no longer signs in.
    await h.restore(deviceB);
    const b2 = h.worker();
    await b2.syncNow();
    expect((await b2.state()).sync.error).toBe('PASSWORD_CHANGED_ELSEWHERE');
  });

  it('refuses a wrong master password on this device, before any request, and keeps everything', async () => {
    const a = h.worker();
    await a.register(SERVER, EMAIL, MASTER);
    await a.items.saveItem(undefined, loginFields('Kept'));
    h.online = false;
    await expect(a.withOpenVault((v) => deleteAccount(v, 'not the password', EMAIL))).rejects.toMatchObject({
      code: 'WRONG_PASSWORD',
      detail: { field: 'password' },
    });
    h.online = true;
    expect((await a.listItems()).map((i) => i.title)).toEqual(['Kept']);
    expect((await authorized(h, '/v1/sync/changes', await token())).status).toBe(200);
  });

  it('refuses an email that is not the account’s, naming the field', async () => {
    const a = h.worker();
    await a.register(SERVER, EMAIL, MASTER);
    await expect(
      a.withOpenVault((v) => deleteAccount(v, MASTER, 'someone@example.test')),
    ).rejects.toMatchObject({
      code: 'EMAIL_MISMATCH',
      detail: { field: 'email' },
    });
    expect((await a.state()).status).toBe('unlocked');
  });

  it('says so and keeps everything when the server cannot be reached', async () => {
    const a = h.worker();
    await a.register(SERVER, EMAIL, MASTER);
    await a.items.saveItem(undefined, loginFields('Kept'));
    h.online = false;
    await expect(a.withOpenVault((v) => deleteAccount(v, MASTER, EMAIL))).rejects.toMatchObject({
      code: 'SERVER_UNREACHABLE',
    });
    h.online = true;
    expect((await a.state()).status).toBe('unlocked');
    expect((await a.listItems()).map((i) => i.title)).toEqual(['Kept']);
    await a.syncNow();
    expect((await authorized(h, '/v1/sync/changes', await token())).status).toBe(200);
  });
});
