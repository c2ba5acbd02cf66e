import { CryptoError } from '../../shared-crypto/index.ts';
import { type ApiClient, ApiError, type ItemChange, type ServerItem } from './api-client.ts';
import { decryptItem, encryptItem } from './item-crypto.ts';
import { mergeFields, sameFields } from './merge.ts';
import { itemsOf, type LocalItem, type VaultData } from './vault-data.ts';
import type { VaultKeys } from './vault-keys.ts';

/**
 * One sync round: push every dirty item with the revision it was based on, resolve conflicts
 * without losing either side, then pull what changed since our revision. See docs/sync.md.
 */

export const PUSH_BATCH = 500;

/** Decryption failures that mean "this ciphertext is bad", as opposed to bugs. */
export const isUnreadable = (e: unknown) => e instanceof CryptoError || e instanceof TypeError;

export interface SyncContext {
  api: ApiClient;
  accessToken: string;
  accountId: string;
  /** The vault keys by version; writes use `keys.writeVersion`. Replaced when `refreshKeys` learns new ones. */
  keys: VaultKeys;
  /**
   * Asks the server for the account's keys (another device rotated the vault key) and returns
   * the keyring to use from now on. Throws VaultError PASSWORD_CHANGED_ELSEWHERE when the new key
   * cannot be opened without the new master password.
   */
  refreshKeys: () => Promise<VaultKeys>;
  now: () => Date;
  newId: () => string;
}

/** The item is at a key version this device does not hold: unreadable, like a bad ciphertext. */
class UnknownKeyVersion extends CryptoError {
  constructor() {
    super('WRONG_KEY', 'item is at a vault key version this device does not hold');
  }
}

/** A local item as a push change, encrypted under the current write key. */
export async function toChange(ctx: SyncContext, item: LocalItem): Promise<ItemChange> {
  const keyVersion = ctx.keys.writeVersion;
  if (item.deleted) {
    return { id: item.id, baseRevision: item.revision, deleted: true, keyVersion, ciphertext: null };
  }
  const ciphertext = await encryptItem(ctx.keys.writeKey, ctx.accountId, item.id, keyVersion, {
    fields: item.fields,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
    conflictOf: item.conflictOf,
  });
  return { id: item.id, baseRevision: item.revision, deleted: false, keyVersion, ciphertext };
}

/**
 * The server's database was restored from a backup since this vault last synced (its lineage is
 * not ours): revisions on both sides are no longer comparable; restore-reconcile.ts takes over.
 */
export class LineageChanged extends Error {
  override readonly name = 'LineageChanged';
}

export async function fromServer(ctx: SyncContext, s: ServerItem): Promise<LocalItem | null> {
  if (s.deleted || s.ciphertext === null) return null;
  const key = ctx.keys.get(s.keyVersion);
  if (!key) throw new UnknownKeyVersion();
  const body = await decryptItem(key, ctx.accountId, s.id, s.keyVersion, s.ciphertext);
  return {
    id: s.id,
    revision: s.revision,
    fields: body.fields,
    createdAt: body.createdAt,
    updatedAt: body.updatedAt,
    conflictOf: body.conflictOf,
    dirty: false,
    deleted: false,
  };
}

/** A stale base: merge field by field; where both sides changed a field, also keep this device's version as a marked copy. */
async function resolveConflict(ctx: SyncContext, data: VaultData, local: LocalItem, current: ServerItem) {
  let theirs: LocalItem | null;
  try {
    theirs = await fromServer(ctx, current);
  } catch (e) {
    if (!isUnreadable(e)) throw e;
    // The server's copy cannot be read (tampered or corrupt): ours replaces it; nothing readable is lost.
    data.items[local.id] = { ...local, revision: current.revision, dirty: true };
    return;
  }
  if (theirs === null) {
    // Deleted elsewhere, edited here: the edit wins; re-push it on top of the tombstone.
    if (local.deleted) delete data.items[local.id];
    else data.items[local.id] = { ...local, revision: current.revision, dirty: true };
    return;
  }
  if (local.deleted) {
    // Deleted here, edited elsewhere: the edit wins.
    data.items[local.id] = theirs;
    return;
  }
  // Field by field against the common base: changes on different fields both survive.
  const { merged, collisions } = mergeFields(local.base ?? null, local.fields, theirs.fields);
  const changed = !sameFields(merged, theirs.fields);
  data.items[local.id] = changed
    ? { ...theirs, fields: merged, base: theirs.fields, dirty: true, updatedAt: ctx.now().toISOString() }
    : theirs;
  if (collisions.length === 0) return;
  // The same field changed on both: the server's value stays, this device's version becomes a copy.
  const copyId = ctx.newId();
  data.items[copyId] = {
    ...local,
    id: copyId,
    revision: 0,
    conflictOf: local.id,
    dirty: true,
    base: null,
    createdAt: ctx.now().toISOString(),
  };
}

