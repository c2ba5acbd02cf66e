import {
  CryptoError,
  DEFAULT_KDF,
  deriveAccountKeys,
  fromBase64Url,
  generateKeyBytes,
  importSymmetricKey,
  randomBytes,
  type SymmetricKey,
  toBase64Url,
  unwrapKey,
  validateKdfParams,
  wrapKey,
} from '../../shared-crypto/index.ts';
import { forgetHistory, resealHistory } from '../generator/history.ts';
import { raiseToFloor } from '../messaging/kdf-levels.ts';
import type { PasswordPolicy } from '../messaging/password-policy.ts';
import {
  ErrorCode,
  type ItemPage,
  type ItemSummary,
  type LogoutResult,
  type PasswordReminder,
  type RotationResult,
  type VaultState,
  VaultStatus,
} from '../messaging/protocol.ts';
import {
  type AccountRecord,
  accountItem,
  settingsItem,
  syncErrorItem,
  type UnlockSession,
  unlockSessionItem,
} from '../storage/items.ts';
import { ApiClient, ApiError, type ServerFacts } from './api-client.ts';
import {
  deviceAccessToken,
  endDeviceSession,
  forgetDeviceSession,
  forgetSessionNotes,
  storeDeviceSession,
} from './device-session.ts';
import { DeviceTokens, type TokenOutcome } from './device-tokens.ts';
import { forgetHealthScores } from './health-scores.ts';
import { vaultKeyAd } from './item-crypto.ts';
import { expiredTrash, NotInTrash } from './item-edits.ts';
import { readUnlockSession } from './kept-unlock.ts';
import {
  adoptServerKeys,
  checkPassword,
  type KeyedVault,
  KeyRotation,
  openAccountKeys,
  refreshVaultKeys,
} from './key-rotation.ts';
import { requireAcceptablePassword } from './new-master-password.ts';
import {
  cacheUnder,
  carryOver,
  sameVaultKey,
  signInWithNewPassword,
  unlockWithServerCredentials,
} from './password-changed-elsewhere.ts';
import { newPasswordHistory, sealPasswordHistory, withPassword } from './password-history.ts';
import { dismissPasswordReminder, forgetPasswordReminder, passwordReminder } from './password-reminder.ts';
import { syncRound } from './restore-reconcile.ts';
import { openStoredFirstPage, StagedOpen } from './staged-open.ts';
import { UnlockReadAhead } from './unlock-read-ahead.ts';
import { unlockUpkeep } from './unlock-upkeep.ts';
import {
  hasPendingChanges,
  mayReplaceLocalVault,
  pendingChanges,
  storedPendingChanges,
} from './unsynced-changes.ts';
import { applyDelete, emptyVault, itemsOf, NoSuchItem, type VaultData } from './vault-data.ts';
import { VaultError } from './vault-error.ts';
import { VaultImport } from './vault-import.ts';
import { type ItemsHost, VaultItems } from './vault-items.ts';
import { currentVersion, encodeRaw, importVaultKeys, VaultKeys } from './vault-keys.ts';
import { isFirstPage, type ListFilter, pageWithin } from './vault-list.ts';
import { resetVault } from './vault-reset.ts';
import {
  clearVault,
  type OpenFirstPage,
  openStoredVault,
  type SealedVault,
  writeVault,
} from './vault-store.ts';

/** What a feature module (password change, deletion, recovery key…) may use of the open vault, inside the vault's queue. */
export interface OpenVault {
  account: AccountRecord;
  /** The current vault key's raw bytes (b64u); the caller decodes and wipes its copy. */
  vaultKey: string;
  /** The auth key of the master password the vault was opened with (b64u). */
  authKey: string;
  api: ApiClient;
  /** A usable access token (`renew`: the server just refused the last one). */
  accessToken: (renew?: boolean) => Promise<string>;
  /** Replaces the stored account record (e.g. its cached recovery-key state). */
  saveAccount: (account: AccountRecord) => Promise<void>;
  /**
   * New credentials for the same vault key (a password change, a KDF upgrade): record, auth key and
   * the new password's raw wrapping key (b64u), which follows a rotation made elsewhere.
   */
  saveCredentials: (account: AccountRecord, authKey: string, wrappingKey: string) => Promise<void>;
  /** Forgets the account on this device: keys, cache, record and device session (the account is gone). */
  forgetAccount: () => Promise<void>;
}

/** What a feature module may use of a locked vault's account, inside the vault's queue (no keys). */
export interface LockedAccount {
  account: AccountRecord;
  api: ApiClient;
  /** An access token of the device session that survived the lock; SESSION_EXPIRED when there is none. */
  accessToken: () => Promise<string>;
}

/** What an unlock with the password hands the session it starts (startSession). */
interface UnlockAhead {
  /** Called once the password has opened the keys, before the vault opens. */
  opened: () => void;
  /** The sealed vault, read from disk while the key derivation ran. */
  sealed: Promise<SealedVault | null>;
}

interface Unlocked {
  account: AccountRecord;
  /** The vault keys by version (current, and a pending rotation's); see vault-keys.ts. */
  keys: VaultKeys;
  data: VaultData;
  session: UnlockSession;
}

/** What opening the vault needs of a master password: the sign-in key and the wrapping key, raw too. */
export interface PasswordKeys {
  authKey: Uint8Array;
  wrappingKey: SymmetricKey;
  wrappingKeyRaw: Uint8Array;
}

export interface VaultServiceDeps {
  makeApi: (baseUrl: string) => ApiClient;
  now: () => Date;
  newId: () => string;
}

const defaultDeps: VaultServiceDeps = {
  makeApi: (baseUrl) => new ApiClient(baseUrl),
  now: () => new Date(),
  newId: () => crypto.randomUUID(),
};

