import {
  CryptoError,
  deriveAccountKeys,
  fromBase64Url,
  generateKeyBytes,
  type SymmetricKey,
  unwrapKey,
  wrapKey,
} from '../../shared-crypto/index.ts';
import { ErrorCode } from '../messaging/protocol.ts';
import type { AccountRecord, PendingRotation } from '../storage/items.ts';
import {
  type AccountKeys,
  type ApiClient,
  ApiError,
  type ItemChange,
  type ServerItem,
  type ServerRotation,
} from './api-client.ts';
import { encryptItem, nextVaultKeyAd, rewrapItemCiphertext, vaultKeyAd } from './item-crypto.ts';
import { reseal } from './password-history.ts';
import type { VaultData } from './vault-data.ts';
import { VaultError } from './vault-error.ts';
import { currentVersion, openPendingKey, type VaultKeys } from './vault-keys.ts';

/**
 * Vault key rotation (docs/sync.md "Key rotation"): a new vault key (version n+1), every live
 * item's key re-wrapped under it (bodies untouched), then the server makes n+1 current.
 *
 * Crash safety rests on three facts. The pending rotation is written to the local account record
 * before the server hears of it, so a restarted worker knows what it was doing. Every step is
 * idempotent on the server (re-recording the same rotation, re-wrapping an item already at n+1 is
 * skipped, completing a completed rotation) and re-derivable from the server (a round pages
 * through every item again). And until completion both key versions stay readable: the local
 * keyring holds both, other devices open n+1 through the chain (`wrappedByPrevious`).
 */

/** What a rotation needs of the unlocked vault; every call runs inside the vault's queue. */
export interface KeyedVault {
  readonly account: AccountRecord;
  readonly keys: VaultKeys;
  readonly data: VaultData;
  readonly api: ApiClient;
  accessToken(): Promise<string>;
  /** The password's wrapping key, kept in session storage while unlocked. */
  wrappingKey(): Promise<SymmetricKey>;
  /**
   * Makes `account` the account record, `opened` (version → raw key, wiped by the callee) held:
   * raw keys into the session first, then the record, then the cache sealed under the new write
   * key. Returns the new keyring.
   */
  setKeys(account: AccountRecord, opened?: ReadonlyMap<number, Uint8Array>): Promise<VaultKeys>;
  /** Seals and stores the cache (after item revisions changed). */
  persist(): Promise<void>;
}

/** Runs `work` in the vault's queue with the unlocked vault; VaultError LOCKED when it is locked. */
export type WithVault = <T>(work: (v: KeyedVault) => Promise<T>) => Promise<T>;

export interface RotationOutcome {
  keyVersion: number;
  /** The server cleared a recovery key that wrapped the old vault key: a new one is needed. */
  recoveryKeyCleared: boolean;
}

/** Items per pull page during a round (the server's maximum). */
const PAGE = 1000;
/** A push body stays well under the server's 4 MiB limit. */
const PUSH_MAX_CHARS = 3 * 1024 * 1024;
/** Rounds of "re-wrap what is still old, then try to complete" before giving up for now. */
const MAX_ROUNDS = 5;
/** Attempts to get a rotation recorded when the server's state moves under us. */
const MAX_STARTS = 3;

const serverSays = (e: unknown, code: string) => e instanceof ApiError && e.serverCode === code;

async function tryUnwrap(wrapping: SymmetricKey, wrapped: string, accountId: string, version: number) {
  try {
    return await unwrapKey(wrapping, wrapped, vaultKeyAd(accountId, version));
  } catch (e) {
    if (e instanceof CryptoError) return null;
    throw e;
  }
}

/**
 * Makes the local keyring and account record match the server's keys: a rotation completed on
 * another device (the new current key, opened with the wrapping key — if it cannot be, the password
 * was changed elsewhere), a rotation pending there (opened with the wrapping key or through the
 * chain), or one this device drives that the server has not recorded yet (kept).
 */
