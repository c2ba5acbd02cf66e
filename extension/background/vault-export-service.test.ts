import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { startTestServer, type TestServer } from '../../server/test-support/in-process.ts';
import { loginFields } from '../messaging/item-schema.ts';
import { AccountActivity } from './account-activity.ts';
import { ApiClient } from './api-client.ts';
import { VaultExports } from './vault-export-service.ts';
import { VaultService } from './vault-service.ts';

/**
 * Exports through the worker (vault-export-service.ts), against the real server app in-process:
 * the master password again, the record in the account's activity, then the items — never the
 * items without the record.
 */

const SERVER = 'http://keyhold.test';
const MASTER = 'copper-lichen-window-58';
const EMAIL = 'ada@example.test';

let server: TestServer;
let online = true;
const api = (baseUrl: string) =>
  new ApiClient(baseUrl, async (input, init) => {
    if (!online) throw new TypeError('fetch failed');
    return server.fetch(new Request(input, init));
  });

const workers: VaultService[] = [];
async function device() {
  const vault = new VaultService({ makeApi: api, now: () => new Date(), newId: () => crypto.randomUUID() });
  workers.push(vault);
  await vault.register(SERVER, EMAIL, MASTER);
  await vault.items.saveItem(undefined, loginFields({ title: 'Bank', username: 'ada', password: 'pw-1' }));
  const trashed = await vault.items.saveItem(
    undefined,
    loginFields({ title: 'Old', username: 'ada', password: 'x' }),
  );
  await vault.items.deleteItem(trashed.id);
  return { vault, exports: new VaultExports(vault, api), activity: new AccountActivity(vault, api) };
}
const exported = async (activity: AccountActivity) =>
  (await activity.page()).events.filter((e) => e.type === 'vault.exported');

beforeAll(async () => {
  server = await startTestServer();
}, 60_000);
afterAll(async () => {
  await server?.close();
});
beforeEach(async () => {
  online = true;
  fakeBrowser.reset();
  await server.reset();
});
afterEach(async () => {
  for (const worker of workers.splice(0)) await worker.lock().catch(() => undefined);
});

describe('VaultExports', () => {
  it('hands out every item, the trash too, once the export is recorded with its format and count', async () => {
    const { exports, activity } = await device();
    const items = await exports.items(MASTER, 'keyhold');
    expect(items.map((i) => i.fields.title)).toEqual(['Bank', 'Old']);
    expect(items[1]?.fields.trashedAt).not.toBeNull();
    expect(await exported(activity)).toEqual([
      expect.objectContaining({
        details: { format: 'keyhold', items: 2 },
        device: expect.objectContaining({ current: true }),
      }),
    ]);
  });

  it('refuses a wrong master password: nothing recorded, nothing handed out', async () => {
    const { exports, activity } = await device();
    await expect(exports.items('not-the-password', 'csv')).rejects.toMatchObject({ code: 'WRONG_PASSWORD' });
    expect(await exported(activity)).toEqual([]);
  });

  it('hands out nothing when the server cannot record the export', async () => {
    const { exports, activity } = await device();
    online = false;
    await expect(exports.items(MASTER, 'json')).rejects.toMatchObject({
      name: 'VaultError',
      code: 'SERVER_UNREACHABLE',
    });
    online = true;
    expect(await exported(activity)).toEqual([]);
  });

  it('is refused while the vault is locked', async () => {
    const { vault, exports } = await device();
    await vault.lock();
    await expect(exports.items(MASTER, 'keyhold')).rejects.toMatchObject({ code: 'LOCKED' });
  });
});