export async function pushDirty(ctx: SyncContext, data: VaultData): Promise<void> {
  // Conflict resolution can create new dirty items; loop until nothing is left (bounded).
  for (let round = 0; round < 3; round++) {
    const dirty = itemsOf(data).filter((i) => i.dirty);
    if (dirty.length === 0) return;
    for (let start = 0; start < dirty.length; start += PUSH_BATCH) {
      const batch = dirty.slice(start, start + PUSH_BATCH);
      for (const item of batch) {
        // A new item's push may be applied while its acknowledgement is lost. Remember what was
        // sent as the merge base, so a later edit merges cleanly against it instead of colliding
        // with its own earlier version. (Mutated in place: the in-flight identity check needs it.)
        if (item.revision === 0 && !item.deleted && item.base == null) item.base = item.fields;
      }
      const { results } = await pushFresh(ctx, batch, data.lineage ?? null);
      const byId = new Map(batch.map((i) => [i.id, i]));
      for (const r of results) {
        const local = byId.get(r.id);
        if (!local) continue;
        if (r.status === 'applied') {
          const now = data.items[r.id];
          // The user may have edited it again while the push was in flight: keep that edit dirty.
          if (now !== local) continue;
          if (local.deleted) delete data.items[r.id];
          else data.items[r.id] = { ...local, revision: r.revision, dirty: false, base: undefined };
        } else if (r.current === null) {
          // The server has no such item although we had a revision for it (e.g. its database was
          // restored from an older backup): push it again as new.
          if (local.deleted) delete data.items[r.id];
          else data.items[r.id] = { ...local, revision: 0, dirty: true };
        } else {
          await resolveConflict(ctx, data, local, r.current);
        }
      }
    }
  }
}

const isStale = (e: unknown) => e instanceof ApiError && e.serverCode === 'KEY_VERSION_STALE';

/**
 * Pushes a batch encrypted under the write key. Refused as KEY_VERSION_STALE (the vault key was
 * rotated on another device, nothing applied): learn the new key, encrypt the batch again under
 * it and retry once.
 */
async function pushFresh(ctx: SyncContext, batch: LocalItem[], lineage: string | null) {
  const changes = await Promise.all(batch.map((i) => toChange(ctx, i)));
  try {
    return await ctx.api.push(ctx.accessToken, changes, lineage);
  } catch (e) {
    if (!isStale(e)) throw e;
    const before = ctx.keys.writeVersion;
    ctx.keys = await ctx.refreshKeys();
    // The server refused our version but we learned nothing newer: retrying would only fail again.
    if (ctx.keys.writeVersion === before) throw e;
    return ctx.api.push(ctx.accessToken, await Promise.all(batch.map((i) => toChange(ctx, i))), lineage);
  }
}

/**
 * Whether a pulled item needs decrypting: not when a local edit is pending (the next push reports
 * the conflict), and not when the local copy is clean at that very revision — e.g. an item this
 * device just re-wrapped in a key rotation, whose body did not change.
 */
const needsDecrypt = (local: LocalItem | undefined, s: ServerItem) =>
  !local || (!local.dirty && local.revision !== s.revision);

export async function pullChanges(ctx: SyncContext, data: VaultData): Promise<void> {
  let pending = ctx.api.pull(ctx.accessToken, data.revision);
  for (;;) {
    const page = await pending;
    // Nothing of a restored database's answer is applied on top of revisions from before the restore.
    if ((page.lineage?.id ?? null) !== (data.lineage ?? null)) throw new LineageChanged();
    const lastOnPage = page.items.at(-1);
    // Ask for the next page while this one is decrypted (a first sync of a large vault).
    if (page.hasMore && lastOnPage) {
      pending = ctx.api.pull(ctx.accessToken, lastOnPage.revision);
      pending.catch(() => undefined);
    }
    // Another device rotated the vault key: learn the new one before decrypting this page.
    const unknown = page.items.some(
      (s) => !s.deleted && needsDecrypt(data.items[s.id], s) && !ctx.keys.has(s.keyVersion),
    );
    if (unknown) ctx.keys = await ctx.refreshKeys();
    // Decrypt the whole page concurrently (WebCrypto works off the main thread), apply in order.
    const decrypted = await Promise.all(
      page.items.map((s) =>
        !needsDecrypt(data.items[s.id], s)
          ? Promise.resolve(undefined)
          : fromServer(ctx, s).then(
              (item) => ({ item }),
              (e: unknown) => {
                if (!isUnreadable(e)) throw e;
                return { unreadable: true as const };
              },
            ),
      ),
    );
    for (const [index, s] of page.items.entries()) {
      const result = decrypted[index];
      // A local edit not yet pushed stays (the next push reports the conflict and keeps both);
      // a clean copy at this revision already is what the server holds.
      if (result === undefined) continue;
      if ('unreadable' in result) {
        // Tampered or corrupt: keep what we had, remember it, and move on.
        data.unreadable = { ...data.unreadable, [s.id]: s.revision };
        continue;
      }
      const next = result.item;
      if (data.unreadable?.[s.id] !== undefined) delete data.unreadable[s.id];
      if (next === null) delete data.items[s.id];
      else data.items[s.id] = next;
    }
    data.revision = page.hasMore && lastOnPage ? lastOnPage.revision : Math.max(data.revision, page.revision);
    if (!page.hasMore || !lastOnPage) return;
  }
}
