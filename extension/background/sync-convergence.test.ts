import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../server/test-support/in-process.ts';
import {
  DEFAULT_KDF,
  generateKeyBytes,
  importSymmetricKey,
  randomBytes,
  type SymmetricKey,
  toBase64Url,
  wrapKey,
} from '../../shared-crypto/index.ts';
import { type LoginFields, loginFields } from '../messaging/item-schema.ts';
import { ApiClient, ApiError } from './api-client.ts';
import { type DpopKeys, memoryDpopKeys } from './dpop-key.ts';
import { vaultKeyAd } from './item-crypto.ts';
import { pullChanges, pushDirty, type SyncContext } from './sync-engine.ts';
import { applyDelete, applyEdit, emptyVault, type VaultData } from './vault-data.ts';
import { VaultKeys } from './vault-keys.ts';

/**
 * Property (issue 4): 2–4 devices create, edit (different and the same fields), delete, go offline
 * and come back, lose acknowledgements and deliver pushes twice, in any interleaving, against the
 * real server app in-process. After everyone syncs: every device holds the same vault, and every
 * value ever written is still there — in its item or in a conflict copy — unless the device that
 * replaced or deleted it had seen it (a user changing their own mind is not a loss).
 */

const SERVER = 'http://keyhold.test';
const FIELDS = ['title', 'username', 'password', 'notes'] as const;
type Field = (typeof FIELDS)[number];

type Op =
  | { kind: 'create'; device: number }
  | { kind: 'edit'; device: number; pick: number; field: Field }
  | { kind: 'delete'; device: number; pick: number }
  | { kind: 'sync'; device: number }
  | { kind: 'online'; device: number; online: boolean }
  | { kind: 'loseAck'; device: number }
  | { kind: 'duplicatePush'; device: number };

const opArb = (devices: number): fc.Arbitrary<Op> => {
  const device = fc.integer({ min: 0, max: devices - 1 });
  return fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('create' as const), device }) },
    {
      weight: 5,
      arbitrary: fc.record({
        kind: fc.constant('edit' as const),
        device,
        pick: fc.nat(),
        field: fc.constantFrom(...FIELDS),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), device, pick: fc.nat() }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('sync' as const), device }) },
    {
      weight: 2,
      arbitrary: fc.record({ kind: fc.constant('online' as const), device, online: fc.boolean() }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('loseAck' as const), device }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('duplicatePush' as const), device }) },
  );
};

interface Device {
  data: VaultData;
  online: boolean;
  loseAck: boolean;
  duplicatePush: boolean;
  ctx: SyncContext;
}

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

/** A device's view of the network: offline, a lost acknowledgement, a push delivered twice. */
function deviceApi(device: () => Device, keys: DpopKeys): ApiClient {
  return new ApiClient(
    SERVER,
    async (input, init) => {
      const d = device();
      if (!d.online) throw new TypeError('fetch failed');
      const request = new Request(input, init);
      const isPush = request.method === 'POST' && request.url.endsWith('/v1/sync/push');
      if (isPush && d.duplicatePush) {
        d.duplicatePush = false;
        await server.fetch(request.clone());
      }
      const response = await server.fetch(request);
      if (isPush && d.loseAck) {
        d.loseAck = false;
        await response.arrayBuffer();
        throw new TypeError('connection reset after the server committed');
      }
      return response;
    },
    undefined,
    keys,
  );
}

async function setUpAccount(count: number): Promise<Device[]> {
  await server.reset();
  const accountId = crypto.randomUUID();
  const email = `${accountId}@example.test`;
  const authKey = toBase64Url(randomBytes(32));
  const vaultKeyRaw = generateKeyBytes();
  const vaultKey: SymmetricKey = await importSymmetricKey(vaultKeyRaw);
  const wrapping = await importSymmetricKey(generateKeyBytes());
  const wrappedVaultKey = await wrapKey(wrapping, vaultKeyRaw, vaultKeyAd(accountId));
  const registrar = new ApiClient(SERVER, async (i, init) => server.fetch(new Request(i, init)));
  await registrar.register({
    accountId,
    email,
    kdf: DEFAULT_KDF,
    salt: toBase64Url(randomBytes(16)),
    authKey,
    wrappedVaultKey,
  });
  const devices: Device[] = [];
  for (let n = 0; n < count; n++) {
    // Each device signs in with (and keeps) its own DPoP key.
    const keys = memoryDpopKeys();
    const signIn = new ApiClient(
      SERVER,
      async (i, init) => server.fetch(new Request(i, init)),
      undefined,
      keys,
    );
    const { accessToken } = await signIn.login({ email, authKey, deviceName: `device ${n}` });
    const index = n;
    const device: Device = {
      data: emptyVault(),
      online: true,
      loseAck: false,
      duplicatePush: false,
      ctx: {
        api: deviceApi(() => devices[index] as Device, keys),
        accessToken,
        accountId,
        keys: VaultKeys.only(vaultKey),
        refreshKeys: async () => VaultKeys.only(vaultKey),
        now: () => new Date(),
        newId: () => crypto.randomUUID(),
      },
    };
    devices.push(device);
  }
  return devices;
}

async function sync(d: Device): Promise<void> {
  try {
    await pushDirty(d.ctx, d.data);
    await pullChanges(d.ctx, d.data);
  } catch (e) {
    // Offline or a lost acknowledgement: what was acknowledged stays, the rest stays pending.
    if (!(e instanceof TypeError || e instanceof ApiError)) throw e;
  }
}

const live = (d: Device) =>
  Object.values(d.data.items)
    .filter((i) => !i.deleted)
    .sort((a, b) => (a.id < b.id ? -1 : 1));

