import { columns, findColumn } from './csv.ts';
import { extraFields, type HeaderRule, looksFormat, mapRows, readFormatTable } from './csv-rows.ts';
import type { ImportFile, Parser } from './types.ts';

/**
 * Chrome's "Export passwords" CSV, which Edge, Brave and the other Chromium browsers share
 * (docs/import-formats/chrome-csv.md): `name,url,username,password`, and `note` since Chrome added
 * notes. Every row is a login. A column Chrome does not write (Edge adds some) becomes a custom field.
 */

const NAME = 'name';
const URL_ = 'url';
const USERNAME = 'username';
const PASSWORD = 'password';
const NOTE = ['note', 'notes'];

const OWN = [NAME, URL_, USERNAME, PASSWORD, ...NOTE];
const RULE: HeaderRule = { own: { columns: OWN, min: 2 }, required: [URL_, USERNAME, PASSWORD] };

export const parseChromeCsv: Parser = async (file, options) => {
  const table = readFormatTable(file, options, RULE);
  const col = columns(table);
  const extra = extraFields(table, OWN);
  return mapRows('chrome-csv', table, (row, source) => {
    const url = col.get(row, URL_);
    return {
      source,
      type: 'login',
      title: col.get(row, NAME),
      username: col.get(row, USERNAME),
      password: col.get(row, PASSWORD),
      urls: url.trim() === '' ? [] : [url],
      notes: col.get(row, ...NOTE),
      fields: extra(row),
    };
  });
};

/** A Chromium export: name, url, username and password columns, and none of another manager's. */
export function looksChromeCsv(file: ImportFile, text?: string): boolean {
  return looksFormat(file, text, RULE, (header) => findColumn(header, NAME) !== -1);
}
