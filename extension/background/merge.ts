import { type ItemFields, PASSWORD_HISTORY_SIZE, type PreviousPassword } from '../messaging/item-schema.ts';

/**
 * Three-way merge of one item's fields against the common base both sides started from.
 * A field changed on one side only takes that side's value; a field changed on both sides to
 * different values is a collision, resolved to the server's value (`theirs`) — the caller keeps
 * this device's whole version as a conflict copy so nothing is lost. Without a base (the item
 * never reached this device from the server), every differing field is a collision.
 *
 * Every key of either side is merged, so a field added by a newer version or another item type is
 * merged too. `passwordHistory` never collides: both sides' entries are kept; nor does `trashedAt`
 * (docs/items.md).
 */
export interface MergeResult {
  merged: ItemFields;
  collisions: string[];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

type Fields = Record<string, unknown>;

const keysOf = (...sides: (ItemFields | null)[]) => {
  const keys = new Set<string>();
  for (const side of sides) if (side) for (const k of Object.keys(side)) keys.add(k);
  return keys;
};

export const sameFields = (a: ItemFields, b: ItemFields) =>
  [...keysOf(a, b)].every((k) => same((a as unknown as Fields)[k], (b as unknown as Fields)[k]));

/** Both histories, each replaced password once (its earliest replacement), newest first, capped. */
export function mergePasswordHistory(
  a: readonly PreviousPassword[],
  b: readonly PreviousPassword[],
): PreviousPassword[] {
  const byPassword = new Map<string, PreviousPassword>();
  for (const entry of [...a, ...b]) {
    const seen = byPassword.get(entry.password);
    if (!seen || entry.replacedAt > seen.replacedAt) byPassword.set(entry.password, entry);
  }
  return [...byPassword.values()]
    .sort((x, y) => (x.replacedAt < y.replacedAt ? 1 : x.replacedAt > y.replacedAt ? -1 : 0))
    .slice(0, PASSWORD_HISTORY_SIZE);
}

export function mergeFields(base: ItemFields | null, mine: ItemFields, theirs: ItemFields): MergeResult {
  const merged: Fields = { ...theirs };
  const collisions: string[] = [];
  const b = base as unknown as Fields | null;
  const m = mine as unknown as Fields;
  const th = theirs as unknown as Fields;
  for (const k of keysOf(mine, theirs)) {
    if (k === 'passwordHistory') continue;
    if (same(m[k], th[k])) continue;
    const mineChanged = b === null || !same(m[k], b[k]);
    const theirsChanged = b === null || !same(th[k], b[k]);
    if (mineChanged && theirsChanged) {
      // Trashed on both devices is one trashing (the earlier); a restore against a re-trash keeps
      // the server's. Neither is worth a conflict copy.
      if (k === 'trashedAt') {
        if (typeof m[k] === 'string' && typeof th[k] === 'string' && (m[k] as string) < (th[k] as string))
          merged[k] = m[k];
        continue;
      }
      collisions.push(k);
    } else if (mineChanged) {
      if (m[k] === undefined) delete merged[k];
      else merged[k] = m[k];
    }
  }
  merged.passwordHistory = mergePasswordHistory(mine.passwordHistory ?? [], theirs.passwordHistory ?? []);
  return { merged: merged as unknown as ItemFields, collisions };
}