/** What a user sees: every live item's fields and conflict mark, by id. */
const view = (d: Device) =>
  Object.fromEntries(live(d).map((i) => [i.id, { fields: i.fields, conflictOf: i.conflictOf }]));

async function run(count: number, ops: Op[]): Promise<Device[]> {
  const devices = await setUpAccount(count);
  const written = new Map<string, Field>();
  const replacedKnowingly = new Set<string>();
  let counter = 0;
  const fresh = (d: number) => `d${d}-v${++counter}`;

  for (const op of ops) {
    const d = devices[op.device] as Device;
    const now = new Date().toISOString();
    switch (op.kind) {
      case 'create': {
        const fields = loginFields({
          title: fresh(op.device),
          username: fresh(op.device),
          password: fresh(op.device),
          notes: fresh(op.device),
          uris: [],
          totp: '',
        });
        for (const f of FIELDS) written.set(fields[f], f);
        applyEdit(d.data, undefined, fields, now, d.ctx.newId);
        break;
      }
      case 'edit': {
        const items = live(d);
        const item = items[op.pick % Math.max(items.length, 1)];
        if (!item) break;
        const value = fresh(op.device);
        replacedKnowingly.add((item.fields as LoginFields)[op.field]);
        written.set(value, op.field);
        applyEdit(d.data, item.id, { ...item.fields, [op.field]: value }, now, d.ctx.newId);
        break;
      }
      case 'delete': {
        const items = live(d);
        const item = items[op.pick % Math.max(items.length, 1)];
        if (!item) break;
        for (const f of FIELDS) replacedKnowingly.add((item.fields as LoginFields)[f]);
        applyDelete(d.data, item.id, now);
        break;
      }
      case 'sync':
        await sync(d);
        break;
      case 'online':
        d.online = op.online;
        break;
      case 'loseAck':
        d.loseAck = true;
        break;
      case 'duplicatePush':
        d.duplicatePush = true;
        break;
    }
  }

  // Everyone comes back and syncs until quiet.
  for (const d of devices) Object.assign(d, { online: true, loseAck: false, duplicatePush: false });
  for (let round = 0; round < 3; round++) for (const d of devices) await sync(d);

  const first = devices[0] as Device;
  for (const d of devices) {
    expect(Object.values(d.data.items).filter((i) => i.dirty)).toEqual([]);
    expect(view(d)).toEqual(view(first));
  }
  const present = new Set<string>();
  for (const item of live(first))
    for (const f of FIELDS) present.add(`${f}:${(item.fields as LoginFields)[f]}`);
  for (const [value, field] of written) {
    if (replacedKnowingly.has(value)) continue;
    expect(present.has(`${field}:${value}`), `${field} "${value}" was lost`).toBe(true);
  }
  return devices;
}

describe('sync convergence (property, real server in-process)', () => {
  // Shrunk counterexamples and the cases random runs reach rarely, kept as plain tests.
  it('keeps an edit made elsewhere when this device deleted the item (both orders)', async () => {
    const base: Op[] = [
      { kind: 'create', device: 0 },
      { kind: 'sync', device: 0 },
      { kind: 'sync', device: 1 },
    ];
    await run(2, [
      ...base,
      { kind: 'edit', device: 1, pick: 0, field: 'password' },
      { kind: 'sync', device: 1 },
      { kind: 'delete', device: 0, pick: 0 },
      { kind: 'sync', device: 0 },
    ]);
    await run(2, [
      ...base,
      { kind: 'delete', device: 0, pick: 0 },
      { kind: 'sync', device: 0 },
      { kind: 'edit', device: 1, pick: 0, field: 'title' },
      { kind: 'sync', device: 1 },
    ]);
  });

  it('does not turn its own edit into a conflict copy after a lost acknowledgement', async () => {
    const devices = await run(2, [
      { kind: 'loseAck', device: 0 },
      { kind: 'create', device: 0 },
      { kind: 'sync', device: 0 },
      { kind: 'edit', device: 0, pick: 0, field: 'title' },
      { kind: 'sync', device: 0 },
    ]);
    expect(live(devices[0] as Device).map((i) => i.conflictOf)).toEqual([null]);
  });

  it('applies a push delivered twice once', async () => {
    const devices = await run(2, [
      { kind: 'duplicatePush', device: 0 },
      { kind: 'create', device: 0 },
      { kind: 'sync', device: 0 },
      { kind: 'sync', device: 1 },
    ]);
    expect(live(devices[1] as Device)).toHaveLength(1);
  });

  it('keeps both values when two offline devices change the same field', async () => {
    const devices = await run(2, [
      { kind: 'create', device: 0 },
      { kind: 'sync', device: 0 },
      { kind: 'sync', device: 1 },
      { kind: 'online', device: 0, online: false },
      { kind: 'online', device: 1, online: false },
      { kind: 'edit', device: 0, pick: 0, field: 'password' },
      { kind: 'edit', device: 1, pick: 0, field: 'password' },
      { kind: 'edit', device: 1, pick: 0, field: 'notes' },
    ]);
    const items = live(devices[0] as Device);
    expect(items).toHaveLength(2);
    expect(items.filter((i) => i.conflictOf !== null)).toHaveLength(1);
  });

  it('converges and loses no edit, whatever the interleaving', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .integer({ min: 2, max: 4 })
          .chain((n) => fc.tuple(fc.constant(n), fc.array(opArb(n), { minLength: 1, maxLength: 40 }))),
        async ([count, ops]) => {
          await run(count, ops);
        },
      ),
      { numRuns: 50 },
    );
  }, 300_000);
});
