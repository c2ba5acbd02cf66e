import {
  type ItemFields,
  type ItemInput,
  normalizeFolder,
  PASSWORD_HISTORY_SIZE,
  type PreviousPassword,
  sshFingerprint,
} from '../messaging/item-schema.ts';
import { applyDelete, applyEdit, itemsOf, type LocalItem, NoSuchItem, type VaultData } from './vault-data.ts';

/**
 * What the worker adds to what the user typed (docs/items.md): the password history of a login,
 * the trash mark, an SSH key's fingerprint. Pure functions over the decrypted vault; the vault
 * service runs them in its queue and persists.
 */

/** Items stay in the trash this long, then are deleted for good on every device. */
export const TRASH_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The fields to store for `input`: the trash mark carried over, and for a login whose password
 * changed, the old password at the head of its history (the last PASSWORD_HISTORY_SIZE kept).
 */
export async function storedFields(
  input: ItemInput,
  existing: ItemFields | undefined,
  now: string,
): Promise<ItemFields> {
  let history: PreviousPassword[] = existing?.passwordHistory ?? [];
  if (input.type === 'login' && existing?.type === 'login' && existing.password !== '') {
    if (existing.password !== input.password)
      history = [{ password: existing.password, replacedAt: now }, ...history].slice(
        0,
        PASSWORD_HISTORY_SIZE,
      );
  }
  const fields = {
    ...input,
    folder: normalizeFolder(input.folder ?? ''),
    passwordHistory: history,
    trashedAt: existing?.trashedAt ?? null,
  } as ItemFields;
  if (fields.type === 'sshKey') fields.fingerprint = await sshFingerprint(fields.publicKey);
  return fields;
}

function live(data: VaultData, id: string): LocalItem {
  const item = data.items[id];
  if (!item || item.deleted) throw new NoSuchItem();
  return item;
}

/** Moves an item to the trash: an ordinary edit, so it syncs and merges like one. */
export function trash(data: VaultData, id: string, now: string, newId: () => string): void {
  const item = live(data, id);
  if (item.fields.trashedAt) return;
  applyEdit(data, id, { ...item.fields, trashedAt: now }, now, newId);
}

export function restore(data: VaultData, id: string, now: string, newId: () => string): void {
  const item = live(data, id);
  if (!item.fields.trashedAt) return;
  applyEdit(data, id, { ...item.fields, trashedAt: null }, now, newId);
}

/** Deletes a trashed item for good (a tombstone every device applies). Live items go to the trash first. */
export function deleteForever(data: VaultData, id: string, now: string): void {
  const item = live(data, id);
  if (!item.fields.trashedAt) throw new NotInTrash();
  applyDelete(data, id, now);
}

export class NotInTrash extends Error {
  override readonly name = 'NotInTrash';
}

/** Ids of trashed items, all of them or those trashed before `cutoff` (ISO time). */
export function trashedIds(data: VaultData, cutoff?: string): string[] {
  return itemsOf(data)
    .filter(
      (i) =>
        !i.deleted && i.fields.trashedAt !== null && (cutoff === undefined || i.fields.trashedAt < cutoff),
    )
    .map((i) => i.id);
}

/** The ids the automatic purge deletes at `now`: trashed more than TRASH_DAYS ago. */
export const expiredTrash = (data: VaultData, now: Date) =>
  trashedIds(data, new Date(now.getTime() - TRASH_DAYS * DAY_MS).toISOString());