export async function adoptServerKeys(
  v: KeyedVault,
  server: Pick<AccountKeys, 'keyVersion' | 'wrappedVaultKey' | 'rotation'>,
): Promise<VaultKeys> {
  const id = v.account.accountId;
  const local = v.account.rotation ?? null;
  const current = currentVersion(v.account);
  if (server.keyVersion < current) {
    // The server is behind this device (restored from an older backup?): trust nothing it says.
    throw new VaultError(ErrorCode.ServerError);
  }
  const wrapping = await v.wrappingKey();
  const opened = new Map<number, Uint8Array>();
  let next: AccountRecord = v.account;
  let currentKey = v.keys.get(current);
  if (server.keyVersion > current) {
    // Completed elsewhere (or here, with the reply lost). Only the password opens it now.
    const unwrapped = await tryUnwrap(wrapping, server.wrappedVaultKey, id, server.keyVersion);
    if (!unwrapped) throw new VaultError(ErrorCode.PasswordChangedElsewhere);
    opened.set(server.keyVersion, unwrapped.raw);
    currentKey = unwrapped.key;
    next = {
      ...next,
      keyVersion: server.keyVersion,
      wrappedVaultKey: server.wrappedVaultKey,
      rotation: null,
    };
  }
  const mine = local?.drive === true;
  const theirs = server.rotation;
  if (theirs) {
    const same =
      local?.keyVersion === theirs.keyVersion &&
      local.wrappedByPrevious === theirs.wrappedByPrevious &&
      v.keys.has(theirs.keyVersion);
    if (same && next === v.account) {
      if (!local.recorded) next = { ...next, rotation: { ...local, recorded: true } };
    } else {
      const key = await openPendingKey(id, theirs, wrapping, currentKey);
      if (!key) throw new VaultError(ErrorCode.CorruptData);
      // The local record's wrapped keys always open with this device's password (a recovery
      // elsewhere may have re-wrapped the server's copy for another one).
      const wrappedVaultKey = await wrapKey(wrapping, key.raw, vaultKeyAd(id, theirs.keyVersion));
      opened.set(theirs.keyVersion, key.raw);
      next = {
        ...next,
        rotation: {
          keyVersion: theirs.keyVersion,
          wrappedVaultKey,
          wrappedByPrevious: theirs.wrappedByPrevious,
          recorded: true,
          // Adopted in place of our own unrecorded one: the user asked this device to rotate.
          drive: mine && local?.keyVersion === theirs.keyVersion,
        },
      };
    }
  } else if (local && next === v.account) {
    // No rotation on the server at our version. One we drive and have not recorded stays (it is
    // sent next); one the server had recorded is gone — a reset elsewhere — and is forgotten.
    next = { ...next, rotation: mine && !local.recorded ? local : null };
  }
  if (next === v.account && opened.size === 0) return v.keys;
  return v.setKeys(next, opened);
}

/** GET /v1/accounts/current, then adopt what it says. */
export async function refreshVaultKeys(v: KeyedVault): Promise<VaultKeys> {
  return adoptServerKeys(v, await v.api.accountKeys(await v.accessToken()));
}

/**
 * Checks the master password on this device: it must open the account's current wrapped vault
 * key. Nothing is sent. WRONG_PASSWORD otherwise.
 */
export async function checkPassword(account: AccountRecord, password: string): Promise<void> {
  const { authKey, wrappingKey, wrappingKeyRaw } = await deriveAccountKeys(
    password,
    fromBase64Url(account.salt),
    account.kdf,
  );
  authKey.fill(0);
  wrappingKeyRaw.fill(0);
  const opened = await tryUnwrap(
    wrappingKey,
    account.wrappedVaultKey,
    account.accountId,
    currentVersion(account),
  );
  if (!opened) throw new VaultError(ErrorCode.WrongPassword);
  opened.raw.fill(0);
}

