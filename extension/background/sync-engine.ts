import { CryptoError, type SymmetricKey } from '../../shared-crypto/index.ts';
import type { ApiClient, ItemChange, ServerItem } from './api-client.ts';
import { decryptItem, encryptItem } from './item-crypto.ts';
import { mergeFields, sameFields } from './merge.ts';
import type { LocalItem, VaultData } from './vault-data.ts';

/**
 * One sync round: push every dirty item with the revision it was based on, resolve conflicts
 * without losing either side, then pull what changed since our revision. See docs/sync.md.
 */

export const PUSH_BATCH = 500;

/** Decryption failures that mean "this ciphertext is bad", as opposed to bugs. */
const isUnreadable = (e: unknown) => e instanceof CryptoError || e instanceof TypeError;

export interface SyncContext {
  api: ApiClient;
  accessToken: string;
  accountId: string;
  vaultKey: SymmetricKey;
  /** The vault key's version (1 when absent): new item keys are wrapped, and changes pushed, at it. */
  keyVersion?: number;
  now: () => Date;
  newId: () => string;
}

async function toChange(ctx: SyncContext, item: LocalItem): Promise<ItemChange> {
  if (item.deleted) {
    return {
      id: item.id,
      baseRevision: item.revision,
      deleted: true,
      keyVersion: ctx.keyVersion ?? 1,
      ciphertext: null,
    };
  }
  const body = {
    fields: item.fields,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
    conflictOf: item.conflictOf,
  };
  const ciphertext = await encryptItem(ctx.vaultKey, ctx.accountId, item.id, body, ctx.keyVersion ?? 1);
  return {
    id: item.id,
    baseRevision: item.revision,
    deleted: false,
    keyVersion: ctx.keyVersion ?? 1,
    ciphertext,
  };
}

async function fromServer(ctx: SyncContext, s: ServerItem): Promise<LocalItem | null> {
  if (s.deleted || s.ciphertext === null) return null;
  const body = await decryptItem(ctx.vaultKey, ctx.accountId, s.id, s.keyVersion, s.ciphertext);
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
    const dirty = Object.values(data.items).filter((i) => i.dirty);
    if (dirty.length === 0) return;
    for (let start = 0; start < dirty.length; start += PUSH_BATCH) {
      const batch = dirty.slice(start, start + PUSH_BATCH);
      for (const item of batch) {
        // A new item's push may be applied while its acknowledgement is lost. Remember what was
        // sent as the merge base, so a later edit merges cleanly against it instead of colliding
        // with its own earlier version. (Mutated in place: the in-flight identity check needs it.)
        if (item.revision === 0 && !item.deleted && item.base == null) item.base = item.fields;
      }
      const changes = await Promise.all(batch.map((i) => toChange(ctx, i)));
      const { results } = await ctx.api.push(ctx.accessToken, changes);
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

export async function pullChanges(ctx: SyncContext, data: VaultData): Promise<void> {
  let pending = ctx.api.pull(ctx.accessToken, data.revision);
  for (;;) {
    const page = await pending;
    const lastOnPage = page.items.at(-1);
    // Ask for the next page while this one is decrypted (a first sync of a large vault).
    if (page.hasMore && lastOnPage) {
      pending = ctx.api.pull(ctx.accessToken, lastOnPage.revision);
      pending.catch(() => undefined);
    }
    // Decrypt the whole page concurrently (WebCrypto works off the main thread), apply in order.
    const decrypted = await Promise.all(
      page.items.map((s) =>
        data.items[s.id]?.dirty
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
      // A local edit not yet pushed stays; the next push reports the conflict and keeps both.
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
