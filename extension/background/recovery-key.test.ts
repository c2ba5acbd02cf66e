import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { startTestServer, type TestServer } from '../../server/test-support/in-process.ts';
import {
  type AssociatedData,
  deriveAccountKeys,
  formatRecoveryKey,
  fromBase64Url,
  generateKeyBytes,
  generateRecoveryKey,
  importSymmetricKey,
  unwrapKey,
  wrapKey,
} from '../../shared-crypto/index.ts';
import { type LoginFields, loginFields as newLogin } from '../messaging/item-schema.ts';
import { asLogin } from '../messaging/protocol.ts';
import { accountItem } from '../storage/items.ts';
import { deviceSwitches } from '../test-support/vault-store.ts';
import { ApiClient } from './api-client.ts';
import { dpopAuthHeaders } from './dpop-key.ts';
import { createHandlers, dispatch } from './handlers.ts';
import { RecoveryKeys } from './recovery-key.ts';
import { VaultError } from './vault-error.ts';
import { VaultService } from './vault-service.ts';

/**
 * The recovery key against the real server app in-process (no port): creating one (shown once,
 * confirmed by its last group, nothing sent otherwise) and "Forgot master password?" on a fresh
 * device and on one that holds unsynced edits. Devices are storage snapshots, as in
 * vault-service.test.ts.
 */

const SERVER = 'http://keyhold.test';
const EMAIL = 'grace@example.test';
const MASTER = 'orange-kettle-harbour-91';
const NEW_MASTER = 'violet-canyon-ledger-58';
const fields = (title: string, password = 'pw-1'): LoginFields =>
  newLogin({
    title,
    username: 'grace',
    password,
    uris: [{ url: 'https://bank.example', match: 'domain' }],
    totp: '',
    notes: '',
  });

let server: TestServer;
let online = true;
/** Every request the devices sent, as "METHOD /path". */
let sent: string[] = [];

const api = (baseUrl: string) =>
  new ApiClient(baseUrl, async (input, init) => {
    if (!online) throw new TypeError('fetch failed');
    const request = new Request(input, init);
    sent.push(`${request.method} ${new URL(request.url).pathname}`);
    return server.fetch(request);
  });

interface Device {
  vault: VaultService;
  recovery: RecoveryKeys;
  /** The passwords the rotation entry point was called with (it checks them on the device again). */
  rotations: string[];
}

const devices: Device[] = [];
/** `rotationFails`: the rotation entry point throws, as when the server goes away half-way. */
function newDevice(rotationFails = false): Device {
  const vault = new VaultService({ makeApi: api, now: () => new Date(), newId: () => crypto.randomUUID() });
  const device: Device = {
    vault,
    rotations: [],
    recovery: new RecoveryKeys(vault, {
      makeApi: api,
      now: () => new Date(),
      // The key-rotation module's entry point; here it only counts that a recovery asked for it.
      rotation: {
        rotateVaultKey: async (password) => {
          device.rotations.push(password);
          if (rotationFails) throw new VaultError('SERVER_UNREACHABLE');
        },
      },
    }),
  };
  devices.push(device);
  return device;
}

/** Device switches wait for every worker's queue (a sign-in seals after it answered). */
const {
  snapshot,
  restore: restoreSnapshot,
  fresh: freshDevice,
} = deviceSwitches(() => devices.map((d) => d.vault));

async function vaultError(p: Promise<unknown>): Promise<VaultError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof VaultError) return e;
    throw e;
  }
  throw new Error('expected a VaultError');
}

const lastGroup = (key: string) => key.split('-').at(-1) as string;
/** A well-formed recovery key that is not the account's. */
const someOtherKey = () => formatRecoveryKey(generateRecoveryKey());

/** Registers on this device and saves the recovery key shown right after; returns the key. */
async function registerWithRecoveryKey(d: Device): Promise<string> {
  await d.vault.register(SERVER, EMAIL, MASTER);
  await d.recovery.offerAfterSignUp();
  const screen = crypto.randomUUID();
  const shown = await d.recovery.takeOffered(screen);
  await d.recovery.confirm(screen, lastGroup(shown.key));
  return shown.key;
}

