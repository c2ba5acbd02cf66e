import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { startTestServer, type TestServer } from '../../server/test-support/in-process.ts';
import { generatorHistoryItem } from '../generator/history.ts';
import { ApiClient } from './api-client.ts';
import { GeneratorService } from './generator-service.ts';
import { VaultService } from './vault-service.ts';

/**
 * The generator history across the vault's key changes, against the real server app in-process
 * (as key-rotation.test.ts): it survives a rotation (re-sealed under the new version while the old
 * key is still held), survives lock and unlock, and goes with logout.
 */

const SERVER = 'http://keyhold.test';
const MASTER = 'orange-kettle-harbour-91';
const EMAIL = 'ada@example.test';

let server: TestServer;
const api = () => new ApiClient(SERVER, (input, init) => server.fetch(new Request(input, init)));
const newWorker = () =>
  new VaultService({ makeApi: api, now: () => new Date(), newId: () => crypto.randomUUID() });

beforeAll(async () => {
  server = await startTestServer();
}, 60_000);
afterAll(async () => {
  await server?.close();
});
beforeEach(async () => {
  fakeBrowser.reset();
  await server.reset();
});

describe('generator history and the vault keys', () => {
  it('survives key rotations, lock and unlock; logout removes it', async () => {
    const vault = newWorker();
    await vault.register(SERVER, EMAIL, MASTER);
    const generator = new GeneratorService(vault);
    await generator.record('Before-Rotation-1!', 'password');
    expect((await generatorHistoryItem.getValue())?.keyVersion).toBe(1);

    expect((await vault.rotateVaultKey(MASTER)).keyVersion).toBe(2);
    expect((await generatorHistoryItem.getValue())?.keyVersion).toBe(2);
    await generator.record('After-Rotation-2!', 'password');
    expect((await generator.history()).map((e) => e.value)).toEqual([
      'After-Rotation-2!',
      'Before-Rotation-1!',
    ]);

    expect((await vault.rotateVaultKey(MASTER)).keyVersion).toBe(3);
    await vault.lock();
    await expect(generator.history()).rejects.toMatchObject({ code: 'LOCKED' });
    await vault.unlock(MASTER);
    // A worker restarted meanwhile reads it too.
    const restarted = new GeneratorService(newWorker());
    expect((await restarted.history()).map((e) => e.value)).toEqual([
      'After-Rotation-2!',
      'Before-Rotation-1!',
    ]);
    expect((await generatorHistoryItem.getValue())?.keyVersion).toBe(3);

    await vault.logout();
    expect(await generatorHistoryItem.getValue()).toBeNull();
  });
});
