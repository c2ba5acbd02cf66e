import { storage } from 'wxt/utils/storage';
import type { KdfParams } from '../../shared-crypto/index.ts';

/**
 * Every piece of state the service worker needs after a restart. Typed and versioned from day
 * one so later releases migrate instead of guessing. Nothing here is plaintext vault data:
 * `vaultCache` is one envelope sealed with the vault key; `unlockSession` lives only in
 * storage.session (memory, trusted contexts only) and is wiped on lock and on browser restart.
 */

/** The settings live in their own module (versioned, with migrations); re-exported for existing imports. */
export { DEFAULT_SERVER_URL, type Settings, settingsItem } from '../settings/stored-settings.ts';

export interface AccountRecord {
  accountId: string;
  email: string;
  serverUrl: string;
  kdf: KdfParams;
  salt: string;
  /** The vault key of `keyVersion`, wrapped by the password's wrapping key. */
  wrappedVaultKey: string;
  /** The account's current vault key version; absent in records written before rotation (= 1). */
  keyVersion?: number;
  /**
   * A vault key rotation this device knows of (docs/sync.md "Key rotation"): stored here before the
   * server is told, so an interrupted rotation resumes, and so an unlock opens both key versions.
   */
  rotation?: PendingRotation | null;
  /**
   * The account's recovery key as the server last said (`GET /v1/accounts/current`): when it was
   * created, or null for none. Absent until the server was asked.
   */
  recovery?: { createdAt: string } | null;
}

export interface PendingRotation {
  /** The new version: the account's keyVersion + 1. */
  keyVersion: number;
  /** The new vault key wrapped by the password's wrapping key (AD keyVersion = the new version). */
  wrappedVaultKey: string;
  /** The new vault key wrapped by the current one (the rotation chain). */
  wrappedByPrevious: string;
  /** The server has recorded this rotation: items may be written under the new key. */
  recorded: boolean;
  /** This device drives it to completion (it started it, or the user asked here); else it only reads it. */
  drive: boolean;
}

export const accountItem = storage.defineItem<AccountRecord | null>('local:account', {
  fallback: null,
  version: 1,
});

export interface VaultCacheRecord {
  accountId: string;
  /** Envelope (purpose `vault-cache`) of the whole decrypted vault: one AEAD call to unlock. */
  sealed: string;
  /**
   * How many local changes the server has not acknowledged, readable while locked: logging out
   * (or replacing the account) must never drop them without saying so. Only a count; absent in
   * caches written before it existed, which are treated as "may have some".
   */
  pending?: number;
  /** The vault key version that sealed it; absent in caches written before rotation (= 1). */
  keyVersion?: number;
  /**
   * That vault key wrapped by the password (as the account record held it): a worker stopped
   * between a key change and re-sealing the cache still opens it at the next unlock.
   */
  wrappedVaultKey?: string;
}

export const vaultCacheItem = storage.defineItem<VaultCacheRecord | null>('local:vault-cache', {
  fallback: null,
  version: 1,
});

/**
 * Written after every commit of the vault store (background/vault-store.ts, IndexedDB): which
 * account, how many changes wait to sync, and the commit's tag. Extension pages watch it to
 * refresh what they show (IndexedDB has no change events), and a locked popup reads the count.
 * Nothing secret.
 */
export interface VaultCommitRecord {
  accountId: string;
  pending: number;
  commit: string;
}

export const vaultCommitItem = storage.defineItem<VaultCommitRecord | null>('local:vault-commit', {
  fallback: null,
  version: 1,
});

export interface UnlockSession {
  accountId: string;
  /**
   * Raw vault keys (b64u) by key version — the current one and, during a rotation, the next — kept
   * in memory-only session storage so a worker restart stays unlocked. A superset of what the
   * account record refers to (keys are added here before the record names them).
   */
  vaultKeys: Record<string, string>;
  /**
   * Raw wrapping key (b64u) of the master password: opens a vault key rotated on another device
   * without asking for the password again.
   */
  wrappingKey: string;
  /** Authentication key (b64u), to sign in again when the server returns after an offline unlock. */
  authKey: string;
}

export const unlockSessionItem = storage.defineItem<UnlockSession | null>('session:unlock', {
  fallback: null,
});

/**
 * The open vault's last sync error (null: the last sync or sign-in worked), as the state reports it.
 * Written by the worker only when it changes, so that an open popup shows the outcome of work that
 * ends after it was drawn: the device session's refresh after an unlock, a sync the alarm or the
 * push channel ran. Session storage: it says nothing once the browser closes.
 */
export const syncErrorItem = storage.defineItem<string | null>('session:sync-error', { fallback: null });

/**
 * This device's session on the server. Kept in local storage so that locking does not end it: unlock
 * refreshes it instead of signing in again, and a locked device can still prove it is signed in (the
 * vault reset offered on the unlock screen). Log out ends it. See background/device-session.ts.
 */
export interface DeviceSessionRecord {
  accountId: string;
  /** The session's id (the login reply's `sessionId`); absent in records written before it existed. */
  sessionId?: string;
  refreshToken: string;
  accessToken: string;
  accessExpiresAt: string;
}

export const deviceSessionItem = storage.defineItem<DeviceSessionRecord | null>('local:device-session', {
  fallback: null,
  version: 1,
});

/**
 * The server ended this device's session (SESSION_ENDED, docs/sessions.md) and the device did not
 * sign itself in again: why, when, and how many local changes wait for the next login. Not secret;
 * the popup reads it to explain. Cleared by logging in again (or out).
 */
export interface SessionEndedRecord {
  accountId: string;
  reason: string;
  at: string;
  /** Unsynced local changes when it ended (null: unknown); the popup shows the live count. */
  pending: number | null;
}

export const sessionEndedItem = storage.defineItem<SessionEndedRecord | null>('local:session-ended', {
  fallback: null,
  version: 1,
});

/**
 * This device's name as the user gave it ("Work laptop"), kept across sessions: every new session
 * is named with it. The browser and OS are detected afresh each time (background/device-name.ts).
 */
export const deviceLabelItem = storage.defineItem<string | null>('local:device-label', {
  fallback: null,
  version: 1,
});

/** What this device last stored as its session's sealed name: re-sealed when any part changes. */
export interface DeviceNameSentRecord {
  accountId: string;
  sessionId: string;
  keyVersion: number;
  device: string;
  label: string | null;
}

export const deviceNameSentItem = storage.defineItem<DeviceNameSentRecord | null>('local:device-name-sent', {
  fallback: null,
  version: 1,
});

/**
 * "A new device signed in" (the push channel's `session` event), until the user dismisses it. The
 * other device's name stays sealed as the server sent it; the worker opens it for the popup.
 */
export interface SignInNoticeRecord {
  accountId: string;
  sessionId: string;
  /** The sealed name as GET /v1/sessions gave it; null while the device has not named itself. */
  name: string | null;
  ip: string | null;
  at: string;
}

export const signInNoticeItem = storage.defineItem<SignInNoticeRecord | null>('local:sign-in-notice', {
  fallback: null,
  version: 1,
});

/** Hostnames where the user chose "Never for this site": no save/update prompt, no inline menu. */
export const neverSitesItem = storage.defineItem<string[]>('local:autofill-never', {
  fallback: [],
  version: 1,
});

/**
 * "A save prompt is waiting" — read by content scripts on page load so that only then do they wake
 * the service worker. A deadline, nothing about the site or the login.
 */
export const attentionItem = storage.defineItem<{ until: number } | null>('local:autofill-attention', {
  fallback: null,
});
