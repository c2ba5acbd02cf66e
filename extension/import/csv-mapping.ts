import { type CsvTable, columnKey, csvHeader, findColumn, readCsv } from './csv.ts';
import { decodeText } from './text.ts';
import {
  type Candidate,
  type CandidateField,
  ImportError,
  type ImportFile,
  type ImportFormat,
  type ImportIssue,
  MAX_IMPORT_ITEMS,
  type Parsed,
  type ParseOptions,
} from './types.ts';

/**
 * What the browser / Bitwarden / KeePassXC CSV importers share: telling their headers apart, the
 * whole-file errors, extra columns as custom fields, titles made from a website, times as ISO 8601.
 * CSV reading itself is csv.ts (papaparse); this file only maps what it reads.
 */

/**
 * Column names (as columnKey gives them) that mark each known CSV export. A header with another
 * format's marks (two of them, or the only one left once this format's own columns are set aside) is
 * that manager's file, not this format with extra columns: 'unrecognized' rather than a guess. A
 * LastPass file has Chrome's name,url,username,password and `grouping`, `extra`, `fav`; a Firefox
 * file has Chrome's url,username,password and `httpRealm`, `guid`… One user column that happens to
 * be called "extra" or "group" is not enough.
 */
const FORMAT_MARKS: readonly (readonly string[])[] = [
  ['name'], // Chrome, Bitwarden, LastPass, Proton Pass (KeePassXC and Firefox have none)
  ['httprealm', 'formactionorigin', 'guid', 'timecreated', 'timelastused', 'timepasswordchanged'], // Firefox
  ['loginuri', 'loginusername', 'loginpassword', 'logintotp', 'reprompt'], // Bitwarden
  ['group', 'title', 'icon', 'lastmodified'], // KeePassXC
  ['grouping', 'extra', 'fav'], // LastPass
  ['title', 'otpauth', 'archived', 'tags'], // 1Password
  ['title', 'otpauth'], // Safari
  ['username2', 'username3', 'otpsecret', 'otpurl'], // Dashlane
  ['vault', 'createtime', 'modifytime'], // Proton Pass
];

export interface HeaderSpec {
  /** Every column the format's exports have (any spelling columnKey maps to the same key). */
  own: readonly string[];
  /** Columns without which a file of the format cannot be read: 'missingColumn'. */
  required: readonly string[];
  /** At least this many of `own` for the header to be this format at all (else 'unrecognized'). */
  minOwn: number;
  /** If given, at least one of these must be a column for the header to be this format at all. */
  signature?: readonly string[];
}

const keys = (names: readonly string[]) => new Set(names.map(columnKey));

/** The header is this format (perhaps with a required column missing): not another manager's file. */
export function headerIsFormat(header: readonly string[], spec: HeaderSpec): boolean {
  const own = keys(spec.own);
  const present = keys(header);
  let ownCount = 0;
  for (const k of own) if (present.has(k)) ownCount++;
  if (ownCount < spec.minOwn) return false;
  if (spec.signature && !spec.signature.some((s) => present.has(columnKey(s)))) return false;
  return !FORMAT_MARKS.some((marks) => {
    const others = marks.filter((k) => !own.has(k));
    const found = others.filter((k) => present.has(k)).length;
    return others.length > 0 && found >= Math.min(2, others.length);
  });
}

const hasRequired = (header: readonly string[], spec: HeaderSpec) =>
  spec.required.every((name) => findColumn(header, name) !== -1);

/**
 * The file's rows when its header is this format: ImportError 'empty' (no text, or a header and no
 * rows), 'unrecognized' (another kind of file), 'missingColumn' (detail: the column's name as the
 * format spells it) or 'tooManyItems' (more data rows than allowed; reading stops there).
 */
export function readFormatTable(file: ImportFile, options: ParseOptions, spec: HeaderSpec): CsvTable {
  const text = decodeText(file.bytes);
  const header = csvHeader(text);
  if (header.length === 0) throw new ImportError('empty');
  // The header first: a large file of another kind is 'unrecognized', not 'tooManyItems'.
  if (!headerIsFormat(header, spec)) throw new ImportError('unrecognized');
  for (const name of spec.required)
    if (findColumn(header, name) === -1) throw new ImportError('missingColumn', name);
  const table = readCsv(text, options.maxItems ?? MAX_IMPORT_ITEMS);
  if (table.rows.length === 0) throw new ImportError('empty');
  return table;
}

/**
 * Format detection: does the start of the file look like this format with every required column
 * (and `more`, if given)? Reads at most the first 64 KiB; never throws.
 */