/**
 * The vault as the service worker holds it. All state-changing work runs through one queue so a
 * sync and an edit never interleave. After a worker restart, state is rebuilt from storage:
 * the account (local), the vault key (session, only while unlocked) and the sealed cache (local).
 */
/** The performance measure each unlock adds for its key derivation (bench/browser-unlock.ts reads it). */
export const UNLOCK_KDF_MEASURE = 'keyhold:unlock-kdf';
/**
 * The performance mark the worker sets once its script has run and every listener is registered:
 * its time is the worker's start-up cost, from the worker's own start (the bench reads it).
 */
export const WORKER_READY_MARK = 'keyhold:worker-ready';

export class VaultService {
  private unlocked: Unlocked | null = null;
  /** After an unlock from the store: the first page stored with the vault it opened (of `data`). */
  private unlockedFirst: {
    data: VaultData;
    version: number;
    page: Promise<OpenFirstPage | null>;
  } | null = null;
  private epoch = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private syncError: ErrorCode | null = null;
  /** What the item modules (list and edits, imports) may do with the unlocked vault. */
  private readonly itemsHost: ItemsHost = {
    data: async () => (await this.requireUnlocked()).data,
    listAhead: async () => (await this.staged.listAhead())?.entries ?? null,
    firstPageAhead: (filter) => this.firstPageAhead(filter),
    transact: (work) =>
      this.serial(async () => {
        const u = await this.requireUnlocked();
        let committed = false;
        const result = await work(u.data, this.deps.now().toISOString(), async (change) => {
          const out = await this.changeAndPersist(u, change);
          committed = true;
          return out;
        });
        if (committed) this.syncSoon();
        return result;
      }),
    newId: () => this.deps.newId(),
  };
  /** The items of the unlocked vault: list, detail, edits, trash (vault-items.ts). */
  readonly items = new VaultItems(this.itemsHost);
  /** An import in progress: its items wait in memory until added in one change (vault-import.ts). */
  readonly imports = new VaultImport(this.itemsHost);
  /** Key rotations, each step a unit of this queue (key-rotation.ts). */
  private readonly rotation = new KeyRotation((work) => this.withKeyedVault(work));
  /**
   * A rotation ended in ROTATION_INCOMPLETE (an item no device can re-wrap): not retried after
   * every sync until the next unlock or the user asks again.
   */
  private rotationStalled = false;
  /** A vault whose sealing to the device was put off (sealAfter) and has not succeeded yet. */
  private sealOwed: Unlocked | null = null;
  /** The server's part of the last unlock (afterUnlock), which the password's age waits for. */
  private unlockFollowUp: Promise<void> = Promise.resolve();
  /** The sealed vault read while the locked popup is shown, for the unlock that follows. */
  private readonly readAhead = new UnlockReadAhead();
  /** The device session's access token for the open vault (device-tokens.ts). */
  private readonly tokens = new DeviceTokens<Unlocked>({
    now: () => this.deps.now(),
    isOpen: (u) => this.unlocked === u,
    adoptKeys: async (u, api, token, reply) => {
      await adoptServerKeys(this.keyed(u, api, token), reply);
    },
    lock: async () => {
      this.detach();
      await unlockSessionItem.removeValue();
    },
  });
  /** After a worker start: the sealed vault opened again in stages, while the session holds its key. */
  private readonly staged = new StagedOpen<Unlocked>({
    current: () => this.unlocked,
    epoch: () => this.epoch,
    openWhole: () => this.loadFromStorage(),
    adopt: (opened) => {
      this.unlocked = opened;
      // A worker killed in the middle of a key rotation picks it up where it restarts.
      if (opened?.account.rotation?.drive) this.resumeRotationSoon();
    },
  });

  constructor(private readonly deps: VaultServiceDeps = defaultDeps) {}

  /**
   * Resolves once the work queued so far has run (a sign-in's sealing, an unlock's follow-up, a
   * sync); queues nothing. For whoever hands this device's storage to something else next.
   */
  async idle(): Promise<void> {
    await this.queue;
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * After a worker start, the popup's first page (the default view's first rows and its counts)
   * from the stored first page, before the list part is open. Null for any other page, or when the
   * list or the whole vault is open already, or nothing is stored (callers then read the list).
   */
  private async firstPageAhead(filter: ListFilter): Promise<ItemPage | null> {
    if (!isFirstPage(filter)) return null;
    if (this.unlocked) return this.unlockedFirstPage(filter);
    return this.staged.firstPageAhead(filter);
  }

  /**
   * Right after an unlock from the store, the popup's first page as stored with the vault that
   * was opened: while the list has not changed since and is not built yet (10,000 items take
   * about 100 ms to summarise and sort; the page costs nothing).
   */
  private async unlockedFirstPage(filter: ListFilter): Promise<ItemPage | null> {
    const hint = this.unlockedFirst;
    const fresh = () =>
      this.unlockedFirst === hint &&
      hint !== null &&
      this.unlocked?.data === hint.data &&
      this.items.listVersion === hint.version &&
      !this.items.isBuilt(hint.data);
    if (!fresh() || !hint) return null;
    const first = await hint.page;
    return first && fresh() ? pageWithin(first.page, filter.limit) : null;
  }

  private async loadFromStorage(): Promise<Unlocked | null> {
    // With "lock on browser restart" off, a restarted browser gets the kept session back (kept-unlock.ts).
    const [session, account] = await Promise.all([readUnlockSession(), accountItem.getValue()]);
    if (!session || !account || session.accountId !== account.accountId) return null;
    // A session written by an older version of the extension holds no keyring: unlock again.
    if (!session.vaultKeys || !session.wrappingKey) return null;
    const held = await importVaultKeys(session.vaultKeys);
    if (!held.has(currentVersion(account))) return null;
    const keys = VaultKeys.of(account, held);
    const { data, rewrite } = await this.loadCache(account, keys, held);
    const u = { account, keys, data, session };
    // A vault read from the old single-blob cache moves to the store now (nothing else changes).
    if (rewrite) await this.persist(u).catch(() => undefined);
    return u;
  }