/**
 * Drives rotations: one at a time per worker (a second request joins the running one). Each step is
 * a short unit in the vault's queue, so edits and syncs interleave with a long rotation and new
 * writes go under the new key as soon as the server has recorded it.
 */
export class KeyRotation {
  private running: Promise<RotationOutcome | null> | null = null;

  constructor(private readonly withVault: WithVault) {}

  /** The user asked (password already checked): start a rotation, or finish the pending one. */
  rotate(): Promise<RotationOutcome> {
    return this.once(true).then((outcome) => {
      // Only possible if the vault was reset under us; say so rather than claim success.
      if (!outcome) throw new VaultError(ErrorCode.NoRotation);
      return outcome;
    });
  }

  /** Finish a rotation this device drives, if any (unlock, worker restart, after a sync). */
  resume(): Promise<RotationOutcome | null> {
    return this.once(false);
  }

  private once(start: boolean): Promise<RotationOutcome | null> {
    if (this.running) {
      // Join the rotation in progress: its outcome answers a resume and a user's request alike.
      // If it found nothing to drive and the user asked, start one once it is done.
      return this.running.then((outcome) => outcome ?? (start ? this.once(true) : null));
    }
    const mine = this.drive(start);
    this.running = mine;
    const clear = () => {
      if (this.running === mine) this.running = null;
    };
    mine.then(clear, clear);
    return mine;
  }

  private async drive(start: boolean): Promise<RotationOutcome | null> {
    let version: number | null = null;
    for (let attempt = 0; attempt < MAX_STARTS && version === null; attempt++) {
      const begun = await this.withVault((v) => begin(v, start));
      if (begun === null) return null;
      version = await this.withVault((v) => record(v, begun));
      // Refused because the server's keys moved: begin again from what it holds now.
      if (version === null && !start) return null;
    }
    if (version === null) throw new VaultError(ErrorCode.RotationPending);
    const target = version;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      let since: number | null = 0;
      while (since !== null) {
        const from: number = since;
        since = await this.withVault((v) => rewrapPage(v, target, from));
      }
      const outcome = await this.withVault((v) => complete(v, target));
      if (outcome !== 'again') return outcome;
    }
    throw new VaultError(ErrorCode.RotationIncomplete);
  }
}

/** Still this rotation? (A sync may have learned that it completed, or a reset replaced it.) */
function stillPending(v: KeyedVault, version: number): PendingRotation | null {
  const r = v.account.rotation;
  return r && r.keyVersion === version && r.drive && v.keys.has(version) ? r : null;
}

/**
 * Learns the server's keys, then returns the version of the rotation to drive: the pending one
 * this device drives (or, when the user asked, the one pending from another device), or a new one
 * — written to the account record before anything is sent. Null: nothing to do.
 */
async function begin(v: KeyedVault, start: boolean): Promise<number | null> {
  await refreshVaultKeys(v);
  const pending = v.account.rotation;
  if (pending) {
    if (pending.drive) return pending.keyVersion;
    if (!start || !v.keys.has(pending.keyVersion)) return null;
    await v.setKeys({ ...v.account, rotation: { ...pending, drive: true } });
    return pending.keyVersion;
  }
  if (!start) return null;
  const id = v.account.accountId;
  const current = currentVersion(v.account);
  const version = current + 1;
  const raw = generateKeyBytes();
  const currentKey = v.keys.get(current) as SymmetricKey;
  const rotation: PendingRotation = {
    keyVersion: version,
    wrappedVaultKey: await wrapKey(await v.wrappingKey(), raw, vaultKeyAd(id, version)),
    wrappedByPrevious: await wrapKey(currentKey, raw, nextVaultKeyAd(id, version)),
    recorded: false,
    drive: true,
  };
  await v.setKeys({ ...v.account, rotation }, new Map([[version, raw]]));
  return version;
}

