import type { ItemFields } from '../messaging/protocol.ts';

/**
 * Three-way merge of one login's fields against the common base both sides started from.
 * A field changed on one side only takes that side's value; a field changed on both sides to
 * different values is a collision, resolved to the server's value (`theirs`) — the caller keeps
 * this device's whole version as a conflict copy so nothing is lost. Without a base (the item
 * never reached this device from the server), every differing field is a collision.
 */
export interface MergeResult {
  merged: ItemFields;
  collisions: (keyof ItemFields)[];
}

const FIELDS = [
  'title',
  'username',
  'password',
  'uris',
  'notes',
  'totp',
] as const satisfies readonly (keyof ItemFields)[];

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export const sameFields = (a: ItemFields, b: ItemFields) => FIELDS.every((k) => same(a[k], b[k]));

export function mergeFields(base: ItemFields | null, mine: ItemFields, theirs: ItemFields): MergeResult {
  const merged = { ...theirs };
  const collisions: (keyof ItemFields)[] = [];
  for (const k of FIELDS) {
    if (same(mine[k], theirs[k])) continue;
    const mineChanged = base === null || !same(mine[k], base[k]);
    const theirsChanged = base === null || !same(theirs[k], base[k]);
    if (mineChanged && theirsChanged) collisions.push(k);
    else if (mineChanged) Object.assign(merged, { [k]: mine[k] });
  }
  return { merged, collisions };
}
