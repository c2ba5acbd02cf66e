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
import {
  ErrorCode,
  type ItemDetail,
  type ItemFields,
  type ItemPage,
  type ItemSummary,
  type LogoutResult,
  type VaultState,
  VaultStatus,
} from '../messaging/protocol.ts';
import {
  type AccountRecord,
  accountItem,
  settingsItem,
  type UnlockSession,
  unlockSessionItem,
  vaultCacheItem,
} from '../storage/items.ts';
import { ApiClient, ApiError } from './api-client.ts';
import { openVault, sealVault, vaultKeyAd } from './item-crypto.ts';
import { pullChanges, pushDirty } from './sync-engine.ts';
import { mayReplaceLocalVault, pendingChanges, storedPendingChanges } from './unsynced-changes.ts';
import { applyDelete, applyEdit, emptyVault, NoSuchItem, type VaultData } from './vault-data.ts';
import { VaultError } from './vault-error.ts';

/** What a feature module (recovery key) may use of the open vault, inside the vault's queue. */
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
}

export interface AutofillLogin {
  id: string;
  fields: ItemFields;
  uris: ItemFields['uris'];
  lastUsedAt?: string;
}

interface Unlocked {
  account: AccountRecord;
  vaultKey: SymmetricKey;
  data: VaultData;
  session: UnlockSession;
}

const DEVICE_NAME = 'Keyhold browser extension';
interface SummaryEntry {
  summary: ItemSummary;
  search: string;
}

/** One collator for every sort: `localeCompare` builds one per call, which dominates a 10,000-item sort. */
const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

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
export class VaultService {
  private unlocked: Unlocked | null = null;
  private restoring: Promise<Unlocked | null> | null = null;
  private epoch = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private lastSyncError: ErrorCode | null = null;
  private summaries: { data: VaultData; list: SummaryEntry[] } | null = null;

  constructor(private readonly deps: VaultServiceDeps = defaultDeps) {}

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Rebuild the unlocked state after a worker restart, if the session still holds the key.
   * Single-flight, and discarded if a lock/unlock happened meanwhile (the epoch moved): a slow
   * rebuild must never resurrect a locked vault or replace a newer in-memory one.
   */
  private restore(): Promise<Unlocked | null> {
    if (this.unlocked) return Promise.resolve(this.unlocked);
    if (!this.restoring) {
      const epoch = this.epoch;
      this.restoring = this.loadFromStorage()
        .then((loaded) => {
          if (epoch === this.epoch && !this.unlocked) this.unlocked = loaded;
          return this.unlocked;
        })
        .finally(() => {
          this.restoring = null;
        });
    }
    return this.restoring;
  }

  private async loadFromStorage(): Promise<Unlocked | null> {
    const [session, account] = await Promise.all([unlockSessionItem.getValue(), accountItem.getValue()]);
    if (!session || !account || session.accountId !== account.accountId) return null;
    const vaultKey = await importSymmetricKey(fromBase64Url(session.vaultKey));
    const data = await this.loadCache(account, vaultKey);
    return { account, vaultKey, data, session };
  }

  /** Replace the in-memory vault (null = locked) and invalidate any rebuild in flight. */
  private setUnlocked(u: Unlocked | null) {
    this.epoch++;
    this.unlocked = u;
  }

  private async loadCache(account: AccountRecord, vaultKey: SymmetricKey): Promise<VaultData> {
    const cache = await vaultCacheItem.getValue();
    if (!cache || cache.accountId !== account.accountId) return emptyVault();
    try {
      return await openVault(vaultKey, account.accountId, cache.sealed);
    } catch (e) {
      if (e instanceof CryptoError) throw new VaultError(ErrorCode.CorruptData);
      throw e;
    }
  }

  /** Seals and stores the vault; `listChanged: false` for writes that leave the item list as it is. */
  private async persist(u: Unlocked, listChanged = true): Promise<void> {
    if (listChanged) this.summaries = null;
    const sealed = await sealVault(u.vaultKey, u.account.accountId, u.data);
    try {
      await vaultCacheItem.setValue({
        accountId: u.account.accountId,
        sealed,
        pending: pendingChanges(u.data),
      });
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
      this.summaries = null;
      throw e;
    }
    return result;
  }

  private async requireUnlocked(): Promise<Unlocked> {
    const u = await this.restore();
    if (!u) throw new VaultError((await accountItem.getValue()) ? ErrorCode.Locked : ErrorCode.NoAccount);
    return u;
  }