/**
 * POST …/rotation for a rotation not yet recorded; then new writes may use the new key. Returns the
 * version to re-wrap to, or null when the server's keys moved (another rotation pending or
 * completed: adopted, and begin() looks again).
 */
async function record(v: KeyedVault, version: number): Promise<number | null> {
  const pending = stillPending(v, version);
  if (!pending) return null;
  if (pending.recorded) return version;
  const body: ServerRotation = {
    keyVersion: pending.keyVersion,
    wrappedVaultKey: pending.wrappedVaultKey,
    wrappedByPrevious: pending.wrappedByPrevious,
  };
  try {
    await v.api.startRotation(await v.accessToken(), body);
  } catch (e) {
    if (!serverSays(e, ErrorCode.RotationPending) && !serverSays(e, ErrorCode.KeyVersionStale)) throw e;
    await refreshVaultKeys(v);
    return stillPending(v, version)?.recorded ? version : null;
  }
  await v.setKeys({ ...v.account, rotation: { ...pending, recorded: true } });
  return version;
}

/**
 * One page of a round: every live item still below `version` gets its key re-wrapped and is pushed
 * on the server's revision (a conflict means another device wrote it meanwhile: skipped, the next
 * round sees it again if it is still old). Local copies at that revision take the new revision, so
 * the next pull does not decrypt them again. Returns the next page's `since`, or null at the end.
 */
async function rewrapPage(v: KeyedVault, version: number, since: number): Promise<number | null> {
  if (!stillPending(v, version)) return null;
  const token = await v.accessToken();
  const page = await v.api.pull(token, since, PAGE);
  const stale = page.items.filter((s) => !s.deleted && s.ciphertext !== null && s.keyVersion < version);
  // Concurrently, as a pull decrypts: WebCrypto works off the main thread.
  const ciphertexts = await Promise.all(stale.map((s) => rewrapped(v, s, version)));
  const changes: ItemChange[] = [];
  for (const [i, s] of stale.entries()) {
    const ciphertext = ciphertexts[i];
    if (ciphertext)
      changes.push({ id: s.id, baseRevision: s.revision, deleted: false, keyVersion: version, ciphertext });
  }
  for (const batch of pushBatches(changes)) {
    const { results } = await v.api.push(token, batch);
    const base = new Map(batch.map((c) => [c.id, c.baseRevision]));
    for (const r of results) {
      const local = v.data.items[r.id];
      if (r.status !== 'applied' || !local || local.revision !== base.get(r.id)) continue;
      // The body did not change: the local copy (clean or with a pending edit) is now based on r.revision.
      v.data.items[r.id] = { ...local, revision: r.revision };
    }
  }
  const last = page.items.at(-1);
  return page.hasMore && last ? last.revision : null;
}

/** An item's ciphertext with its key re-wrapped under `version`; null when it cannot be carried over. */
async function rewrapped(v: KeyedVault, s: ServerItem, version: number): Promise<string | null> {
  const id = v.account.accountId;
  const newKey = v.keys.get(version) as SymmetricKey;
  const oldKey = v.keys.get(s.keyVersion);
  try {
    if (oldKey) {
      return await rewrapItemCiphertext(
        oldKey,
        newKey,
        id,
        s.id,
        s.keyVersion,
        version,
        s.ciphertext as string,
      );
    }
  } catch (e) {
    if (!(e instanceof CryptoError || e instanceof TypeError)) throw e;
  }
  // The server's copy cannot be opened (tampered, or a key version long gone). A readable local
  // copy replaces it, as in a conflict; with none it stays, and completion reports it.
  const local = v.data.items[s.id];
  if (!local || local.deleted) return null;
  return encryptItem(newKey, id, s.id, version, {
    fields: local.fields,
    createdAt: local.createdAt,
    updatedAt: local.updatedAt,
    conflictOf: local.conflictOf,
  });
}