  /**
   * Records the last sync's (or sign-in's) outcome, which the state reports; an open popup follows
   * a change through syncErrorItem.
   */
  private setSyncError(code: ErrorCode | null): void {
    if (code === this.syncError) return;
    this.syncError = code;
    void syncErrorItem.setValue(code).catch(() => undefined);
  }

  /** Replace the in-memory vault (null = locked) and invalidate any rebuild in flight. */
  private setUnlocked(u: Unlocked | null) {
    this.readAhead.drop();
    this.epoch++;
    this.unlocked = u;
    this.staged.reset();
    this.unlockedFirst = null;
    // A lock drops the vault from memory, this reference too; a new vault is sealed by its own writes.
    this.sealOwed = null;
    this.imports.clear();
  }

  /**
   * Opens the stored vault (vault-store.ts) with the key of the version that sealed it: one the
   * keyring or the session holds, or — after a crash between a key change and the re-sealing — the
   * copy of that key wrapped by the password that is stored beside it. `rewrite`: it must be
   * written again (the single-blob cache of earlier releases, or sealed under an old key version).
   */
  private async loadCache(
    account: AccountRecord,
    keys: VaultKeys,
    held: ReadonlyMap<number, SymmetricKey>,
    wrapping?: SymmetricKey,
    sealed?: Promise<SealedVault | null>,
  ): Promise<{ data: VaultData; rewrite: boolean; commit?: string | undefined }> {
    try {
      const stored = await openStoredVault(
        account.accountId,
        async (version, wrapped) => {
          const key = keys.get(version) ?? held.get(version);
          if (key || !wrapping || !wrapped) return key;
          return (await unwrapKey(wrapping, wrapped, vaultKeyAd(account.accountId, version))).key;
        },
        sealed,
      );
      if (!stored) return { data: emptyVault(), rewrite: false };
      return {
        data: stored.data,
        rewrite: stored.legacy || stored.keyVersion !== keys.writeVersion,
        commit: stored.commit,
      };
    } catch (e) {
      if (e instanceof CryptoError) throw new VaultError(ErrorCode.CorruptData);
      throw e;
    }
  }

  /** The password-wrapped copy of the vault key of `version`, as the account record holds it. */
  private static wrappedFor(account: AccountRecord, version: number): string | undefined {
    if (version === currentVersion(account)) return account.wrappedVaultKey;
    return account.rotation?.keyVersion === version ? account.rotation.wrappedVaultKey : undefined;
  }

  /**
   * Seals and stores `u` next in the queue, after the work running now has answered (a sign-in's
   * first sync: what was pulled is on the server, so a worker stopped before this ran loses nothing
   * and pulls it again). Lock and logout are queued behind it. A failure is the state's sync error
   * (STORAGE_FAILED, which an open popup follows), and the next sync round seals again (sealOwed).
   */
  private sealAfter(u: Unlocked): void {
    this.sealOwed = u;
    void this.serial(async () => {
      // Sealed already by a later write, or detached meanwhile (setUnlocked clears sealOwed: the
      // server ended the session): nothing more to write.
      if (this.sealOwed !== u) return;
      try {
        await this.persist(u);
      } catch (e) {
        if (e instanceof VaultError) this.setSyncError(e.code);
      }
    }).catch(() => undefined);
  }

  /** Seals and stores the vault; `listChanged: false` for writes that leave the item list as it is. */
  private async persist(u: Unlocked, listChanged = true): Promise<void> {
    if (listChanged) this.items.changed();
    const keyVersion = u.keys.writeVersion;
    const wrappedVaultKey = VaultService.wrappedFor(u.account, keyVersion);
    try {
      await writeVault(
        u.keys.writeKey,
        u.data,
        { accountId: u.account.accountId, keyVersion, wrappedVaultKey, pending: pendingChanges(u.data) },
        this.items.summariesOf(u.data),
      );
      if (this.sealOwed === u) this.sealOwed = null;
    } catch {
      // Quota or a full disk: the previous cache stays intact; callers undo or report.
      throw new VaultError(ErrorCode.StorageFailed);
    }
  }

  /**
   * A local change that is either in memory and on disk, or nowhere: if the cache cannot be
   * written, the items go back to what they were and the caller gets STORAGE_FAILED (the popup's
   * form keeps what the user typed).
   */
  private async changeAndPersist<T>(u: Unlocked, change: () => T): Promise<T> {
    const before = { ...u.data.items };
    const result = this.local(change);
    try {
      await this.persist(u);
    } catch (e) {
      u.data.items = before;
      this.items.changed();
      throw e;
    }
    return result;
  }

  private async requireUnlocked(): Promise<Unlocked> {
    const u = await this.staged.open();
    if (!u) throw new VaultError((await accountItem.getValue()) ? ErrorCode.Locked : ErrorCode.NoAccount);
    return u;
  }

  /**
   * The state as a page asks for it to show (the popup opening): a locked vault with an account is
   * about to be unlocked, so its sealed records are read ahead meanwhile (unlock-read-ahead.ts).
   */
  async shownState(): Promise<VaultState> {
    const state = await this.state();
    if (state.status === VaultStatus.Locked) this.readAhead.start();
    return state;
  }

