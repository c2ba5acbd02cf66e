import { storage } from 'wxt/utils/storage';
import { fromBase64Url, toBase64Url } from '../../shared-crypto/index.ts';
import { readSettings } from '../settings/stored-settings.ts';
import { type UnlockSession, unlockSessionItem } from '../storage/items.ts';
import { idbKeyStore } from './idb-key-store.ts';

/**
 * "Lock on browser restart" off (docs/settings.md "Browser restart"). The unlock session normally
 * lives only in storage.session, which the browser wipes when it restarts: the vault is locked.
 * With the setting off, a copy of it is kept in storage.local, sealed (AES-256-GCM) under a
 * NON-EXTRACTABLE key that lives in IndexedDB (as the DPoP key does, dpop-key.ts): no script can read
 * the key out, and the copy alone (a storage dump, a backup of extension storage) opens nothing.
 * Anyone who can use the browser profile itself can open the vault, which is what the user accepts
 * (the settings page says so).
 *
 * The copy is restored into storage.session at most ONCE per browser session, at the first read
 * (a marker in storage.session says it was done), so a lock can never be undone by a copy that was
 * not wiped yet. Lock, logout and switching the setting back on wipe the copy and the key.
 */

export interface KeptKeyStore {
  get(): Promise<CryptoKey | undefined>;
  put(key: CryptoKey): Promise<void>;
  delete(): Promise<void>;
}

const KEY_ID = 'current';
const AD = new TextEncoder().encode('keyhold/kept-unlock/v1');

/** The worker's store: one non-extractable AES key in IndexedDB (structured clone keeps it so). */
export function indexedDbKeptKeyStore(): KeptKeyStore {
  const store = idbKeyStore<CryptoKey>('keyhold-kept-unlock');
  return {
    get: () => store.get(KEY_ID),
    put: (key) => store.put(KEY_ID, key),
    delete: () => store.delete(KEY_ID),
  };
}

let keyStore: KeptKeyStore | undefined;
const store = () => {
  keyStore ??= indexedDbKeptKeyStore();
  return keyStore;
};
/** Unit tests (Node has no IndexedDB) give an in-memory store. */
export function useKeptKeyStore(given: KeptKeyStore): void {
  keyStore = given;
}

interface KeptRecord {
  iv: string;
  sealed: string;
}

export const keptUnlockItem = storage.defineItem<KeptRecord | null>('local:kept-unlock', {
  fallback: null,
  version: 1,
});

/** Set in storage.session once this browser session's restore was tried. */
const restoreTriedItem = storage.defineItem<boolean>('session:kept-unlock-tried', { fallback: false });

async function currentKey(create: boolean): Promise<CryptoKey | undefined> {
  const existing = await store().get();
  if (existing || !create) return existing;
  const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
    'encrypt',
    'decrypt',
  ]);
  await store().put(key);
  return key;
}

/** Seals `session` into storage.local (the setting is off and the vault is unlocked). */
export async function keepUnlock(session: UnlockSession): Promise<void> {
  const key = await currentKey(true);
  if (!key) return;
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const plain = new TextEncoder().encode(JSON.stringify(session));
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: AD }, key, plain),
  );
  plain.fill(0);
  await keptUnlockItem.setValue({ iv: toBase64Url(iv), sealed: toBase64Url(sealed) });
}

/** Wipes the kept copy and its key (lock, logout, setting back on). */
export async function forgetKeptUnlock(): Promise<void> {
  // Nothing is restored any more in this browser session, even if wiping below fails half-way.
  // (With the setting on nothing is ever restored: storage.session stays empty after a lock.)
  if (!(await readSettings()).lockOnBrowserRestart) await restoreTriedItem.setValue(true);
  await keptUnlockItem.removeValue();
  await store()
    .delete()
    .catch(() => undefined);
}

async function openKept(): Promise<UnlockSession | null> {
  const record = await keptUnlockItem.getValue();
  if (!record) return null;
  const key = await currentKey(false);
  if (!key) return null;
  try {
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: new Uint8Array(fromBase64Url(record.iv)), additionalData: AD },
      key,
      new Uint8Array(fromBase64Url(record.sealed)),
    );
    return JSON.parse(new TextDecoder().decode(plain)) as UnlockSession;
  } catch {
    return null;
  }
}

/**
 * The unlock session, as the vault reads it after a worker start: storage.session's, or — the
 * first time in a browser session, with "lock on browser restart" off — the kept copy, put back
 * into storage.session. A copy that does not open (key gone, damaged) is wiped.
 */
export async function readUnlockSession(): Promise<UnlockSession | null> {
  const session = await unlockSessionItem.getValue();
  if (session) return session;
  if ((await readSettings()).lockOnBrowserRestart) {
    if (await keptUnlockItem.getValue()) await forgetKeptUnlock();
    return null;
  }
  if (await restoreTriedItem.getValue()) return null;
  await restoreTriedItem.setValue(true);
  const kept = await openKept();
  if (!kept) {
    if (await keptUnlockItem.getValue()) await forgetKeptUnlock();
    return null;
  }
  await unlockSessionItem.setValue(kept);
  return kept;
}

/**
 * Keeps the kept copy in step with the unlock session and the setting: called when either changes.
 * Unlocked with the setting off → sealed copy; anything else → wiped.
 */
export async function followUnlock(session: UnlockSession | null): Promise<void> {
  const { lockOnBrowserRestart } = await readSettings();
  if (session && !lockOnBrowserRestart) await keepUnlock(session);
  else await forgetKeptUnlock();
}
