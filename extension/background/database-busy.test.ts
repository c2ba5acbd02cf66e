import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { startTestServer, type TestServer } from '../../server/test-support/in-process.ts';
import { loginFields } from '../messaging/item-schema.ts';
import { ApiClient } from './api-client.ts';
import { VaultService } from './vault-service.ts';

/**
 * The server answers a push 503 DATABASE_BUSY (its account row stayed locked past DB_LOCK_TIMEOUT_MS
 * and nothing was applied, docs/sync.md "Busy account"): the edit stays pending, the sync line shows
 * a server error, and the next sync pushes it. Against the real server in-process; the busy answer
 * is played by `busy`, in the server's exact shape (server/routes/sync-busy.test.ts produces it).
 */

const SERVER = 'http://keyhold.test';
const MASTER = 'amber-quarry-lantern-37';
const EMAIL = 'lin@example.test';

let server: TestServer;
let busy = false;
let pushes = 0;

const api = (baseUrl: string) =>
  new ApiClient(baseUrl, async (input, init) => {
    const request = new Request(input, init);
    if (new URL(request.url).pathname === '/v1/sync/push') {
      pushes += 1;
      if (busy) {
        return new Response(
          JSON.stringify({
            error: { code: 'DATABASE_BUSY', message: 'The account is busy; retry shortly.' },
          }),
          { status: 503, headers: { 'content-type': 'application/json', 'retry-after': '2' } },
        );
      }
    }
    return server.fetch(request);
  });

const workers: VaultService[] = [];
function device() {
  const vault = new VaultService({ makeApi: api, now: () => new Date(), newId: () => crypto.randomUUID() });
  workers.push(vault);
  return vault;
}
const fields = (title: string) =>
  loginFields({ title, username: 'lin', password: 'pw', uris: [], notes: '', totp: '' });

beforeAll(async () => {
  server = await startTestServer();
}, 60_000);
afterAll(async () => {
  await server?.close();
});
beforeEach(async () => {
  busy = false;
  pushes = 0;
  fakeBrowser.reset();
  await server.reset();
});
afterEach(async () => {
  for (const worker of workers.splice(0)) await worker.lock().catch(() => undefined);
});

describe('a push answered 503 DATABASE_BUSY', () => {
  it('keeps the edit pending and pushes it on the next sync', async () => {
    const vault = device();
    await vault.register(SERVER, EMAIL, MASTER);
    busy = true;
    await vault.items.saveItem(undefined, fields('Saved while busy'));
    await vault.syncNow();
    expect(pushes).toBeGreaterThan(0);
    expect((await vault.state()).sync).toMatchObject({ pending: 1, error: 'SERVER_ERROR' });
    expect((await vault.listItems())[0]).toMatchObject({ title: 'Saved while busy', pending: true });

    busy = false;
    await vault.syncNow();
    expect((await vault.state()).sync).toMatchObject({ pending: 0, error: null });

    // Pending 0 means the server answered this push `applied` (a conflict would keep a copy pending).
    expect((await vault.listItems())[0]).toMatchObject({ title: 'Saved while busy', pending: false });
  });
});