  async state(): Promise<VaultState> {
    const [account, settings] = await Promise.all([accountItem.getValue(), settingsItem.getValue()]);
    // Right after a worker start the stored head and meta answer while the whole vault opens.
    const ahead = account ? await this.staged.metaAhead() : null;
    const u = account && !ahead ? await this.staged.open() : null;
    const sync = ahead
      ? {
          lastSyncAt: ahead.lastSyncAt,
          pending: ahead.head.pending,
          unreadable: ahead.unreadable,
        }
      : u
        ? {
            lastSyncAt: u.data.lastSyncAt,
            pending: pendingChanges(u.data),
            unreadable: Object.keys(u.data.unreadable ?? {}).length,
          }
        : { lastSyncAt: null, pending: 0, unreadable: 0 };
    const open = ahead !== null || u !== null;
    const status = !account ? VaultStatus.NoAccount : open ? VaultStatus.Unlocked : VaultStatus.Locked;
    return {
      status,
      email: account?.email ?? null,
      serverUrl: account?.serverUrl ?? settings.serverUrl,
      sync: { ...sync, error: open ? this.syncError : null },
    };
  }

  register(serverUrl: string, email: string, password: string): Promise<VaultState> {
    return this.serial(async () => {
      const accountId = this.deps.newId();
      // A new account always replaces whatever vault this device holds.
      await mayReplaceLocalVault({ serverUrl, email, accountId });
      const api = this.deps.makeApi(serverUrl);
      // Before the slow key derivation: is a Keyhold server we can talk to at this address, and
      // does the password meet its policy?
      const { policy } = await this.mapApi(() => api.checkServer());
      requireAcceptablePassword(password, email, policy, 'password');
      const salt = randomBytes(16);
      const kdf = raiseToFloor(DEFAULT_KDF, policy.kdfFloor);
      const derived = await deriveAccountKeys(password, salt, kdf);
      const { authKey, wrappingKey } = derived;
      const vaultKeyRaw = generateKeyBytes();
      const wrappedVaultKey = await wrapKey(wrappingKey, vaultKeyRaw, vaultKeyAd(accountId));
      // The history starts with this password, so that it cannot come back as one of the next five.
      const passwordHistory = await sealPasswordHistory(
        await withPassword(newPasswordHistory(accountId), password),
        await importSymmetricKey(vaultKeyRaw),
        1,
      );
      vaultKeyRaw.fill(0);
      const account: AccountRecord = {
        accountId,
        email,
        serverUrl,
        kdf,
        salt: toBase64Url(salt),
        wrappedVaultKey,
        keyVersion: 1,
        rotation: null,
      };
      await this.mapApi(() =>
        api.register({
          accountId,
          email,
          kdf,
          salt: account.salt,
          authKey: toBase64Url(authKey),
          wrappedVaultKey,
          passwordHistory,
        }),
      );
      await this.startSession(api, account, derived, emptyVault());
      return this.state();
    });
  }

  /** The master-password policy of a server (the one given, else this account's, else the default address). */
  async passwordPolicy(serverUrl?: string): Promise<PasswordPolicy> {
    const url =
      serverUrl ?? (await accountItem.getValue())?.serverUrl ?? (await settingsItem.getValue()).serverUrl;
    return (await this.mapApi(() => this.deps.makeApi(url).checkServer())).policy;
  }

  login(serverUrl: string, email: string, password: string): Promise<VaultState> {
    return this.serial(async () => {
      await mayReplaceLocalVault({ serverUrl, email });
      const api = this.deps.makeApi(serverUrl);
      await this.mapApi(() => api.checkServer());
      const pre = await this.mapApi(() => api.prelogin(email));
      const kdf = this.checkKdf(pre.kdf);
      const derived = await deriveAccountKeys(password, fromBase64Url(pre.salt), kdf);
      const reply = await this.mapApi(() => api.login({ email, authKey: toBase64Url(derived.authKey) }));
      const account: AccountRecord = {
        accountId: reply.accountId,
        email,
        serverUrl,
        kdf,
        salt: pre.salt,
        wrappedVaultKey: reply.wrappedVaultKey,
        keyVersion: reply.keyVersion,
        // A rotation pending on another device: read here, driven there.
        rotation: reply.rotation && { ...reply.rotation, recorded: true, drive: false },
      };
      // Another account's local vault is replaced, but never while it holds unsynced changes.
      if (await mayReplaceLocalVault(account)) await clearVault();
      await this.startSession(api, account, derived, null, reply);
      // The whole vault is pulled into memory and the popup shows it; sealing it to the device
      // (~600 ms for 10,000 items) follows next in this queue (sealAfter).
      await this.syncLocked('after');
      return this.state();
    });
  }

  /** Unlock with the master password. Works offline from the local cache; signs in to the server when it can. */
  unlock(password: string): Promise<VaultState> {
    return this.serial(async () => {
      const account = await accountItem.getValue();
      if (!account) throw new VaultError(ErrorCode.NoAccount);
      const api = this.deps.makeApi(account.serverUrl);
      // The server's policy, which the upkeep after an unlock reads (unlock-upkeep.ts): asked for
      // once the password opened the keys, so that the answer is in by the time the vault is open.
      let facts: Promise<ServerFacts> | undefined;
      const askFacts = () => {
        facts = api.checkServer();
        facts.catch(() => undefined);
      };
      // The sealed vault, read while the locked popup was shown or from now, while the key is derived.
      const sealed = this.readAhead.take();
      const kdfStart = performance.now();
      const derived = await deriveAccountKeys(password, fromBase64Url(account.salt), account.kdf);
      // The KDF's share of an unlock, for the benchmarks (a timing, never a value of the password).
      performance.measure(UNLOCK_KDF_MEASURE, { start: kdfStart, end: performance.now() });
      let settle: (() => Promise<void>) | null = null;
      try {
        settle = await this.startSession(api, account, derived, null, undefined, {
          opened: askFacts,
          sealed,
        });
      } catch (e) {
        if (!(e instanceof VaultError && e.code === ErrorCode.WrongPassword)) throw e;
        // Not this device's password: perhaps the new one, set on another device.
        const changed = await unlockWithServerCredentials(api, account, password);
        if (!changed) throw e;
        const data = await cacheUnder(account, changed.vaultKey);
        await this.startSession(api, changed.account, changed, data, changed.reply);
      }
      const u = this.unlocked;
      // The vault is open: the popup shows it now. The device session's refresh with the server
      // (started while the vault opened), what needs the password, the first sync and a rotation's
      // resumption follow in this queue; an open popup follows their outcome (syncErrorItem).
      if (u)
        this.unlockFollowUp = this.serial(() => this.afterUnlock(u, password, facts, settle)).catch(
          () => undefined,
        );
      void this.syncNow().catch(() => undefined);
      this.rotationStalled = false;
      return this.state();
    });
  }

