import type { LocalItem, VaultData } from '../background/vault-data.ts';
import { type ItemFields, normalizeFields } from '../messaging/item-schema.ts';
import { once } from '../messaging/lazy-schemas.ts';

/**
 * The items an export holds (docs/export.md "Which items"), apart from the file writers so that
 * the worker, which hands them out, does not carry the CSV and crypto code of the export page.
 */

export interface ExportItem {
  fields: ItemFields;
  createdAt: string;
  updatedAt: string;
}

/** Made on the first export, not when the worker starts (loading collation data takes ~10 ms). */
const collator = once(() => new Intl.Collator('en', { numeric: true }));

function byTitle(a: LocalItem, b: LocalItem): number {
  return (
    collator().compare(a.fields.title, b.fields.title) ||
    (a.fields.title < b.fields.title ? -1 : a.fields.title > b.fields.title ? 1 : 0) ||
    (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/**
 * Every item the user has (tombstones waiting for the server are not: they are deleted), sorted by
 * title, then creation time, then id, so the same vault gives the same file. Copies, not references.
 */
export function exportItems(data: VaultData): ExportItem[] {
  return Object.values(data.items)
    .filter((item) => !item.deleted)
    .sort(byTitle)
    .map((item) => ({
      fields: structuredClone(normalizeFields(item.fields)),
      createdAt: item.createdAt,
      updatedAt: item.updatedAt,
    }));
}