function* pushBatches(changes: ItemChange[]): Generator<ItemChange[]> {
  let batch: ItemChange[] = [];
  let chars = 0;
  for (const change of changes) {
    const size = (change.ciphertext?.length ?? 0) + 200;
    if (batch.length > 0 && (chars + size > PUSH_MAX_CHARS || batch.length >= PAGE)) {
      yield batch;
      batch = [];
      chars = 0;
    }
    batch.push(change);
    chars += size;
  }
  if (batch.length > 0) yield batch;
}

/**
 * Asks the server to make `version` current, sending the password history re-sealed under the new
 * key. 'again': items remain at older versions (another round). On success — or when the server
 * already completed it (a reply lost to a crash) — the local record moves to the new version.
 */
async function complete(v: KeyedVault, version: number): Promise<RotationOutcome | 'again' | null> {
  if (!stillPending(v, version)) {
    // A sync meanwhile learned that it completed (here, with the answer lost, or on another device).
    return currentVersion(v.account) === version ? { keyVersion: version, recoveryKeyCleared: false } : null;
  }
  await v.persist();
  const token = await v.accessToken();
  const server = await v.api.accountKeys(token);
  if (server.keyVersion >= version || server.rotation?.keyVersion !== version) {
    // Completed already, or replaced: adopting the server's keys settles the local record.
    await adoptServerKeys(v, server);
    return server.keyVersion === version ? { keyVersion: version, recoveryKeyCleared: false } : null;
  }
  const id = v.account.accountId;
  const current = currentVersion(v.account);
  let passwordHistory: string | null = null;
  if (server.passwordHistory !== null) {
    const from = { key: v.keys.get(current) as SymmetricKey, version: current };
    const to = { key: v.keys.get(version) as SymmetricKey, version };
    passwordHistory = await reseal(server.passwordHistory, id, from, to).catch((e: unknown) => {
      // A history that does not open under the current key protects nothing; it is dropped.
      if (e instanceof CryptoError) return null;
      throw e;
    });
  }
  try {
    await v.api.completeRotation(token, { keyVersion: version, passwordHistory });
  } catch (e) {
    if (serverSays(e, ErrorCode.RotationIncomplete)) return 'again';
    if (!serverSays(e, ErrorCode.NoRotation)) throw e;
    await refreshVaultKeys(v);
    return currentVersion(v.account) === version ? { keyVersion: version, recoveryKeyCleared: false } : null;
  }
  const rotation = v.account.rotation as PendingRotation;
  await v.setKeys({
    ...v.account,
    keyVersion: version,
    wrappedVaultKey: rotation.wrappedVaultKey,
    rotation: null,
  });
  return { keyVersion: version, recoveryKeyCleared: server.recovery !== null };
}

/** For the unlock path: opens the account record's keys with the password's wrapping key. */
export async function openAccountKeys(
  account: AccountRecord,
  wrapping: SymmetricKey,
): Promise<{ account: AccountRecord; raw: Map<number, Uint8Array> }> {
  const id = account.accountId;
  const current = currentVersion(account);
  const { key, raw } = await unwrapKey(wrapping, account.wrappedVaultKey, vaultKeyAd(id, current));
  const keys = new Map([[current, raw]]);
  const rotation = account.rotation ?? null;
  if (!rotation) return { account, raw: keys };
  const pending = await openPendingKey(id, rotation, wrapping, key);
  if (!pending) {
    // Neither the password nor the chain opens it: it cannot have been written by us; forget it.
    return { account: { ...account, rotation: null }, raw: keys };
  }
  keys.set(rotation.keyVersion, pending.raw);
  if (pending.via === 'password') return { account, raw: keys };
  // Opened through the chain: keep the record's promise that the password opens it.
  const wrappedVaultKey = await wrapKey(wrapping, pending.raw, vaultKeyAd(id, rotation.keyVersion));
  return { account: { ...account, rotation: { ...rotation, wrappedVaultKey } }, raw: keys };
}