  /** The part of an unlock that needs the server, once the vault `u` is open (see unlock). */
  private async afterUnlock(
    u: Unlocked,
    password: string,
    facts: Promise<ServerFacts> | undefined,
    settle: (() => Promise<void>) | null,
  ): Promise<void> {
    // Locked (or another vault opened) meanwhile: this unlock's work is void.
    if (this.unlocked !== u) return;
    if (settle) await settle();
    // Signed in: the policy's KDF floor and the password's age, while the password is at hand.
    if (this.unlocked === u && this.syncError === null)
      await unlockUpkeep(this.openVaultOf(u), password, facts).catch(() => undefined);
    // A rotation interrupted before the lock (or the browser closed) goes on from where it stopped.
    if (this.unlocked?.account.rotation?.drive) this.resumeRotationSoon();
  }

  /**
   * "Log in again" after PASSWORD_CHANGED_ELSEWHERE, locked or not: signs in with the new password
   * (the server's new salt and KDF), opens the new wrapped vault key and keeps every local edit,
   * then pushes them.
   */
  signInAgain(password: string): Promise<VaultState> {
    return this.serial(async () => {
      const account = await accountItem.getValue();
      if (!account) throw new VaultError(ErrorCode.NoAccount);
      const api = this.deps.makeApi(account.serverUrl);
      const signedIn = await this.mapApi(() => signInWithNewPassword(api, account, password));
      const u = await this.staged.open();
      const mine = u?.keys.get(currentVersion(signedIn.account));
      const data = u
        ? carryOver(u.data, mine !== undefined && sameVaultKey(mine, signedIn.vaultKey))
        : await cacheUnder(account, signedIn.vaultKey);
      await this.startSession(api, signedIn.account, signedIn, data, signedIn.reply);
      await this.syncLocked();
      return this.state();
    });
  }

  private checkKdf(kdf: unknown) {
    try {
      // A server could send weak parameters to make a stolen auth key cheap to attack: refuse them.
      return validateKdfParams(kdf);
    } catch {
      throw new VaultError(ErrorCode.ServerError);
    }
  }

  private async startSession(
    api: ApiClient,
    opening: AccountRecord,
    derived: PasswordKeys,
    data: VaultData | null,
    loginReply?: { accessToken: string; refreshToken: string; accessExpiresAt: string },
    unlocking?: UnlockAhead,
  ): Promise<(() => Promise<void>) | null> {
    const { authKey, wrappingKey, wrappingKeyRaw } = derived;
    let account: AccountRecord;
    let raw: Map<number, Uint8Array>;
    try {
      ({ account, raw } = await openAccountKeys(opening, wrappingKey));
    } catch (e) {
      if (e instanceof CryptoError && e.code === 'WRONG_KEY') throw new VaultError(ErrorCode.WrongPassword);
      if (e instanceof CryptoError) throw new VaultError(ErrorCode.CorruptData);
      throw e;
    }
    unlocking?.opened();
    const vaultKeys: Record<string, string> = {};
    for (const [version, bytes] of raw) vaultKeys[version] = encodeRaw(bytes);
    const session: UnlockSession = {
      accountId: account.accountId,
      vaultKeys,
      wrappingKey: encodeRaw(wrappingKeyRaw),
      authKey: toBase64Url(authKey),
    };
    authKey.fill(0);
    // An unlock refreshes the device session (resumeDeviceSession): its round trip to the server
    // runs while the vault opens here, not after it.
    const resumed = loginReply ? null : this.tokens.request(account, session, api, true, true);
    const held = await importVaultKeys(vaultKeys);
    const keys = VaultKeys.of(account, held);
    const loaded = data
      ? { data, rewrite: true }
      : await this.loadCache(account, keys, held, wrappingKey, unlocking?.sealed);
    const unlocked: Unlocked = { account, keys, data: loaded.data, session };
    await accountItem.setValue(account);
    await unlockSessionItem.setValue(session);
    this.setUnlocked(unlocked);
    // The list's first page as stored with the vault just opened answers the popup while the rest
    // of the list is built (firstPageAhead).
    const commit = loaded.rewrite ? undefined : loaded.commit;
    if (commit)
      this.unlockedFirst = {
        data: unlocked.data,
        version: this.items.listVersion,
        page: openStoredFirstPage()
          .then((f) => (f?.head.commit === commit ? f : null))
          .catch(() => null),
      };
    // A vault read from the store is already there; re-sealing megabytes on every unlock is waste —
    // unless it was sealed under a key version the keyring no longer writes with (or is the old cache).
    if (loaded.rewrite) await this.persist(unlocked);
    if (resumed) {
      const settle = () => this.resumeDeviceSession(unlocked, api, resumed);
      // An unlock answers once the vault is open and settles the refresh after (unlock).
      if (unlocking) return settle;
      await settle();
    } else if (loginReply) {
      await storeDeviceSession(account.accountId, loginReply);
      this.setSyncError(null);
    }
    return null;
  }

