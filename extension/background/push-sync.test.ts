import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { startTestServer, type TestServer } from '../../server/test-support/in-process.ts';
import { fromBase64Url, importSymmetricKey } from '../../shared-crypto/index.ts';
import { loginFields } from '../messaging/item-schema.ts';
import { accountItem, unlockSessionItem } from '../storage/items.ts';
import { ApiClient } from './api-client.ts';
import { dpopAuthHeaders } from './dpop-key.ts';
import { PushChannel } from './push-channel.ts';
import { pushDirty } from './sync-engine.ts';
import { applyEdit, emptyVault } from './vault-data.ts';
import { VaultKeys } from './vault-keys.ts';
import { VaultService } from './vault-service.ts';

/**
 * Device B runs the real worker vault with the push channel against the real server in-process;
 * device A writes through the same sync engine with its own session. B must see A's change by
 * itself — no "Sync now", no alarm — within the two seconds.
 */

const SERVER = 'http://keyhold.test';
let server: TestServer;

const serverFetch: typeof fetch = async (input, init) => server.fetch(new Request(input, init));

beforeAll(async () => {
  server = await startTestServer();
}, 120_000);
afterAll(async () => {
  await server?.close();
});
beforeEach(async () => {
  fakeBrowser.reset();
  await server.reset();
});

async function deviceA() {
  const account = await accountItem.getValue();
  const session = await unlockSessionItem.getValue();
  if (!account || !session) throw new Error('device B is not set up');
  const api = new ApiClient(SERVER, serverFetch);
  const { accessToken } = await api.login({
    email: account.email,
    authKey: session.authKey,
    deviceName: 'A',
  });
  const vaultKey = await importSymmetricKey(fromBase64Url(session.vaultKeys['1'] as string));
  const data = emptyVault();
  const ctx = {
    api,
    accessToken,
    accountId: account.accountId,
    keys: VaultKeys.only(vaultKey),
    refreshKeys: async () => VaultKeys.only(vaultKey),
    now: () => new Date(),
    newId: () => crypto.randomUUID(),
  };
  return {
    async addLogin(title: string) {
      applyEdit(
        data,
        undefined,
        loginFields({ title, username: 'ada', password: 'pw', uris: [], notes: '', totp: '' }),
        new Date().toISOString(),
        ctx.newId,
      );
      await pushDirty(ctx, data);
    },
  };
}

describe('push channel → sync (in-process server)', () => {
  it('shows a change from another device within two seconds, without a poll', async () => {
    const b = new VaultService({
      makeApi: (url) => new ApiClient(url, serverFetch),
      now: () => new Date(),
      newId: () => crypto.randomUUID(),
    });
    await b.register(SERVER, 'ada@example.test', 'orange-kettle-harbour-91');
    const channel = new PushChannel({
      auth: (renew) => b.channelAuth(renew),
      onRevision: (revision) => void b.remoteRevision(revision),
      fetch: serverFetch,
      authHeaders: (url, token) => dpopAuthHeaders('GET', url, token),
      keepAlive: () => undefined,
    });
    channel.ensureRunning();
    try {
      const a = await deviceA();
      for (let i = 0; i < 40 && channel.state !== 'open'; i++) await new Promise((r) => setTimeout(r, 25));
      expect(channel.state).toBe('open');

      const started = Date.now();
      await a.addLogin('From A');
      let titles: string[] = [];
      while (Date.now() - started < 2_000) {
        titles = (await b.listItems()).map((i) => i.title);
        if (titles.includes('From A')) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(titles).toContain('From A');
      expect(Date.now() - started).toBeLessThan(2_000);

      // Locking stops the channel: the worker holds no stream for a locked vault.
      await b.lock();
      channel.stop();
      expect(channel.state).toBe('stopped');
    } finally {
      channel.stop();
    }
  });
});
