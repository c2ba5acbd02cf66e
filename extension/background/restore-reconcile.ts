import type { LineageInfo } from '../../server/routes/sync-schema.ts';
import type { ItemFields } from '../messaging/item-schema.ts';
import { ApiError, type ServerItem } from './api-client.ts';
import { sameFields } from './merge.ts';
import {
  fromServer,
  isUnreadable,
  LineageChanged,
  pullChanges,
  pushDirty,
  type SyncContext,
} from './sync-engine.ts';
import { itemsOf, type LocalItem, type VaultData } from './vault-data.ts';

/**
 * After the server's database was restored from a backup (docs/sync.md, "After a restore"). The
 * restored server lacks everything written after the backup, and its revisions are no longer
 * comparable with this device's: it announces a new lineage (an id and a revision floor above
 * anything handed out before). This device then pulls everything and compares item by item, so that
 * what the server lacks is pushed again and no edit on either side is overwritten unseen:
 *
 * - on the server, not here: taken as it is;
 * - here, not on the server: pushed again as new (a local tombstone is simply dropped);
 * - the same revision on both: the same version, nothing to do;
 * - the server's copy is from before the floor (the backup) and older than ours: ours descends from
 *   it (one item's revisions form one line), so ours is pushed on top of it;
 * - the server's copy is from before the floor and newer than ours: the usual pull (or, for a
 *   local edit, the usual three-way merge, whose base is in the server's history);
 * - the server's copy was written after the restore (above the floor) by another device, from the
 *   backed-up version: whether ours is newer than that is unknown, so unless both are equal, ours is
 *   pushed without a merge base — the push conflicts and the merge keeps both sides (conflict copy).
 */

const isLineageRefusal = (e: unknown) =>
  e instanceof LineageChanged || (e instanceof ApiError && e.serverCode === 'LINEAGE_CHANGED');

/** One sync round — push, then pull — that reconciles and runs again when it finds a restore. */
export async function syncRound(ctx: SyncContext, data: VaultData): Promise<void> {
  try {
    await pushDirty(ctx, data);
    await pullChanges(ctx, data);
  } catch (e) {
    if (!isLineageRefusal(e)) throw e;
    await reconcileRestore(ctx, data);
    await pushDirty(ctx, data);
    await pullChanges(ctx, data);
  }
}

interface ServerState {
  items: ServerItem[];
  revision: number;
  lineage: LineageInfo | null;
}

/** Every item the server holds, tombstones included, from revision 0; all pages of one lineage. */
async function pullEverything(ctx: SyncContext): Promise<ServerState> {
  const items: ServerItem[] = [];
  let since = 0;
  let lineage: LineageInfo | null | undefined;
  for (;;) {
    const page = await ctx.api.pull(ctx.accessToken, since);
    const pageLineage = page.lineage ?? null;
    // Restored again while we paged: start over on the next round.
    if (lineage !== undefined && lineage?.id !== pageLineage?.id) throw new LineageChanged();
    lineage = pageLineage;
    items.push(...page.items);
    const last = page.items.at(-1);
    if (!page.hasMore || !last) return { items, revision: page.revision, lineage };
    since = last.revision;
  }
}

type Theirs = { fields: ItemFields | null } | 'unreadable';

/** The server's copy as fields (null for a tombstone), or 'unreadable' (tampered, corrupt, unknown key). */
async function readTheirs(ctx: SyncContext, s: ServerItem): Promise<Theirs> {
  try {
    const item = await fromServer(ctx, s);
    return { fields: item?.fields ?? null };
  } catch (e) {
    if (!isUnreadable(e)) throw e;
    return 'unreadable';
  }
}

/** The local item after comparing it with the server's copy `s`; null: none kept. */
async function reconcileItem(
  ctx: SyncContext,
  floor: number,
  local: LocalItem | undefined,
  s: ServerItem,
  unreadable: Record<string, number>,
): Promise<LocalItem | null> {
  if (local?.revision === s.revision) return local;
  const theirs = await readTheirs(ctx, s);
  if (theirs === 'unreadable') unreadable[s.id] = s.revision;
  const theirFields = theirs === 'unreadable' ? null : theirs.fields;
  const asServer = async (): Promise<LocalItem | null> =>
    theirFields === null ? null : await fromServer(ctx, s);
  if (!local) return theirs === 'unreadable' ? null : asServer();
  if (s.revision <= floor) {
    if (local.revision > s.revision) {
      // Written after the backup, lost by the restore: ours is the later version of the same line.
      if (local.deleted && s.deleted) return null;
      return { ...local, revision: s.revision, dirty: true, base: theirFields };
    }
    // The server is ahead of us within the backed-up history: the usual rules apply.
    if (local.dirty || theirs === 'unreadable') return local;
    return asServer();
  }
  // Written after the restore by another device, from the backed-up version.
  if (!local.deleted && theirFields !== null && sameFields(local.fields, theirFields)) return asServer();
  // A base of null makes every differing field a collision: the server's value stays, ours becomes
  // a conflict copy; against a tombstone, ours is pushed again (an edit wins over a delete).
  return { ...local, dirty: true, base: null };
}

/** Brings `data` in line with a restored server; what the server lacks is left dirty for the next push. */
export async function reconcileRestore(ctx: SyncContext, data: VaultData): Promise<void> {
  const server = await pullEverything(ctx);
  // Another device rotated the vault key after the restore: learn it before decrypting.
  if (server.items.some((s) => !s.deleted && !ctx.keys.has(s.keyVersion))) ctx.keys = await ctx.refreshKeys();
  // A server that was never restored has no floor: everything on it is treated as newer than the device.
  const floor = server.lineage?.floor ?? 0;
  const items: Record<string, LocalItem> = {};
  const unreadable: Record<string, number> = {};
  const onServer = new Set<string>();
  for (const s of server.items) {
    onServer.add(s.id);
    const next = await reconcileItem(ctx, floor, data.items[s.id], s, unreadable);
    if (next) items[s.id] = next;
  }
  for (const local of itemsOf(data)) {
    if (onServer.has(local.id) || local.deleted) continue;
    // The server lost it (written after the backup): push it again as new.
    items[local.id] = { ...local, revision: 0, dirty: true, base: null };
  }
  data.items = items;
  data.unreadable = unreadable;
  data.revision = server.revision;
  data.lineage = server.lineage?.id ?? null;
}