  /**
   * Unlock refreshes the device session that locking kept (a new sign-in only when the server ended
   * it). Offline, or refused: the vault still opens from the local cache and the state says why.
   * `requested`: the token request the unlock started while the vault opened (startSession).
   */
  private async resumeDeviceSession(
    u: Unlocked,
    api: ApiClient,
    requested: Promise<TokenOutcome>,
  ): Promise<void> {
    try {
      // The password was just typed: a session ended meanwhile is signed in again (session-ended.ts).
      await this.tokens.settle(u, api, await requested);
      this.setSyncError(null);
    } catch (e) {
      if (e instanceof ApiError || e instanceof VaultError) this.setSyncError(e.code);
      else this.setSyncError(ErrorCode.ServerUnreachable);
    }
  }

  /**
   * Wipe keys and decrypted data from memory and session storage. The device session on the server
   * stays (local storage): unlock refreshes it, log out ends it.
   */
  lock(): Promise<VaultState> {
    return this.serial(async () => {
      this.detach();
      await unlockSessionItem.removeValue();
      return this.state();
    });
  }

  /**
   * Sign this device out and forget the account and its local cache. Changes the server has not
   * acknowledged are pushed first (when unlocked and the server answers); any that remain are only
   * dropped when the user chose to discard them — otherwise nothing at all changes.
   */
  logout(discardUnsynced = false): Promise<LogoutResult> {
    return this.serial(async () => {
      if (!discardUnsynced) {
        const pending = await this.unsyncedAfterTryingToPush();
        if (pending !== 0) return { status: 'unsynced', pending, state: await this.state() };
      }
      const account = await accountItem.getValue();
      // Also when locked: the device session outlives the lock.
      if (account) await endDeviceSession(this.deps.makeApi(account.serverUrl), account, this.deps.now());
      await this.forgetLocalAccount();
      return { status: 'logged-out', state: await this.state() };
    });
  }

  /** Forgets the account on this device: keys, decrypted data, sealed cache, record, device session. */
  private async forgetLocalAccount(): Promise<void> {
    this.detach();
    await Promise.all([
      unlockSessionItem.removeValue(),
      clearVault(),
      accountItem.removeValue(),
      forgetDeviceSession(),
      forgetSessionNotes(),
      forgetPasswordReminder(),
      forgetHistory(),
      forgetHealthScores(),
    ]);
  }

  /** Runs `work` in the vault's queue with the open vault (LOCKED / NO_ACCOUNT when there is none). */
  withOpenVault<T>(work: (v: OpenVault) => Promise<T>): Promise<T> {
    return this.serial(async () => {
      const u = await this.requireUnlocked();
      return this.mapApi(() => work(this.openVaultOf(u)));
    });
  }

  private openVaultOf(u: Unlocked): OpenVault {
    const api = this.deps.makeApi(u.account.serverUrl);
    return {
      // Getters: a step of `work` that replaced the record or the auth key is seen by the next one.
      get account() {
        return u.account;
      },
      get vaultKey() {
        return u.session.vaultKeys[currentVersion(u.account)] as string;
      },
      get authKey() {
        return u.session.authKey;
      },
      api,
      accessToken: (renew = false) => this.tokens.forVault(u, api, renew),
      saveAccount: async (account) => {
        await accountItem.setValue(account);
        u.account = account;
      },
      saveCredentials: async (account, authKey, wrappingKey) => {
        const session = { ...u.session, authKey, wrappingKey };
        await Promise.all([accountItem.setValue(account), unlockSessionItem.setValue(session)]);
        u.account = account;
        u.session = session;
      },
      forgetAccount: () => this.forgetLocalAccount(),
    };
  }

  /** The optional reminder to change an old master password (docs/accounts.md). */
  async passwordReminder(): Promise<PasswordReminder> {
    // The unlock that just answered records the password's age after it (unlock-upkeep.ts).
    await this.unlockFollowUp;
    const account = await accountItem.getValue();
    if (!account) return { due: false, passwordChangedAt: null, days: null };
    return passwordReminder(account.accountId, this.deps.now());
  }

  async dismissPasswordReminder(): Promise<void> {
    const account = await accountItem.getValue();
    if (account) await dismissPasswordReminder(account.accountId, this.deps.now());
  }

  /**
   * Vault reset from the unlock screen (vault-reset.ts): every item deleted on the server, a fresh
   * empty vault under the new master password, open.
   */
  async resetVault(email: string, newPassword: string): Promise<VaultState> {
    const fresh = await this.withLockedAccount(async (l) =>
      resetVault(l, email, newPassword, (await l.api.checkServer()).policy),
    );
    // A new vault key: nothing sealed under the old one can be read again.
    await Promise.all([clearVault(), forgetHistory(), forgetHealthScores()]);
    return this.openWithCredentials(
      this.deps.makeApi(fresh.account.serverUrl),
      fresh.account,
      fresh,
      emptyVault(),
    );
  }

  /** Runs `work` in the vault's queue with the account of a locked vault (NO_ACCOUNT without one). */
  withLockedAccount<T>(work: (l: LockedAccount) => Promise<T>): Promise<T> {
    return this.serial(async () => {
      const account = await accountItem.getValue();
      if (!account) throw new VaultError(ErrorCode.NoAccount);
      const api = this.deps.makeApi(account.serverUrl);
      const now = this.deps.now();
      return this.mapApi(() =>
        work({ account, api, accessToken: () => deviceAccessToken({ api, account, authKey: null, now }) }),
      );
    });
  }

  /**
   * Opens the vault with credentials just set or learnt from the server (a vault reset, a password
   * changed elsewhere): `data` null keeps this account's local cache (same vault key), a VaultData
   * replaces it. The device session is the login's when one is given. Then syncs.
   */
  openWithCredentials(
    api: ApiClient,
    account: AccountRecord,
    derived: PasswordKeys,
    data: VaultData | null,
    reply?: { accessToken: string; refreshToken: string; accessExpiresAt: string },
  ): Promise<VaultState> {
    return this.serial(async () => {
      await this.startSession(api, account, derived, data, reply);
      await this.syncLocked();
      return this.state();
    });
  }

