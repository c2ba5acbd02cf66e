import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { backupPglite, restorePglite } from '../../server/backup/backup.ts';
import { type Database, openPglite } from '../../server/db/client.ts';
import { testKeyring, testTokenHasher } from '../../server/test-support/app.ts';
import { startPushHub } from '../../server/test-support/push.ts';
import {
  DEFAULT_KDF,
  generateKeyBytes,
  importSymmetricKey,
  randomBytes,
  toBase64Url,
  wrapKey,
} from '../../shared-crypto/index.ts';
import { loginFields } from '../messaging/item-schema.ts';
import { ApiClient } from './api-client.ts';
import { memoryDpopKeys } from './dpop-key.ts';
import { vaultKeyAd } from './item-crypto.ts';
import { syncRound } from './restore-reconcile.ts';
import type { SyncContext } from './sync-engine.ts';
import { applyEdit, emptyVault, type VaultData } from './vault-data.ts';
import { VaultKeys } from './vault-keys.ts';

/**
 * Issue 15: a device that is ahead of the backup the server was restored from. The server runs on
 * an embedded database in a directory, backed up and restored with the scripts' own code.
 */

const SERVER = 'http://keyhold.test';

interface Running {
  database: Database;
  fetch: (request: Request) => Promise<Response>;
  stop(): Promise<void>;
}

async function serve(dataDir: string): Promise<Running> {
  const database = await openPglite(dataDir);
  const push = await startPushHub(database);
  const app = createApp({
    db: database.db,
    ping: database.ping,
    logger: pino({ level: 'silent' }),
    secret: 'in-process-test-secret-0123456789abcdef',
    keyring: testKeyring,
    tokenHasher: testTokenHasher,
    authRateLimit: { limit: 10_000, windowMs: 60_000 },
    push,
  });
  return {
    database,
    fetch: async (request) => app.fetch(request),
    async stop() {
      await push.close();
      await database.close();
    },
  };
}

let dir: string;
let server: Running | undefined;
const fetchVia = async (input: RequestInfo | URL, init?: RequestInit) => {
  if (!server) throw new TypeError('fetch failed: no server running');
  return server.fetch(new Request(input, init));
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyhold-restore-'));
});
afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

interface Device {
  data: VaultData;
  ctx: SyncContext;
}

async function signIn(email: string, authKey: string, accountId: string, keys: VaultKeys, name: string) {
  const dpop = memoryDpopKeys();
  const api = new ApiClient(SERVER, fetchVia, undefined, dpop);
  const { accessToken } = await api.login({ email, authKey, deviceName: name });
  const device: Device = {
    data: emptyVault(),
    ctx: {
      api,
      accessToken,
      accountId,
      keys,
      refreshKeys: async () => keys,
      now: () => new Date(),
      newId: () => crypto.randomUUID(),
    },
  };
  return device;
}

const login = (title: string, password: string) =>
  loginFields({ title, username: 'u', password, notes: '', uris: [], totp: '' });

const titles = (d: Device) =>
  Object.values(d.data.items)
    .map((i) => `${i.fields.title}:${(i.fields as { password?: string }).password}`)
    .sort();

describe('a device ahead of the backup the server was restored from', () => {
  it('keeps its writes after the backup, receives writes after the restore, and no revision is reused', async () => {
    const first = join(dir, 'first');
    const restored = join(dir, 'restored');
    const file = join(dir, 'backup.tar.gz');
    server = await serve(first);

    const accountId = crypto.randomUUID();
    const email = `${accountId}@example.test`;
    const authKey = toBase64Url(randomBytes(32));
    const vaultKeyRaw = generateKeyBytes();
    const keys = VaultKeys.only(await importSymmetricKey(vaultKeyRaw));
    const wrapping = await importSymmetricKey(generateKeyBytes());
    await new ApiClient(SERVER, fetchVia).register({
      accountId,
      email,
      kdf: DEFAULT_KDF,
      salt: toBase64Url(randomBytes(16)),
      authKey,
      wrappedVaultKey: await wrapKey(wrapping, vaultKeyRaw, vaultKeyAd(accountId)),
    });

    // Device A syncs X and Y; the backup is taken with the server stopped.
    const a = await signIn(email, authKey, accountId, keys, 'A');
    const now = () => new Date().toISOString();
    const x = applyEdit(a.data, undefined, login('X', 'x1'), now(), a.ctx.newId);
    applyEdit(a.data, undefined, login('Y', 'y1'), now(), a.ctx.newId);
    await syncRound(a.ctx, a.data);
    await server.stop();
    await backupPglite(first, file);

    // After the backup: A adds C and edits X (revisions the backup lacks).
    server = await serve(first);
    applyEdit(a.data, undefined, login('C', 'c1'), now(), a.ctx.newId);
    applyEdit(a.data, x, login('X', 'x2'), now(), a.ctx.newId);
    await syncRound(a.ctx, a.data);
    const seen = a.data.revision;
    const seenItems = await a.ctx.api.pull(a.ctx.accessToken, 0);
    await server.stop();

    // Restored into a fresh directory; B signs in afresh and adds D.
    const lineage = await restorePglite(restored, file, false);
    expect(lineage.floor).toBeGreaterThan(seen);
    server = await serve(restored);
    const b = await signIn(email, authKey, accountId, keys, 'B');
    await syncRound(b.ctx, b.data);
    expect(titles(b)).toEqual(['X:x1', 'Y:y1']);
    applyEdit(b.data, undefined, login('D', 'd1'), now(), b.ctx.newId);
    await syncRound(b.ctx, b.data);

    // A syncs: it receives D and gives the server back C and its edit of X; nothing else changes.
    await syncRound(a.ctx, a.data);
    expect(titles(a)).toEqual(['C:c1', 'D:d1', 'X:x2', 'Y:y1']);
    expect(Object.values(a.data.items).every((i) => !i.dirty && i.conflictOf === null)).toBe(true);

    // No revision A saw before the restore names other content now.
    const after = await a.ctx.api.pull(a.ctx.accessToken, 0);
    const before = new Map(seenItems.items.map((i) => [i.revision, i.ciphertext]));
    for (const item of after.items) {
      const earlier = before.get(item.revision);
      if (earlier !== undefined) expect(item.ciphertext).toBe(earlier);
    }
    expect(after.items.length).toBe(4);

    // B sees everything.
    await syncRound(b.ctx, b.data);
    expect(titles(b)).toEqual(['C:c1', 'D:d1', 'X:x2', 'Y:y1']);
    expect(a.data.lineage).toBe(lineage.id);
    // Three embedded databases opened from disk, a dump and a load: slow on a shared machine.
  }, 240_000);
});