  async state(): Promise<VaultState> {
    const [account, settings] = await Promise.all([accountItem.getValue(), settingsItem.getValue()]);
    const u = account ? await this.restore() : null;
    const status = !account ? VaultStatus.NoAccount : u ? VaultStatus.Unlocked : VaultStatus.Locked;
    return {
      status,
      email: account?.email ?? null,
      serverUrl: account?.serverUrl ?? settings.serverUrl,
      sync: {
        lastSyncAt: u?.data.lastSyncAt ?? null,
        pending: u ? pendingChanges(u.data) : 0,
        unreadable: u ? Object.keys(u.data.unreadable ?? {}).length : 0,
        error: u ? this.lastSyncError : null,
      },
    };
  }

  register(serverUrl: string, email: string, password: string): Promise<VaultState> {
    return this.serial(async () => {
      const accountId = this.deps.newId();
      // A new account always replaces whatever vault this device holds.
      await mayReplaceLocalVault({ serverUrl, email, accountId });
      const api = this.deps.makeApi(serverUrl);
      // Before the slow key derivation: is a Keyhold server we can talk to at this address?
      await this.mapApi(() => api.checkServer());
      const salt = randomBytes(16);
      const kdf = DEFAULT_KDF;
      const { authKey, wrappingKey } = await deriveAccountKeys(password, salt, kdf);
      const vaultKeyRaw = generateKeyBytes();
      const wrappedVaultKey = await wrapKey(wrappingKey, vaultKeyRaw, vaultKeyAd(accountId));
      vaultKeyRaw.fill(0);
      const account: AccountRecord = {
        accountId,
        email,
        serverUrl,
        kdf,
        salt: toBase64Url(salt),
        wrappedVaultKey,
      };
      await this.mapApi(() =>
        api.register({
          accountId,
          email,
          kdf,
          salt: account.salt,
          authKey: toBase64Url(authKey),
          wrappedVaultKey,
        }),
      );
      await this.startSession(api, account, authKey, wrappingKey, emptyVault());
      return this.state();
    });
  }

  login(serverUrl: string, email: string, password: string): Promise<VaultState> {
    return this.serial(async () => {
      await mayReplaceLocalVault({ serverUrl, email });
      const api = this.deps.makeApi(serverUrl);
      await this.mapApi(() => api.checkServer());
      const pre = await this.mapApi(() => api.prelogin(email));
      const kdf = this.checkKdf(pre.kdf);
      const { authKey, wrappingKey } = await deriveAccountKeys(password, fromBase64Url(pre.salt), kdf);
      const reply = await this.mapApi(() =>
        api.login({ email, authKey: toBase64Url(authKey), deviceName: DEVICE_NAME }),
      );
      const account: AccountRecord = {
        accountId: reply.accountId,
        email,
        serverUrl,
        kdf,
        salt: pre.salt,
        wrappedVaultKey: reply.wrappedVaultKey,
      };
      // Another account's local vault is replaced, but never while it holds unsynced changes.
      if (await mayReplaceLocalVault(account)) await vaultCacheItem.removeValue();
      await this.startSession(api, account, authKey, wrappingKey, null, reply);
      await this.syncLocked();
      return this.state();
    });
  }

  /** Unlock with the master password. Works offline from the local cache; signs in to the server when it can. */
  unlock(password: string): Promise<VaultState> {
    return this.serial(async () => {
      const account = await accountItem.getValue();
      if (!account) throw new VaultError(ErrorCode.NoAccount);
      const { authKey, wrappingKey } = await deriveAccountKeys(
        password,
        fromBase64Url(account.salt),
        account.kdf,
      );
      await this.startSession(this.deps.makeApi(account.serverUrl), account, authKey, wrappingKey, null);
      void this.syncNow().catch(() => undefined);
      return this.state();
    });
  }

  /**
   * Opens the vault with the credentials a recovery just set on the server (recovery-key.ts), as a
   * login does: this account's local cache is kept — its unsynced edits are pushed now, under the
   * same vault key — and a new device starts empty and pulls everything.
   */
  openRecovered(
    api: ApiClient,
    account: AccountRecord,
    authKey: Uint8Array,
    wrappingKey: SymmetricKey,
    reply: { accessToken: string; refreshToken: string; accessExpiresAt: string },
  ): Promise<VaultState> {
    return this.serial(async () => {
      if (await mayReplaceLocalVault(account)) await vaultCacheItem.removeValue();
      await this.startSession(api, account, authKey, wrappingKey, null, reply);
      await this.syncLocked();
      return this.state();
    });
  }