  /** Unsynced local changes once a push was tried (unlocked only: a locked vault cannot be read). */
  private async unsyncedAfterTryingToPush(): Promise<number | null> {
    const u = await this.staged.open().catch(() => null);
    if (!u) return storedPendingChanges();
    if (pendingChanges(u.data) > 0) await this.syncLocked();
    return pendingChanges(u.data);
  }

  /** Drop the in-memory vault and invalidate any rebuild in flight. */
  private detach(): void {
    this.setUnlocked(null);
    this.setSyncError(null);
  }

  /** Every live item (not in the trash): favorites first, then by title (tests and benches). */
  async listItems(): Promise<ItemSummary[]> {
    return (await this.items.listPage({ query: '', limit: Number.MAX_SAFE_INTEGER, view: 'all', folder: '' }))
      .items;
  }

  /** The decrypted vault for a read-only report in this worker (vault-health.ts); never sent out. */
  async readVault(): Promise<VaultData> {
    return (await this.requireUnlocked()).data;
  }

  /** Remembers that a login was just filled, so it ranks first next time. */
  markUsed(id: string): Promise<void> {
    return this.serial(async () => {
      const u = await this.staged.open();
      if (!u?.data.items[id]) return;
      const before = u.data.lastUsed;
      u.data.lastUsed = { ...before, [id]: this.deps.now().toISOString() };
      // Only a ranking hint: when it cannot be stored, forget it rather than fail the fill.
      await this.persist(u, false).catch(() => {
        u.data.lastUsed = before;
      });
    });
  }

  async isUnlocked(): Promise<boolean> {
    return (await this.staged.open()) !== null;
  }

  async hasAccount(): Promise<boolean> {
    return (await accountItem.getValue()) !== null;
  }

  private local<T>(change: () => T): T {
    try {
      return change();
    } catch (e) {
      if (e instanceof NoSuchItem) throw new VaultError(ErrorCode.NotFound);
      if (e instanceof NotInTrash) throw new VaultError(ErrorCode.NotInTrash);
      throw e;
    }
  }

  private syncSoon() {
    queueMicrotask(() => void this.syncNow().catch(() => undefined));
  }

  /**
   * For the push channel and account activity: the server and a usable access token while
   * unlocked; null when locked. Throws (ApiError) when the server cannot be reached, so the
   * channel backs off.
   */
  channelAuth(renew: boolean): Promise<{ serverUrl: string; accessToken: string } | null> {
    return this.serial(async () => {
      const u = await this.staged.open();
      if (!u) return null;
      const api = this.deps.makeApi(u.account.serverUrl);
      return { serverUrl: u.account.serverUrl, accessToken: await this.tokens.forVault(u, api, renew) };
    });
  }

  /**
   * The push channel reported the account's revision (on every (re)connect and change): sync if
   * the server is ahead of us, or if edits made while it was unreachable are still pending — the
   * channel's reconnect backoff is what retries them, without a busy loop.
   */
  async remoteRevision(revision: number): Promise<void> {
    const u = await this.staged.open();
    if (!u) return;
    if (revision > u.data.revision || hasPendingChanges(u.data)) await this.syncNow();
  }

  /** Push local changes and pull remote ones. Errors are recorded in the state, not thrown at the popup. */
  syncNow(): Promise<VaultState> {
    return this.serial(async () => {
      if (!(await this.staged.open())) return this.state();
      await this.syncLocked();
      return this.state();
    });
  }

  /**
   * One sync round of the open vault; errors go to the state. `seal: 'after'` (a sign-in's first
   * sync, where everything pulled is on the server): the vault is sealed to the device next in the
   * queue instead of before this returns (sealAfter).
   */
  private async syncLocked(seal: 'now' | 'after' = 'now'): Promise<void> {
    const u = this.unlocked;
    if (!u) return;
    // Items trashed more than TRASH_DAYS ago are deleted for good, on every device, even offline.
    const expired = expiredTrash(u.data, this.deps.now());
    if (expired.length > 0) {
      const now = this.deps.now().toISOString();
      await this.changeAndPersist(u, () => {
        for (const id of expired) applyDelete(u.data, id, now);
      }).catch(() => undefined);
    }
    const api = this.deps.makeApi(u.account.serverUrl);
    try {
      try {
        await this.syncRound(u, api, false, seal);
      } catch (e) {
        // The token looked valid to our clock but the server refused it (skew, revocation): sign in again once.
        if (!(e instanceof ApiError && e.status === 401)) throw e;
        await this.syncRound(u, api, true, seal);
      }
      this.setSyncError(null);
      // The server answers again: a rotation this device drives, interrupted earlier, goes on.
      if (u.account.rotation?.drive && !this.rotationStalled) this.resumeRotationSoon();
    } catch (e) {
      if (e instanceof ApiError || e instanceof VaultError) this.setSyncError(e.code);
      else if (e instanceof CryptoError) this.setSyncError(ErrorCode.CorruptData);
      else throw e;
    }
  }

