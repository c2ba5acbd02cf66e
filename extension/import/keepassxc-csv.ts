import { columns } from './csv.ts';
import {
  extraFields,
  type HeaderRule,
  isoFromDate,
  looksFormat,
  mapRows,
  readFormatTable,
} from './csv-rows.ts';
import type { ImportFile, Parser } from './types.ts';

/**
 * KeePassXC's CSV export (Database → Export → CSV File…; docs/import-formats/keepassxc-csv.md):
 * `"Group","Title","Username","Password","URL","Notes","TOTP","Icon","Last Modified","Created"`, every
 * cell quoted (before 2.6.3 only the first six columns). Group is the entry's group path from the
 * database's root group ("Root/Work/Servers"); TOTP an otpauth:// URI; the times ISO 8601.
 */

const GROUP = 'Group';
const TITLE = 'Title';
const USERNAME = 'Username';
const PASSWORD = 'Password';
const URL_ = 'URL';
const NOTES = 'Notes';
const TOTP = 'TOTP';
const ICON = 'Icon';
const MODIFIED = 'Last Modified';
const CREATED = 'Created';

const OWN = [GROUP, TITLE, USERNAME, PASSWORD, URL_, NOTES, TOTP, ICON, MODIFIED, CREATED];
const RULE: HeaderRule = {
  own: { columns: OWN, min: 3 },
  required: [GROUP, TITLE, USERNAME, PASSWORD, URL_, NOTES],
  signature: [GROUP, TITLE],
};

/** KeePassXC's name for the recycle bin group in an English database. */
const RECYCLE_BIN = 'Recycle Bin';

/**
 * The root group's name, which starts every Group path KeePassXC writes: "Root" by default, or the
 * one first segment every row shares (a renamed root). '' when the rows do not share one.
 */
function rootName(groups: readonly string[]): string {
  const firsts = new Set(groups.filter((g) => g.trim() !== '').map((g) => g.split('/')[0] ?? ''));
  if (firsts.size === 1) return [...firsts][0] ?? '';
  return 'Root';
}

/** "Root/Work/Servers" → folder "Work/Servers"; "Root/Recycle Bin/Old" → trashed, folder "Old". */
function placeOf(group: string, root: string): { folder: string; trashed: boolean } {
  const segments = group.split('/');
  if (segments.length > 0 && segments[0]?.trim().toLowerCase() === root.trim().toLowerCase()) {
    segments.shift();
    if (segments[0]?.trim() === RECYCLE_BIN) return { folder: segments.slice(1).join('/'), trashed: true };
  }
  return { folder: segments.join('/'), trashed: false };
}

export const parseKeepassxcCsv: Parser = async (file, options) => {
  const table = readFormatTable(file, options, RULE);
  const col = columns(table);
  const extra = extraFields(table, OWN);
  const root = rootName(table.rows.map((row) => col.get(row, GROUP)));
  return mapRows('keepassxc-csv', table, (row, source) => {
    const url = col.get(row, URL_);
    const { folder, trashed } = placeOf(col.get(row, GROUP), root);
    return {
      source,
      type: 'login',
      title: col.get(row, TITLE),
      folder,
      username: col.get(row, USERNAME),
      password: col.get(row, PASSWORD),
      urls: url.trim() === '' ? [] : [url],
      totp: col.get(row, TOTP),
      notes: col.get(row, NOTES),
      fields: extra(row),
      createdAt: isoFromDate(col.get(row, CREATED)),
      updatedAt: isoFromDate(col.get(row, MODIFIED)),
      trashed: trashed || undefined,
    };
  });
};

/** A KeePassXC export: its six first columns, and none of another manager's. */
export function looksKeepassxcCsv(file: ImportFile, text?: string): boolean {
  return looksFormat(file, text, RULE);
}