  /** Runs `work` in the vault's queue with the open vault (LOCKED / NO_ACCOUNT when there is none). */
  withOpenVault<T>(work: (v: OpenVault) => Promise<T>): Promise<T> {
    return this.serial(async () => {
      const u = await this.requireUnlocked();
      const api = this.deps.makeApi(u.account.serverUrl);
      return work({
        account: u.account,
        vaultKey: u.session.vaultKey,
        authKey: u.session.authKey,
        api,
        accessToken: (renew = false) => this.accessToken(u, api, renew),
        saveAccount: async (account) => {
          await accountItem.setValue(account);
          u.account = account;
        },
      });
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
    account: AccountRecord,
    authKey: Uint8Array,
    wrappingKey: SymmetricKey,
    data: VaultData | null,
    loginReply?: { accessToken: string; refreshToken: string; accessExpiresAt: string },
  ): Promise<void> {
    let vaultKeyRaw: Uint8Array;
    let vaultKey: SymmetricKey;
    try {
      ({ key: vaultKey, raw: vaultKeyRaw } = await unwrapKey(
        wrappingKey,
        account.wrappedVaultKey,
        vaultKeyAd(account.accountId),
      ));
    } catch (e) {
      if (e instanceof CryptoError && e.code === 'WRONG_KEY') throw new VaultError(ErrorCode.WrongPassword);
      if (e instanceof CryptoError) throw new VaultError(ErrorCode.CorruptData);
      throw e;
    }
    let tokens = loginReply ?? null;
    if (!tokens) {
      try {
        tokens = await api.login({
          email: account.email,
          authKey: toBase64Url(authKey),
          deviceName: DEVICE_NAME,
        });
        this.lastSyncError = null;
      } catch (e) {
        // Offline (or the server refuses): the vault still opens from the local cache.
        this.lastSyncError = e instanceof ApiError ? e.code : ErrorCode.ServerUnreachable;
      }
    }
    const session: UnlockSession = {
      accountId: account.accountId,
      vaultKey: toBase64Url(vaultKeyRaw),
      authKey: toBase64Url(authKey),
      accessToken: tokens?.accessToken ?? null,
      refreshToken: tokens?.refreshToken ?? null,
      accessExpiresAt: tokens?.accessExpiresAt ?? null,
    };
    vaultKeyRaw.fill(0);
    authKey.fill(0);
    const unlocked: Unlocked = {
      account,
      vaultKey,
      data: data ?? (await this.loadCache(account, vaultKey)),
      session,
    };
    await accountItem.setValue(account);
    await unlockSessionItem.setValue(session);
    this.setUnlocked(unlocked);
    // A vault read from the cache is already there; re-sealing megabytes on every unlock is waste.
    if (data) await this.persist(unlocked);
  }

  /** Wipe keys and decrypted data from memory and session storage, then end the server session. */
  lock(): Promise<VaultState> {
    return this.serial(async () => {
      const u = await this.detach();
      await unlockSessionItem.removeValue();
      // Best effort and not awaited: locking must be instant even when the server is unreachable.
      if (u) void this.endServerSession(u);
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
      const u = await this.detach();
      await Promise.all([
        unlockSessionItem.removeValue(),
        vaultCacheItem.removeValue(),
        accountItem.removeValue(),
      ]);
      if (u) await this.endServerSession(u);
      return { status: 'logged-out', state: await this.state() };
    });
  }

  /** Unsynced local changes once a push was tried (unlocked only: a locked vault cannot be read). */
  private async unsyncedAfterTryingToPush(): Promise<number | null> {
    const u = await this.restore().catch(() => null);
    if (!u) return storedPendingChanges();
    if (pendingChanges(u.data) > 0) await this.syncLocked();
    return pendingChanges(u.data);
  }

  /** Drop the in-memory vault (rebuilding it first if needed, to end its server session) and return it. */
  private async detach(): Promise<Unlocked | null> {
    const u = this.unlocked ?? (await this.restore().catch(() => null));
    this.setUnlocked(null);
    this.lastSyncError = null;
    return u;
  }

  private async endServerSession(u: Unlocked): Promise<void> {
    const api = this.deps.makeApi(u.account.serverUrl);
    try {
      await api.logout(await this.accessToken(u, api));
    } catch {
      // Unreachable or already ended: the tokens expire on their own; nothing local depends on it.
    }
  }

  /** Every live login, sorted by title. */
  async listItems(): Promise<ItemSummary[]> {
    return (await this.sortedSummaries()).map((e) => e.summary);
  }

  /** The popup's list: the first `limit` logins whose title, username or a URL contains `query`. */
  async listPage(query: string, limit: number): Promise<ItemPage> {
    const all = await this.sortedSummaries();
    const q = query.trim().toLowerCase();
    const matching = q ? all.filter((e) => e.search.includes(q)) : all;
    return {
      items: matching.slice(0, limit).map((e) => e.summary),
      matching: matching.length,
      total: all.length,
    };
  }

  /**
   * The sorted list with a lower-cased search text per login, built once per version of the
   * vault: persist() (every local change, every sync that changed something) drops it.
   */
  private async sortedSummaries(): Promise<SummaryEntry[]> {
    const u = await this.requireUnlocked();
    if (this.summaries?.data === u.data) return this.summaries.list;
    const list: SummaryEntry[] = [];
    for (const i of Object.values(u.data.items)) {
      if (i.deleted) continue;
      const summary: ItemSummary = {
        id: i.id,
        title: i.fields.title,
        username: i.fields.username,
        uris: i.fields.uris,
        conflict: i.conflictOf !== null,
        pending: i.dirty,
        updatedAt: i.updatedAt,
      };
      const search = [summary.title, summary.username, ...summary.uris.map((x) => x.url)]
        .join('\n')
        .toLowerCase();
      list.push({ summary, search });
    }
    list.sort(
      (a, b) =>
        collator.compare(a.summary.title, b.summary.title) ||
        (a.summary.id < b.summary.id ? -1 : a.summary.id > b.summary.id ? 1 : 0),
    );
    this.summaries = { data: u.data, list };
    return list;
  }

  /** Live logins with their fields, for autofill planning in this worker; never sent to a page. */
  async autofillLogins(): Promise<AutofillLogin[]> {
    const u = await this.requireUnlocked();
    const lastUsed = u.data.lastUsed ?? {};
    const list: AutofillLogin[] = [];
    for (const i of Object.values(u.data.items)) {
      if (i.deleted) continue;
      const used = lastUsed[i.id];
      list.push({ id: i.id, fields: i.fields, uris: i.fields.uris, ...(used ? { lastUsedAt: used } : {}) });
    }
    return list;
  }

  /** Remembers that a login was just filled, so it ranks first next time. */
  markUsed(id: string): Promise<void> {
    return this.serial(async () => {
      const u = await this.restore();
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
    return (await this.restore()) !== null;
  }

  async hasAccount(): Promise<boolean> {
    return (await accountItem.getValue()) !== null;
  }

  /** A login saved from the page's save prompt (or a generated password that was used). */
  async createLogin(l: { title: string; username: string; password: string; url: string }): Promise<void> {
    await this.saveItem(undefined, {
      title: l.title,
      username: l.username,
      password: l.password,
      uris: [{ url: l.url, match: 'domain' }],
      notes: '',
      totp: '',
    });
  }

  /** The page's update prompt: only the password changes; the merge base is kept as for any edit. */
  async updatePassword(id: string, password: string): Promise<void> {
    const u = await this.requireUnlocked();
    const existing = u.data.items[id];
    if (!existing || existing.deleted) throw new VaultError(ErrorCode.NotFound);
    await this.saveItem(id, { ...existing.fields, password });
  }

  async getItem(id: string): Promise<ItemDetail> {
    const u = await this.requireUnlocked();
    const i = u.data.items[id];
    if (!i || i.deleted) throw new VaultError(ErrorCode.NotFound);
    const original = i.conflictOf ? u.data.items[i.conflictOf] : undefined;
    const live = original && !original.deleted ? original : undefined;
    return {
      id: i.id,
      ...i.fields,
      createdAt: i.createdAt,
      updatedAt: i.updatedAt,
      conflict: i.conflictOf
        ? {
            of: i.conflictOf,
            ofTitle: live?.fields.title ?? null,
            ofUpdatedAt: live?.updatedAt ?? null,
            copyUpdatedAt: i.updatedAt,
          }
        : null,
    };
  }

  saveItem(id: string | undefined, fields: ItemFields): Promise<ItemDetail> {
    return this.serial(async () => {
      const u = await this.requireUnlocked();
      const itemId = await this.changeAndPersist(u, () =>
        applyEdit(u.data, id, fields, this.deps.now().toISOString(), this.deps.newId),
      );
      this.syncSoon();
      return this.getItem(itemId);
    });
  }

  deleteItem(id: string): Promise<null> {
    return this.serial(async () => {
      const u = await this.requireUnlocked();
      await this.changeAndPersist(u, () => applyDelete(u.data, id, this.deps.now().toISOString()));
      this.syncSoon();
      return null;
    });
  }

  private local<T>(change: () => T): T {
    try {
      return change();
    } catch (e) {
      if (e instanceof NoSuchItem) throw new VaultError(ErrorCode.NotFound);
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
      const u = await this.restore();
      if (!u) return null;
      const api = this.deps.makeApi(u.account.serverUrl);
      return { serverUrl: u.account.serverUrl, accessToken: await this.accessToken(u, api, renew) };
    });
  }

  /**
   * The push channel reported the account's revision (on every (re)connect and change): sync if
   * the server is ahead of us, or if edits made while it was unreachable are still pending — the
   * channel's reconnect backoff is what retries them, without a busy loop.
   */
  async remoteRevision(revision: number): Promise<void> {
    const u = await this.restore();
    if (!u) return;
    if (revision > u.data.revision || Object.values(u.data.items).some((i) => i.dirty)) await this.syncNow();
  }

  /** Push local changes and pull remote ones. Errors are recorded in the state, not thrown at the popup. */
  syncNow(): Promise<VaultState> {
    return this.serial(async () => {
      if (!(await this.restore())) return this.state();
      await this.syncLocked();
      return this.state();
    });
  }

  private async syncLocked(): Promise<void> {
    const u = this.unlocked;
    if (!u) return;
    const api = this.deps.makeApi(u.account.serverUrl);
    try {
      try {
        await this.syncRound(u, api, false);
      } catch (e) {
        // The token looked valid to our clock but the server refused it (skew, revocation): sign in again once.
        if (!(e instanceof ApiError && e.status === 401)) throw e;
        await this.syncRound(u, api, true);
      }
      this.lastSyncError = null;
    } catch (e) {
      if (e instanceof ApiError || e instanceof VaultError) this.lastSyncError = e.code;
      else if (e instanceof CryptoError) this.lastSyncError = ErrorCode.CorruptData;
      else throw e;
    }
  }

  private async syncRound(u: Unlocked, api: ApiClient, renewToken: boolean): Promise<void> {
    const accessToken = await this.accessToken(u, api, renewToken);
    const ctx = { api, accessToken, accountId: u.account.accountId, vaultKey: u.vaultKey, ...this.deps };
    const before = { revision: u.data.revision, dirty: Object.values(u.data.items).some((i) => i.dirty) };
    try {
      await pushDirty(ctx, u.data);
      await pullChanges(ctx, u.data);
      u.data.lastSyncAt = this.deps.now().toISOString();
    } finally {
      // Whatever was acknowledged is kept, even when a later step failed. A round that changed
      // nothing does not re-seal the whole cache (megabytes for a large vault).
      if (before.dirty || u.data.revision !== before.revision) await this.persist(u);
    }
  }

  /** A usable access token: the current one, a refreshed one, or a new session signed in with the auth key. */
  private async accessToken(u: Unlocked, api: ApiClient, renew = false): Promise<string> {
    const s = u.session;
    const fresh = s.accessExpiresAt && Date.parse(s.accessExpiresAt) - this.deps.now().getTime() > 30_000;
    if (s.accessToken && fresh && !renew) return s.accessToken;
    let tokens: { accessToken: string; refreshToken: string; accessExpiresAt: string } | null = null;
    if (s.refreshToken && !renew) {
      try {
        tokens = await api.refresh(s.refreshToken);
      } catch (e) {
        if (!(e instanceof ApiError && e.status === 401)) throw e;
      }
    }
    if (!tokens) {
      try {
        tokens = await api.login({ email: u.account.email, authKey: s.authKey, deviceName: DEVICE_NAME });
      } catch (e) {
        // The master password was changed on another device: only a new unlock can help.
        if (e instanceof ApiError && e.code === ErrorCode.InvalidCredentials)
          throw new VaultError(ErrorCode.SessionExpired);
        throw e;
      }
    }
    const { accessToken, refreshToken, accessExpiresAt } = tokens;
    u.session = { ...s, accessToken, refreshToken, accessExpiresAt };
    if (this.unlocked === u) await unlockSessionItem.setValue(u.session);
    return accessToken;
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