/** What the server says about the account's recovery key, asked with this device's session. */
const serverRecovery = async (d: Device) => (await d.recovery.status(true)).status;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});
afterEach(async () => {
  for (const d of devices.splice(0)) await d.vault.lock().catch(() => undefined);
});
beforeEach(async () => {
  online = true;
  sent = [];
  fakeBrowser.reset();
  await server.reset();
});

describe('creating a recovery key', () => {
  it('is offered once after account creation, and stored only when its last group is typed back', async () => {
    const a = newDevice();
    await a.vault.register(SERVER, EMAIL, MASTER);
    await a.recovery.offerAfterSignUp();
    expect(await a.recovery.status(true)).toEqual({ status: 'none', createdAt: null, offered: true });

    const screen = crypto.randomUUID();
    const shown = await a.recovery.takeOffered(screen);
    expect(shown).toMatchObject({ email: EMAIL, serverUrl: SERVER });
    expect(shown.key).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){13}$/);
    // Shown once: the offer is used up.
    expect((await a.recovery.status(false)).offered).toBe(false);
    expect((await vaultError(a.recovery.takeOffered(crypto.randomUUID()))).code).toBe(
      'RECOVERY_KEY_DISCARDED',
    );

    sent = [];
    // Typed as a person would: lower case, with a stray space.
    const status = await a.recovery.confirm(screen, ` ${lastGroup(shown.key).toLowerCase()}`);
    expect(status).toMatchObject({ status: 'set', offered: false });
    expect(sent).toContain('PUT /v1/accounts/current/recovery');
    expect(await serverRecovery(a)).toBe('set');
    expect((await accountItem.getValue())?.recovery?.createdAt).toBeTypeOf('string');
    // Confirmed once: the same screen cannot send it again.
    expect((await vaultError(a.recovery.confirm(screen, lastGroup(shown.key)))).code).toBe(
      'RECOVERY_KEY_DISCARDED',
    );
  });

  it('refuses a wrong last group, keeps the key pending, and sends nothing until it is right', async () => {
    const a = newDevice();
    await a.vault.register(SERVER, EMAIL, MASTER);
    const screen = crypto.randomUUID();
    const shown = await a.recovery.create(screen, MASTER);
    sent = [];
    const wrong = lastGroup(shown.key) === 'AAAA' ? 'BBBB' : 'AAAA';
    const e = await vaultError(a.recovery.confirm(screen, wrong));
    expect(e.code).toBe('RECOVERY_KEY_MISMATCH');
    // The first group is not the last one either.
    expect((await vaultError(a.recovery.confirm(screen, shown.key.slice(0, 4)))).code).toBe(
      'RECOVERY_KEY_MISMATCH',
    );
    expect(sent).toEqual([]);
    await a.recovery.confirm(screen, lastGroup(shown.key));
    expect(await serverRecovery(a)).toBe('set');
  });

  it('asks for the master password on demand and checks it on this device first', async () => {
    const a = newDevice();
    await a.vault.register(SERVER, EMAIL, MASTER);
    sent = [];
    expect((await vaultError(a.recovery.create(crypto.randomUUID(), 'not my password'))).code).toBe(
      'WRONG_PASSWORD',
    );
    expect(sent).toEqual([]);
    const first = await registeredKeyOn(a);
    const second = await registeredKeyOn(a);
    expect(second).not.toBe(first);
    // The new key replaced the first one: only the second opens the vault.
    const b = newDevice();
    fakeBrowser.reset();
    expect((await vaultError(b.recovery.startRecovery(crypto.randomUUID(), SERVER, EMAIL, first))).code).toBe(
      'INVALID_RECOVERY_KEY',
    );
    await b.recovery.startRecovery(crypto.randomUUID(), SERVER, EMAIL, second);
  });

  it('sends nothing when the popup closes before the key is confirmed', async () => {
    const a = newDevice();
    await a.vault.register(SERVER, EMAIL, MASTER);
    await a.recovery.offerAfterSignUp();
    const screen = crypto.randomUUID();
    const shown = await a.recovery.takeOffered(screen);
    sent = [];
    // The popup's port to the worker closes with the popup.
    await a.recovery.screenClosed(screen);
    expect(await fakeBrowser.storage.session.get('recovery-key-pending')).toEqual({});
    const e = await vaultError(a.recovery.confirm(screen, lastGroup(shown.key)));
    expect(e.code).toBe('RECOVERY_KEY_DISCARDED');
    expect(sent).toEqual([]);
    // The items screen then says there is none, and offers nothing by itself.
    expect(await a.recovery.status(true)).toEqual({ status: 'none', createdAt: null, offered: false });
  });

  it('forgets a key being shown when the vault locks', async () => {
    const a = newDevice();
    await a.vault.register(SERVER, EMAIL, MASTER);
    const handlers = createHandlers(
      a.vault,
      { clear: () => undefined } as never,
      {} as never,
      a.recovery,
      {} as never,
    );
    const screen = crypto.randomUUID();
    const shown = await a.recovery.create(screen, MASTER);
    await dispatch(handlers, { name: 'lock', request: {} });
    expect(await fakeBrowser.storage.session.get(null)).toEqual({});
    await a.vault.unlock(MASTER);
    expect((await vaultError(a.recovery.confirm(screen, lastGroup(shown.key)))).code).toBe(
      'RECOVERY_KEY_DISCARDED',
    );
  });

  it('keeps the key pending while the server is unreachable, and stores it once it is back', async () => {
    const a = newDevice();
    await a.vault.register(SERVER, EMAIL, MASTER);
    const screen = crypto.randomUUID();
    const shown = await a.recovery.create(screen, MASTER);
    online = false;
    expect((await vaultError(a.recovery.confirm(screen, lastGroup(shown.key)))).code).toBe(
      'SERVER_UNREACHABLE',
    );
    online = true;
    await a.recovery.confirm(screen, lastGroup(shown.key));
    expect(await serverRecovery(a)).toBe('set');
  });
});

