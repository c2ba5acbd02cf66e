import { columns, findColumn } from './csv.ts';
import {
  extraFields,
  type HeaderSpec,
  looksFormat,
  mapRows,
  readFormatTable,
  titleOrMade,
} from './csv-mapping.ts';
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

const SPEC: HeaderSpec = {
  own: [NAME, URL_, USERNAME, PASSWORD, ...NOTE],
  required: [URL_, USERNAME, PASSWORD],
  minOwn: 2,
};

export const parseChromeCsv: Parser = async (file, options) => {
  const table = readFormatTable(file, options, SPEC);
  const col = columns(table);
  const extra = extraFields(table, SPEC.own);
  return mapRows('chrome-csv', table, (row, source, issues) => {
    const url = col.get(row, URL_);
    const username = col.get(row, USERNAME);
    return {
      source,
      type: 'login',
      title: titleOrMade(col.get(row, NAME), url, username, source, issues),
      username,
      password: col.get(row, PASSWORD),
      urls: url.trim() === '' ? [] : [url],
      notes: col.get(row, ...NOTE),
      fields: extra(row),
    };
  });
};

/** A Chromium export: name, url, username and password columns, and none of another manager's. */
export function looksChromeCsv(file: ImportFile, text?: string): boolean {
  return looksFormat(file, text, SPEC, (header) => findColumn(header, NAME) !== -1);
}