  private async syncRound(
    u: Unlocked,
    api: ApiClient,
    renewToken: boolean,
    seal: 'now' | 'after' = 'now',
  ): Promise<void> {
    const accessToken = await this.tokens.forVault(u, api, renewToken);
    const ctx = {
      api,
      accessToken,
      accountId: u.account.accountId,
      keys: u.keys,
      // Inside this queue already: the keyed vault's calls must not queue again.
      refreshKeys: () => refreshVaultKeys(this.keyed(u, api, accessToken)),
      ...this.deps,
    };
    // What the round may change, taken in one walk of the items (10,000 in a large vault).
    const items = u.data.items;
    const all = itemsOf(u.data);
    const count = all.length;
    const dirty = all.filter((i) => i.dirty);
    const revision = u.data.revision;
    try {
      // Push, then pull; a restored server is reconciled with first (restore-reconcile.ts).
      await syncRound(ctx, u.data);
      u.data.lastSyncAt = this.deps.now().toISOString();
    } finally {
      // Whatever was acknowledged is kept, even when a later step failed. A round that changed
      // nothing (a sync that failed offline with edits pending, every minute) does not re-seal the
      // cache: a pull moves the revision, and an acknowledged push or a conflict replaces, adds or
      // removes an item.
      const now = u.data.items;
      const changed =
        this.sealOwed === u ||
        now !== items ||
        u.data.revision !== revision ||
        dirty.some((i) => now[i.id] !== i) ||
        Object.keys(now).length !== count;
      if (changed && seal === 'after') this.sealAfter(u);
      else if (changed) await this.persist(u);
    }
  }

  /**
   * "Rotate encryption key": the master password is checked on this device (it must open the
   * current vault key), then a new vault key replaces it (key-rotation.ts). The reply says whether
   * the server cleared a recovery key, which wrapped the old vault key.
   */
  /** Checks the master password on this device (WRONG_PASSWORD), for actions that ask for it again. */
  async checkMasterPassword(password: string): Promise<void> {
    const u = await this.requireUnlocked();
    await checkPassword(u.account, password);
  }

  async rotateVaultKey(password: string): Promise<RotationResult> {
    const u = await this.requireUnlocked();
    await checkPassword(u.account, password);
    this.rotationStalled = false;
    try {
      const outcome = await this.rotation.rotate();
      this.setSyncError(null);
      return { ...outcome, state: await this.state() };
    } catch (e) {
      if (e instanceof VaultError && e.code === ErrorCode.RotationIncomplete) this.rotationStalled = true;
      const started = this.unlocked?.account.rotation?.drive === true;
      if (started && e instanceof ApiError && (e.status === 0 || e.status >= 500)) {
        // Stopped half-way with the server gone: nothing is lost and it resumes by itself.
        throw new VaultError(ErrorCode.RotationInterrupted, e.detail);
      }
      throw this.asVaultError(e);
    }
  }

  private resumeRotationSoon() {
    queueMicrotask(
      () =>
        void this.rotation.resume().catch((e: unknown) => {
          // Shown as the sync line says it; the next sync or unlock tries again.
          const failure = this.asVaultError(e);
          if (failure.code === ErrorCode.RotationIncomplete) this.rotationStalled = true;
          if (failure.code !== ErrorCode.Locked) this.setSyncError(failure.code);
        }),
    );
  }

  private asVaultError(e: unknown): VaultError {
    if (e instanceof VaultError) return e;
    if (e instanceof ApiError) return new VaultError(e.code, e.detail);
    if (e instanceof CryptoError) return new VaultError(ErrorCode.CorruptData);
    throw e;
  }

  /** A rotation step in this queue, on the unlocked vault; a refused token is renewed and the step run again. */
  private withKeyedVault<T>(work: (v: KeyedVault) => Promise<T>): Promise<T> {
    return this.serial(async () => {
      const u = await this.requireUnlocked();
      const api = this.deps.makeApi(u.account.serverUrl);
      try {
        return await work(this.keyed(u, api));
      } catch (e) {
        // Steps are idempotent, so one re-run with a fresh session is safe.
        if (!(e instanceof ApiError && e.status === 401)) throw e;
        return work(this.keyed(u, api, await this.tokens.forVault(u, api, true)));
      }
    });
  }

  /** The unlocked vault as key-rotation.ts sees it. Runs inside the queue: nothing here queues again. */
  private keyed(u: Unlocked, api: ApiClient, token?: string): KeyedVault {
    return {
      get account() {
        return u.account;
      },
      get keys() {
        return u.keys;
      },
      get data() {
        return u.data;
      },
      api,
      accessToken: async () => token ?? this.tokens.forVault(u, api),
      wrappingKey: async () => {
        const raw = fromBase64Url(u.session.wrappingKey);
        try {
          return await importSymmetricKey(raw);
        } finally {
          raw.fill(0);
        }
      },
      setKeys: (account, opened) => this.setKeys(u, account, opened),
      persist: () => this.persist(u),
    };
  }

  /**
   * A new account record and keyring, in the order that keeps every stored state openable: the raw
   * keys into the session, the record, the cache sealed under the new write key (a cache still
   * under the old key carries that key wrapped by the password), then the session pruned to the
   * keys the record names.
   */
  private async setKeys(
    u: Unlocked,
    account: AccountRecord,
    opened: ReadonlyMap<number, Uint8Array> = new Map(),
  ): Promise<VaultKeys> {
    if (this.unlocked !== u) throw new VaultError(ErrorCode.Locked);
    const all = { ...u.session.vaultKeys };
    for (const [version, raw] of opened) all[version] = encodeRaw(raw);
    u.session = { ...u.session, vaultKeys: all };
    await unlockSessionItem.setValue(u.session);
    await accountItem.setValue(account);
    u.account = account;
    const held = await importVaultKeys(all);
    u.keys = VaultKeys.of(account, held);
    await this.persist(u, false);
    // While the old key is still held: the generator history follows the current key version.
    await resealHistory(account.accountId, held, u.keys.current);
    const kept: Record<string, string> = {};
    for (const version of [u.keys.current, u.keys.pending]) {
      const raw = version === null ? undefined : all[version];
      if (version !== null && raw) kept[version] = raw;
    }
    u.session = { ...u.session, vaultKeys: kept };
    await unlockSessionItem.setValue(u.session);
    return u.keys;
  }

  private async mapApi<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (e) {
      if (e instanceof ApiError) throw new VaultError(e.code, e.detail);
      throw e;
    }
  }
}