/** A new recovery key created on demand and confirmed on this device; returns it. */
async function registeredKeyOn(d: Device): Promise<string> {
  const screen = crypto.randomUUID();
  const shown = await d.recovery.create(screen, MASTER);
  await d.recovery.confirm(screen, lastGroup(shown.key));
  return shown.key;
}

describe('forgot master password', () => {
  it('opens the vault on a fresh device with everything device A saved, then issues a new key', async () => {
    const a = newDevice();
    const key = await registerWithRecoveryKey(a);
    await a.vault.items.saveItem(undefined, fields('Bank'));
    await a.vault.items.saveItem(undefined, fields('Mail', 'pw-mail'));
    await a.vault.syncNow();
    // A also has an edit the server has not seen yet when the password is forgotten elsewhere.
    online = false;
    await a.vault.items.saveItem(undefined, fields('Offline on A'));
    await a.vault.syncNow();
    online = true;
    const deviceA = await snapshot();
    await freshDevice();

    const b = newDevice();
    const screen = crypto.randomUUID();
    // Pasted from the text file: lower case, line break, spaces for hyphens.
    const typed = key.toLowerCase().replaceAll('-', ' ').replace(' ', '\n');
    expect(await b.recovery.startRecovery(screen, SERVER, EMAIL, typed)).toEqual({ email: EMAIL });
    const state = await b.recovery.completeRecovery(screen, NEW_MASTER);
    expect(state).toMatchObject({ status: 'unlocked', email: EMAIL, sync: { pending: 0, error: null } });
    expect((await b.vault.listItems()).map((i) => i.title)).toEqual(['Bank', 'Mail']);
    // Rotated once, with the password just chosen.
    expect(b.rotations).toEqual([NEW_MASTER]);

    // The old key no longer works (the server cleared it); a new one is offered and saved.
    expect((await vaultError(b.recovery.startRecovery(crypto.randomUUID(), SERVER, EMAIL, key))).code).toBe(
      'INVALID_RECOVERY_KEY',
    );
    expect(await b.recovery.status(true)).toMatchObject({ status: 'none', offered: true });
    const next = await b.recovery.takeOffered(screen);
    expect(next.key).not.toBe(key);
    await b.recovery.confirm(screen, lastGroup(next.key));
    expect(await serverRecovery(b)).toBe('set');

    // The new master password is the one that unlocks now; the old one no longer signs in.
    await b.vault.lock();
    expect((await vaultError(b.vault.unlock(MASTER))).code).toBe('WRONG_PASSWORD');
    await b.vault.unlock(NEW_MASTER);
    // The unlock answers once the vault is open; its server part (the device session's refresh)
    // follows in the worker's queue, and a sync waits for it.
    await b.vault.syncNow();
    const deviceB = await snapshot();

    // Device A signs in with the new password: its offline edit is kept and reaches B.
    await restoreSnapshot(deviceA);
    const a2 = newDevice();
    await a2.vault.lock();
    expect((await vaultError(a2.vault.login(SERVER, EMAIL, MASTER))).code).toBe('INVALID_CREDENTIALS');
    await a2.vault.login(SERVER, EMAIL, NEW_MASTER);
    expect((await a2.vault.state()).sync.pending).toBe(0);
    await restoreSnapshot(deviceB);
    const b2 = newDevice();
    await b2.vault.syncNow();
    expect((await b2.vault.listItems()).map((i) => i.title)).toEqual(['Bank', 'Mail', 'Offline on A']);
  });

  it('on the unlock screen of a device with unsynced edits, keeps them and pushes them', async () => {
    const a = newDevice();
    const key = await registerWithRecoveryKey(a);
    const synced = await a.vault.items.saveItem(undefined, fields('Synced'));
    await a.vault.syncNow();
    online = false;
    await a.vault.items.saveItem(undefined, fields('Made offline'));
    await a.vault.items.saveItem(synced.id, fields('Synced', 'edited-offline'));
    await a.vault.syncNow();
    expect((await a.vault.state()).sync.pending).toBe(2);
    await a.vault.lock();
    online = true;

    // The master password is forgotten: recover on this same device.
    const screen = crypto.randomUUID();
    await a.recovery.startRecovery(screen, SERVER, EMAIL, key);
    const state = await a.recovery.completeRecovery(screen, NEW_MASTER);
    expect(state.sync).toMatchObject({ pending: 0, error: null });
    expect((await a.vault.listItems()).map((i) => i.title)).toEqual(['Made offline', 'Synced']);

    // Another device sees both edits.
    fakeBrowser.reset();
    const b = newDevice();
    await b.vault.login(SERVER, EMAIL, NEW_MASTER);
    const titles = await b.vault.listItems();
    expect(titles.map((i) => i.title)).toEqual(['Made offline', 'Synced']);
    expect(asLogin(await b.vault.items.getItem(synced.id)).password).toBe('edited-offline');
  });

  it('follows a rotation pending at the time through the chain, and re-wraps its key too', async () => {
    const a = newDevice();
    const key = await registerWithRecoveryKey(a);
    await a.vault.items.saveItem(undefined, fields('Bank'));
    await a.vault.syncNow();
    // Device A has started a rotation to a new vault key (version 2) that no one has finished.
    const next = generateKeyBytes();
    const vaultKeyAd = (id: string, keyVersion: number, chain = false): AssociatedData => ({
      purpose: 'vault-key',
      owner: id,
      id: chain ? `${id}:next` : id,
      keyVersion,
    });
    await a.vault.withOpenVault(async (v) => {
      const id = v.account.accountId;
      const { wrappingKey } = await deriveAccountKeys(MASTER, fromBase64Url(v.account.salt), v.account.kdf);
      const current = await importSymmetricKey(fromBase64Url(v.vaultKey));
      const body = {
        keyVersion: 2,
        wrappedVaultKey: await wrapKey(wrappingKey, next, vaultKeyAd(id, 2)),
        wrappedByPrevious: await wrapKey(current, next, vaultKeyAd(id, 2, true)),
      };
      const res = await server.fetch(
        new Request(`${SERVER}/v1/accounts/current/rotation`, {
          method: 'POST',
          headers: {
            ...(await dpopAuthHeaders(
              'POST',
              `${SERVER}/v1/accounts/current/rotation`,
              await v.accessToken(),
            )),
            'content-type': 'application/json',
          },
          body: JSON.stringify(body),
        }),
      );
      expect(res.status).toBe(201);
    });
    fakeBrowser.reset();

    const b = newDevice();
    const screen = crypto.randomUUID();
    await b.recovery.startRecovery(screen, SERVER, EMAIL, key);
    await b.recovery.completeRecovery(screen, NEW_MASTER);
    expect((await b.vault.listItems()).map((i) => i.title)).toEqual(['Bank']);
    expect(b.rotations).toHaveLength(1);
    // The pending rotation's key now opens with the new master password: the rotation can finish.
    const keys = await b.vault.withOpenVault(async (v) => v.api.accountKeys(await v.accessToken()));
    expect(keys.rotation?.keyVersion).toBe(2);
    const { wrappingKey } = await deriveAccountKeys(NEW_MASTER, fromBase64Url(keys.salt), keys.kdf);
    const opened = await unwrapKey(
      wrappingKey,
      keys.rotation?.wrappedVaultKey as string,
      vaultKeyAd(keys.accountId, 2),
    );
    expect(opened.raw).toEqual(next);
  });

  it('offers no key when the rotation after it cannot finish; the vault is open all the same', async () => {
    const a = newDevice();
    const key = await registerWithRecoveryKey(a);
    await a.vault.items.saveItem(undefined, fields('Bank'));
    await a.vault.syncNow();
    fakeBrowser.reset();
    const b = newDevice(true);
    const screen = crypto.randomUUID();
    await b.recovery.startRecovery(screen, SERVER, EMAIL, key);
    const state = await b.recovery.completeRecovery(screen, NEW_MASTER);
    expect(state.status).toBe('unlocked');
    expect((await b.vault.listItems()).map((i) => i.title)).toEqual(['Bank']);
    expect(b.rotations).toEqual([NEW_MASTER]);
    // A key wrapping the old vault key would be cleared by the rotation when it resumes: none is
    // offered now, and the items screen says there is none.
    expect(await b.recovery.status(true)).toEqual({ status: 'none', createdAt: null, offered: false });
  });

  it('catches a mistyped key before any request, naming what is wrong', async () => {
    const a = newDevice();
    const key = await registerWithRecoveryKey(a);
    fakeBrowser.reset();
    const b = newDevice();
    const handlers = createHandlers(b.vault, {} as never, {} as never, b.recovery, {} as never);
    const start = (recoveryKey: string) =>
      dispatch(handlers, {
        name: 'startAccountRecovery',
        request: { screen: crypto.randomUUID(), serverUrl: SERVER, email: EMAIL, recoveryKey },
      });
    sent = [];
    const chars = key.replaceAll('-', '');
    const swapped = chars[10] === 'A' ? 'B' : 'A';
    expect(await start(chars.slice(0, 10) + swapped + chars.slice(11))).toEqual({
      ok: false,
      code: 'RECOVERY_KEY_TYPO',
      message:
        'The recovery key does not check out: a character is mistyped. Compare each group with your saved copy.',
      field: 'recoveryKey',
    });
    expect(await start(`${key.slice(0, 5)}0${key.slice(6)}`)).toEqual({
      ok: false,
      code: 'RECOVERY_KEY_FORMAT',
      message:
        'The recovery key cannot contain “0” (in group 2): recovery keys use only the letters A–Z and the digits 2–7. Did you mean “O”?',
      field: 'recoveryKey',
    });
    expect(await start(key.slice(0, -5))).toMatchObject({
      code: 'RECOVERY_KEY_FORMAT',
      message: 'The recovery key has 52 characters; a recovery key has 56 (14 groups of 4).',
    });
    expect(sent).toEqual([]);
    // Well-formed but not this account's key: the server says so, in the same words for any email.
    expect(await start(await someOtherKey())).toMatchObject({
      ok: false,
      code: 'INVALID_RECOVERY_KEY',
      message: 'The email or recovery key is incorrect.',
      field: 'recoveryKey',
    });
  });

  it('refuses a weak or recently used new master password, and sends nothing for it', async () => {
    const a = newDevice();
    const key = await registerWithRecoveryKey(a);
    fakeBrowser.reset();
    const b = newDevice();
    const screen = crypto.randomUUID();
    await b.recovery.startRecovery(screen, SERVER, EMAIL, key);
    sent = [];
    const weak = await vaultError(b.recovery.completeRecovery(screen, 'short'));
    expect(weak.code).toBe('WEAK_PASSWORD');
    expect(weak.detail).toMatchObject({ field: 'newPassword', passwordProblem: { problem: 'too-short' } });
    // The email in the password is refused too (the server's policy, checked before any key is derived).
    const withEmail = await vaultError(b.recovery.completeRecovery(screen, `${EMAIL}-is-mine-7`));
    expect(withEmail.detail.passwordProblem?.problem).toBe('contains-email');
    expect(sent).toEqual([]);
    await b.recovery.completeRecovery(screen, NEW_MASTER);

    // A second recovery may not go back to the password the first one set.
    const next = await b.recovery.takeOffered(screen);
    await b.recovery.confirm(screen, lastGroup(next.key));
    await b.vault.lock();
    const again = crypto.randomUUID();
    await b.recovery.startRecovery(again, SERVER, EMAIL, next.key);
    sent = [];
    expect((await vaultError(b.recovery.completeRecovery(again, NEW_MASTER))).code).toBe('PASSWORD_REUSED');
    expect(sent).toEqual([]);
    await b.recovery.completeRecovery(again, 'amber-tundra-signal-34');
  });

  it('counts wrong recovery keys toward the login lockout and says how long to wait', async () => {
    const a = newDevice();
    await registerWithRecoveryKey(a);
    fakeBrowser.reset();
    const b = newDevice();
    const handlers = createHandlers(b.vault, {} as never, {} as never, b.recovery, {} as never);
    const wrongKey = await someOtherKey();
    const replies = [];
    for (let i = 0; i < 6; i++) {
      replies.push(
        await dispatch(handlers, {
          name: 'startAccountRecovery',
          request: { screen: crypto.randomUUID(), serverUrl: SERVER, email: EMAIL, recoveryKey: wrongKey },
        }),
      );
    }
    expect(replies.slice(0, 5).map((r) => (r.ok ? 'ok' : r.code))).toEqual(
      Array(5).fill('INVALID_RECOVERY_KEY'),
    );
    const locked = replies[5];
    expect(locked).toMatchObject({ ok: false, code: 'RATE_LIMITED' });
    expect(locked && !locked.ok && locked.message).toMatch(
      /^Too many attempts\. Try again in \d+ (second|minute)s?\.$/,
    );
    // The same lockout as the master password: logging in is refused too.
    expect((await vaultError(b.vault.login(SERVER, EMAIL, MASTER))).code).toBe('RATE_LIMITED');
  });

  it('starts over when the screen was closed between the two steps', async () => {
    const a = newDevice();
    const key = await registerWithRecoveryKey(a);
    fakeBrowser.reset();
    const b = newDevice();
    const screen = crypto.randomUUID();
    await b.recovery.startRecovery(screen, SERVER, EMAIL, key);
    await b.recovery.screenClosed(screen);
    sent = [];
    expect((await vaultError(b.recovery.completeRecovery(screen, NEW_MASTER))).code).toBe(
      'RECOVERY_INTERRUPTED',
    );
    expect(sent).toEqual([]);
  });
});
