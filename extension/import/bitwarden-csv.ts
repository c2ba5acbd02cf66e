import Papa from 'papaparse';
import { columns, findColumn } from './csv.ts';
import { extraFields, type HeaderRule, looksFormat, mapRows, readFormatTable } from './csv-rows.ts';
import type { CandidateField, ImportFile, Parser } from './types.ts';

/**
 * Bitwarden's CSV export (docs/import-formats/bitwarden-csv.md). Individual vault:
 * `folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp`;
 * organization vault: `collections` instead of `folder` and no `favorite`. Bitwarden writes only
 * logins and secure notes to CSV; a row of another type (a hand-made file) is skipped.
 */

const FOLDER = 'folder';
const COLLECTIONS = 'collections';
const FAVORITE = 'favorite';
const TYPE = 'type';
const NAME = 'name';
const NOTES = 'notes';
const FIELDS = 'fields';
const REPROMPT = 'reprompt';
const URI = 'login_uri';
const USERNAME = 'login_username';
const PASSWORD = 'login_password';
const TOTP = 'login_totp';

const OWN = [
  FOLDER,
  COLLECTIONS,
  FAVORITE,
  TYPE,
  NAME,
  NOTES,
  FIELDS,
  REPROMPT,
  URI,
  USERNAME,
  PASSWORD,
  TOTP,
];
const RULE: HeaderRule = {
  own: { columns: OWN, min: 3 },
  required: [TYPE, NAME, URI, USERNAME, PASSWORD],
  signature: [URI, USERNAME, PASSWORD, TOTP],
};

/**
 * Bitwarden writes custom fields as "name: value" lines (a value Bitwarden has none for, such as a
 * linked field's, as "name: null"). The name ends at the first ": " (a value is likelier than a name
 * to hold one); a line without ": " continues the previous field's value (a multi-line value), which
 * Bitwarden's own importer would drop. Hidden and boolean fields arrive as text: the CSV does not
 * say which they were.
 */
export function parseBitwardenFields(text: string): CandidateField[] {
  const fields: CandidateField[] = [];
  for (const line of text.replace(/[\r\n]+$/, '').split(/\r\n|\r|\n/)) {
    const at = line.indexOf(': ');
    const last = fields.at(-1);
    if (at === -1 && last) {
      last.value += `\n${line}`;
    } else if (at !== -1) {
      const value = line.slice(at + 2);
      fields.push({ name: line.slice(0, at), value: value === 'null' ? '' : value, kind: 'text' });
    } else if (line.trim() !== '') {
      fields.push(
        line.endsWith(':')
          ? { name: line.slice(0, -1), value: '', kind: 'text' }
          : { name: '', value: line, kind: 'text' },
      );
    }
  }
  return fields;
}

/** login_uri: the login's websites, separated by commas or line breaks (CSV-quoted if need be). */
function splitUris(value: string): string[] {
  if (value.trim() === '') return [];
  // Without a quote there is nothing for a CSV reader to do (and papaparse per row costs 20 µs).
  if (!value.includes('"')) return value.split(/,|\r\n|\r|\n/).filter((u) => u.trim() !== '');
  const rows = Papa.parse<string[]>(value, { header: false, delimiter: ',', skipEmptyLines: 'greedy' }).data;
  return rows.flat().filter((u) => u.trim() !== '');
}

export const parseBitwardenCsv: Parser = async (file, options) => {
  const table = readFormatTable(file, options, RULE);
  const col = columns(table);
  const extra = extraFields(table, OWN);
  const cell = (row: readonly string[], name: string) => ({
    name: table.header[findColumn(table.header, name)] ?? name,
    value: col.get(row, name),
  });
  return mapRows('bitwarden-csv', table, (row, source, issues) => {
    const name = col.get(row, NAME);
    const type = col.get(row, TYPE).trim().toLowerCase();
    if (type !== '' && type !== 'login' && type !== 'note') {
      issues.push({
        source,
        title: name,
        outcome: 'skipped',
        code: 'unsupportedType',
        detail: type.slice(0, 50),
      });
      return null;
    }

    const fields = parseBitwardenFields(col.get(row, FIELDS));
    // An organization export names the item's collections instead of a folder: the first is the
    // folder, the others are kept as a field.
    const collections = col
      .get(row, COLLECTIONS)
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean);
    let folder = col.get(row, FOLDER);
    if (folder.trim() === '') folder = collections.shift() ?? '';
    if (collections.length > 0)
      fields.push({ name: 'Collections', value: collections.join(', '), kind: 'text' });
    fields.push(...extra(row));

    const favorite = ['1', 'true'].includes(col.get(row, FAVORITE).trim().toLowerCase());
    const urls = splitUris(col.get(row, URI));
    const common = { source, folder, favorite, notes: col.get(row, NOTES) };

    if (type === 'note') {
      // Bitwarden leaves the login columns empty for a note; a hand-made file may not.
      for (const [column, kind] of [
        [USERNAME, 'text'],
        [PASSWORD, 'hidden'],
        [URI, 'text'],
        [TOTP, 'hidden'],
      ] as const) {
        const { name: header, value } = cell(row, column);
        if (value.trim() !== '') fields.push({ name: header, value, kind });
      }
      return { ...common, type: 'note', title: name, fields };
    }
    return {
      ...common,
      type: 'login',
      title: name,
      username: col.get(row, USERNAME),
      password: col.get(row, PASSWORD),
      urls,
      totp: col.get(row, TOTP),
      fields,
    };
  });
};

/** A Bitwarden export: type, name, the login columns, and a folder or collections column. */
export function looksBitwardenCsv(file: ImportFile, text?: string): boolean {
  return looksFormat(
    file,
    text,
    RULE,
    (header) => findColumn(header, FOLDER) !== -1 || findColumn(header, COLLECTIONS) !== -1,
  );
}
