import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { writeSettings } from '../settings/stored-settings.ts';
import { type UnlockSession, unlockSessionItem } from '../storage/items.ts';
import {
  followUnlock,
  forgetKeptUnlock,
  type KeptKeyStore,
  keptUnlockItem,
  readUnlockSession,
  useKeptKeyStore,
} from './kept-unlock.ts';

/** IndexedDB as a map (Node has none); the key stays a non-extractable CryptoKey. */
function memoryStore(): KeptKeyStore & { key: CryptoKey | undefined } {
  const s = {
    key: undefined as CryptoKey | undefined,
    get: async () => s.key,
    put: async (key: CryptoKey) => {
      s.key = key;
    },
    delete: async () => {
      s.key = undefined;
    },
  };
  return s;
}

const session: UnlockSession = {
  accountId: 'acc-1',
  vaultKeys: { '1': 'dmF1bHQta2V5LXNlY3JldC1ieXRlcw' },
  wrappingKey: 'd3JhcHBpbmcta2V5LXNlY3JldA',
  authKey: 'YXV0aC1rZXktc2VjcmV0',
};

/** What a browser restart does: storage.session is gone, storage.local and IndexedDB stay. */
const restartBrowser = () => fakeBrowser.storage.session.clear();

describe('kept unlock ("lock on browser restart" off)', () => {
  let keys: ReturnType<typeof memoryStore>;
  beforeEach(() => {
    fakeBrowser.reset();
    keys = memoryStore();
    useKeptKeyStore(keys);
  });

  it('by default keeps nothing: a restarted browser is locked', async () => {
    await unlockSessionItem.setValue(session);
    await followUnlock(session);
    expect(await keptUnlockItem.getValue()).toBeNull();
    await restartBrowser();
    expect(await readUnlockSession()).toBeNull();
  });

  it('with the setting off, a restarted browser gets the unlock session back', async () => {
    await writeSettings({ lockOnBrowserRestart: false });
    await unlockSessionItem.setValue(session);
    await followUnlock(session);
    const kept = await keptUnlockItem.getValue();
    // Sealed: none of the raw keys is readable in storage.local, and the key is not extractable.
    expect(JSON.stringify(kept)).not.toContain(session.vaultKeys['1']);
    expect(JSON.stringify(kept)).not.toContain(session.wrappingKey);
    expect(keys.key?.extractable).toBe(false);

    await restartBrowser();
    expect(await readUnlockSession()).toEqual(session);
    expect(await unlockSessionItem.getValue()).toEqual(session);
  });

  it('a lock wipes the copy and the key: the next restart is locked', async () => {
    await writeSettings({ lockOnBrowserRestart: false });
    await followUnlock(session);
    await unlockSessionItem.removeValue();
    await followUnlock(null);
    expect(await keptUnlockItem.getValue()).toBeNull();
    expect(keys.key).toBeUndefined();
    await restartBrowser();
    expect(await readUnlockSession()).toBeNull();
  });

  it('restores at most once per browser session, so a lock is never undone by a late copy', async () => {
    await writeSettings({ lockOnBrowserRestart: false });
    await followUnlock(session);
    await restartBrowser();
    expect(await readUnlockSession()).toEqual(session);
    // Locked in this browser session, the copy not wiped yet (the worker stopped in between).
    await unlockSessionItem.removeValue();
    expect(await readUnlockSession()).toBeNull();
  });

  it('a forgotten copy is never restored, even in a browser session that has not read it yet', async () => {
    await writeSettings({ lockOnBrowserRestart: false });
    await followUnlock(session);
    await forgetKeptUnlock();
    await unlockSessionItem.removeValue();
    expect(await readUnlockSession()).toBeNull();
  });

  it('turning the setting back on wipes the copy', async () => {
    await writeSettings({ lockOnBrowserRestart: false });
    await followUnlock(session);
    await writeSettings({ lockOnBrowserRestart: true });
    await followUnlock(session);
    expect(await keptUnlockItem.getValue()).toBeNull();
    await restartBrowser();
    expect(await readUnlockSession()).toBeNull();
  });

  it('a copy without its key (storage copied elsewhere, IndexedDB cleared) opens nothing and is wiped', async () => {
    await writeSettings({ lockOnBrowserRestart: false });
    await followUnlock(session);
    keys.key = undefined;
    await restartBrowser();
    expect(await readUnlockSession()).toBeNull();
    expect(await keptUnlockItem.getValue()).toBeNull();
  });

  it('a damaged copy opens nothing and is wiped', async () => {
    await writeSettings({ lockOnBrowserRestart: false });
    await followUnlock(session);
    const kept = await keptUnlockItem.getValue();
    await keptUnlockItem.setValue({
      iv: kept?.iv ?? '',
      sealed: `${kept?.sealed.startsWith('A') ? 'B' : 'A'}${kept?.sealed.slice(1)}`,
    });
    await restartBrowser();
    expect(await readUnlockSession()).toBeNull();
    expect(await keptUnlockItem.getValue()).toBeNull();
  });
});