export function looksFormat(
  file: ImportFile,
  text: string | undefined,
  spec: HeaderSpec,
  more?: (header: readonly string[]) => boolean,
): boolean {
  try {
    const header = csvHeader(text ?? decodeText(file.bytes.subarray(0, 64 * 1024)));
    return headerIsFormat(header, spec) && hasRequired(header, spec) && (more?.(header) ?? true);
  } catch {
    return false;
  }
}

/**
 * For the columns the format does not map (Edge's additions, a user's own columns, a second column
 * with a known name): a function giving a row's cells in them as text custom fields named after the
 * header; empty cells give none.
 */
export function extraFields(
  table: CsvTable,
  known: readonly string[],
): (row: readonly string[]) => CandidateField[] {
  const used = new Set(known.map((name) => findColumn(table.header, name)));
  const extra = table.header.map((_, i) => i).filter((i) => !used.has(i));
  return (row) =>
    extra
      .filter((i) => (row[i] ?? '').trim() !== '')
      .map((i) => ({ name: table.header[i] || `Column ${i + 1}`, value: row[i] ?? '', kind: 'text' }));
}

/** A title for an entry without one: the website's host without "www.", else the username, else ''. */
export function madeTitle(url: string, username = ''): string {
  const u = url.trim();
  if (u !== '') {
    for (const candidate of [u, `https://${u}`]) {
      try {
        const host = new URL(candidate).hostname;
        if (host) return host.replace(/^www\./i, '');
      } catch {
        // not a URL this way: try the next, then the URL itself
      }
    }
    return u;
  }
  return username.trim();
}

/** Nothing a user would miss: no title, username, password, website, notes, TOTP or custom field. */
export function isEmptyCandidate(c: Candidate): boolean {
  const blank = (s: string | undefined) => (s ?? '').trim() === '';
  return (
    blank(c.title) &&
    blank(c.username) &&
    blank(c.password) &&
    blank(c.notes) &&
    blank(c.totp) &&
    (c.urls ?? []).every(blank) &&
    (c.fields ?? []).every((f) => blank(f.value))
  );
}

/** Milliseconds since 1970 (Firefox's times) as ISO 8601; undefined for '', 0 or anything else. */
export function isoFromMillis(value: string): string | undefined {
  const v = value.trim();
  if (!/^\d{1,15}$/.test(v)) return undefined;
  const ms = Number(v);
  return ms > 0 ? new Date(ms).toISOString() : undefined;
}

/**
 * An ISO 8601 date-time (KeePassXC's times) in UTC with milliseconds; undefined when it is not one.
 * Without a zone it is read as UTC (what KeePassXC keeps), not as the computer's local time.
 */
export function isoFromDate(value: string): string | undefined {
  const v = value.trim();
  if (!/^\d{4}-\d{2}-\d{2}/.test(v)) return undefined;
  const t = Date.parse(/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(v) ? `${v}Z` : v);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

/** Drops properties whose value is undefined, '' or [] (a candidate carries what the file has). */
function compact(c: Candidate): Candidate {
  const out = { ...c };
  for (const key of Object.keys(out) as (keyof Candidate)[]) {
    const v = out[key];
    if (key !== 'title' && (v === undefined || v === '' || (Array.isArray(v) && v.length === 0)))
      delete out[key];
  }
  return out;
}

/**
 * Runs `map` over the data rows (`source` = 1-based row) and collects what it gives: a candidate, or
 * null for a row it skipped (it records why in `issues`). A candidate with nothing in it is skipped
 * as 'empty'; a row whose cell count differed from the header's (csv.ts pads or cuts it) is kept as
 * read with an 'unreadable' issue, so the preview asks the user to check it.
 */
export function mapRows(
  format: ImportFormat,
  table: CsvTable,
  map: (row: readonly string[], source: number, issues: ImportIssue[]) => Candidate | null,
): Parsed {
  const ragged = new Set(table.ragged);
  const candidates: Candidate[] = [];
  const issues: ImportIssue[] = [];
  table.rows.forEach((row, i) => {
    const source = i + 1;
    const rowIssues: ImportIssue[] = [];
    const candidate = map(row, source, rowIssues);
    if (candidate && isEmptyCandidate(candidate)) {
      issues.push({ source, title: '', outcome: 'skipped', code: 'empty' });
      return;
    }
    issues.push(...rowIssues);
    if (!candidate) return;
    candidates.push(compact(candidate));
    if (ragged.has(source))
      issues.push({ source, title: candidate.title, outcome: 'changed', code: 'unreadable' });
  });
  return { format, candidates, issues };
}

/** `title`, or one made from the website or username with a 'titleMade' issue. */
export function titleOrMade(
  title: string,
  url: string,
  username: string,
  source: number,
  issues: ImportIssue[],
): string {
  if (title.trim() !== '') return title;
  const made = madeTitle(url, username);
  if (made !== '') issues.push({ source, title: made, outcome: 'changed', code: 'titleMade' });
  return made;
}
