import { columns, findColumn } from './csv.ts';
import {
  extraFields,
  field,
  fieldKind,
  fields,
  fileHeader,
  type HeaderRule,
  headerIsFormat,
  mapRows,
  readFormatTable,
} from './csv-rows.ts';
import type { Candidate, ImportFile, Parser } from './types.ts';

/**
 * 1Password's CSV export (docs/import-formats/1password-csv.md). 1Password 8 writes
 * `Title,Url,Username,Password,OTPAuth,Favorite,Archived,Tags,Notes`; 1Password 7 let the user pick
 * the columns (`title,website,username,password,notes`, perhaps `type`, custom ones), so every
 * column is found by name and any other column becomes a custom field.
 */

const TITLE = ['title'];
const URL_ = ['url', 'website', 'urls', 'login url'];
/** Every column that may hold websites (1Password 7 for Windows writes both URL and URLS). */
const URL_COLUMNS = URL_.map((name) => [name]);
const USERNAME = ['username'];
const PASSWORD = ['password'];
const OTP = ['otpauth', 'one-time password', 'one time password'];
const NOTES = ['notes', 'note'];
const FAVORITE = ['favorite'];
const ARCHIVED = ['archived'];
const TAGS = ['tags'];
const TYPE = ['type', 'category'];
/** 1Password 7's own bookkeeping (its item id, autofill settings): not the user's data, dropped. */
const BOOKKEEPING = ['uuid', 'scope', 'autosubmit'];
const KNOWN = [
  TITLE,
  URL_,
  USERNAME,
  PASSWORD,
  OTP,
  NOTES,
  FAVORITE,
  ARCHIVED,
  TAGS,
  TYPE,
  BOOKKEEPING,
].flat();
/**
 * Columns only 1Password 7 writes: for a header that names its website `URL` rather than `website`
 * (the Windows app, upper-case) to be taken for 1Password's and not for any `title,url,password` CSV
 * (Apple Passwords writes Title,URL,Username,Password,Notes,OTPAuth).
 */
const MARK_7 = [...BOOKKEEPING, 'urls', 'master-password', 'account-key'];
const SECTION_COLUMN = /^section \d+:/i;

/** Columns of other managers' exports that 1Password never writes. */
const FOREIGN = ['login_uri', 'grouping', 'extra', 'username2', 'httpRealm', 'group', 'vault'];
/** 1Password 8: its own columns, all there. */
const RULE_8: HeaderRule = {
  signature: ['otpauth', 'archived'],
  foreign: FOREIGN,
  required: ['Title', 'Url', 'Username', 'Password', 'Notes'],
};
/** 1Password 7: a title and what the user chose. */
const RULE_7: HeaderRule = { signature: ['title', 'website'], foreign: FOREIGN, required: ['title'] };

const TRUE = new Set(['true', '1', 'yes']);

export const parseOnePasswordCsv: Parser = async (file, options) => {
  const table = readFormatTable(file, options, (header) =>
    headerIsFormat(header, RULE_8) ? RULE_8 : RULE_7,
  );
  const col = columns(table);
  const extra = extraFields(table, KNOWN, { kind: fieldKind });
  return mapRows('1password-csv', table, (row, source) => {
    const get = (names: string[]) => col.get(row, ...names);
    const urls = [
      ...new Set(
        URL_COLUMNS.flatMap((names) => get(names).split(/\r\n|\r|\n/)).filter((u) => u.trim() !== ''),
      ),
    ];
    const username = get(USERNAME);
    const password = get(PASSWORD);
    const totp = get(OTP);
    const kind = get(TYPE).trim();
    const tags = get(TAGS)
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    const isNote =
      /^secure ?note$/i.test(kind) || [username, password, totp, ...urls].every((s) => s.trim() === '');
    const candidate: Candidate = {
      source,
      type: isNote ? 'note' : 'login',
      title: get(TITLE),
      folder: tags[0] ?? '',
      favorite: TRUE.has(get(FAVORITE).trim().toLowerCase()),
      notes: get(NOTES),
      fields: [
        ...fields(
          field('Tags', tags.slice(1).join(', '), 'text'),
          // A kind 1Password 7 named that is neither a login nor a note (e.g. "Password"): kept.
          /^(login|secure ?note)?$/i.test(kind) ? undefined : field('Type', kind, 'text'),
        ),
        ...extra(row),
      ],
    };
    if (TRUE.has(get(ARCHIVED).trim().toLowerCase())) candidate.trashed = true;
    if (!isNote) Object.assign(candidate, { username, password, urls, totp });
    return candidate;
  });
};

/**
 * 1Password 8's full header, or 1Password 7's title, website and password — the website named
 * `website`, or `URL` beside a column only 1Password 7 writes.
 */
export function looksOnePasswordCsv(file: ImportFile, text?: string): boolean {
  const header = fileHeader(file, text);
  const all = (...names: string[]) => names.every((name) => findColumn(header, name) !== -1);
  if (!headerIsFormat(header, RULE_8) && !headerIsFormat(header, RULE_7)) return false;
  return (
    all('Title', 'Url', 'Username', 'Password', 'OTPAuth', 'Favorite', 'Archived', 'Notes') ||
    all('title', 'website', 'password') ||
    (all('title', 'url', 'password') &&
      (findColumn(header, ...MARK_7) !== -1 || header.some((name) => SECTION_COLUMN.test(name.trim()))))
  );
}
