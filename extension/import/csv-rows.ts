import { type CsvTable, columnKey, csvHeader, findColumn, readCsv } from './csv.ts';
import { ensureTitle, isEmptyCandidate } from './entry-rules.ts';
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
 * What every CSV importer shares once csv.ts (papaparse) has read a table: telling a format's header
 * from another manager's, the whole-file errors, unmapped columns as custom fields, field names and
 * kinds, times as ISO 8601, and collecting candidates. Collecting asks entry-rules.ts whether a row
 * is empty (skipped, issue 'empty') and what title a row without one gets (issue 'titleMade'); no
 * reader answers those itself.
 */

// ---------------------------------------------------------------------------------------------
// Headers

/**
 * Column names (as columnKey gives them) that mark each known CSV export, for formats that tell
 * themselves apart by their `own` columns. A header with another format's marks (two of them, or
 * the only one left once this format's own columns are set aside) is that manager's file, not this
 * format with extra columns: 'unrecognized' rather than a guess. A LastPass file has Chrome's
 * name,url,username,password and `grouping`, `extra`, `fav`; a Firefox file has Chrome's
 * url,username,password and `httpRealm`, `guid`… One user column that happens to be called "extra"
 * or "group" is not enough.
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

/**
 * How a format's header is told from another kind of file. Every part given must hold; any
 * spelling columnKey maps to the same key is the same column.
 */
export interface HeaderRule {
  /** Columns (each a name or a list of aliases) the format cannot do without: 'missingColumn'. */
  required: readonly (string | readonly string[])[];
  /** At least one of these columns makes the header this format's; none: 'unrecognized'. */
  signature?: readonly string[];
  /** Columns only other managers write: any of them makes the file another format's. */
  foreign?: readonly string[];
  /**
   * Every column the format's exports have: at least `min` of them must be there, and another
   * format's marks (FORMAT_MARKS) beyond these make the file that format's.
   */
  own?: { columns: readonly string[]; min: number };
}

const hasColumn = (header: readonly string[], name: string) => findColumn(header, name) !== -1;

/** At least `min` of the format's own columns, and no other known export's marks beyond them. */
function ownColumnsFit(header: readonly string[], { columns, min }: NonNullable<HeaderRule['own']>): boolean {
  const own = new Set(columns.map(columnKey));
  const present = new Set(header.map(columnKey));
  let found = 0;
  for (const k of own) if (present.has(k)) found++;
  if (found < min) return false;
  return !FORMAT_MARKS.some((marks) => {
    const others = marks.filter((k) => !own.has(k));
    const seen = others.filter((k) => present.has(k)).length;
    return others.length > 0 && seen >= Math.min(2, others.length);
  });
}

/** The header is this format's (perhaps missing a required column), not another kind of file. */
export function headerIsFormat(header: readonly string[], rule: HeaderRule): boolean {
  if (rule.own && !ownColumnsFit(header, rule.own)) return false;
  if (rule.signature && !rule.signature.some((name) => hasColumn(header, name))) return false;
  return !(rule.foreign ?? []).some((name) => hasColumn(header, name));
}

/** The first required column the header lacks (its first alias), or undefined. */
export function missingColumn(header: readonly string[], rule: HeaderRule): string | undefined {
  for (const required of rule.required) {
    const names = typeof required === 'string' ? [required] : required;
    if (!names.some((name) => hasColumn(header, name))) return names[0];
  }
  return undefined;
}

/** For detection: the header is this format's and has every required column. */
export const headerFits = (header: readonly string[], rule: HeaderRule): boolean =>
  headerIsFormat(header, rule) && missingColumn(header, rule) === undefined;

/** The first row of the file (first 64 KiB only), for detection; [] when there is none. Never throws. */
export function fileHeader(file: ImportFile, text?: string): string[] {
  try {
    return csvHeader(text ?? decodeText(file.bytes.subarray(0, 64 * 1024)));
  } catch {
    return [];
  }
}

/**
 * Format detection: does the start of the file look like this format with every required column
 * (and `more`, if given)? Reads at most the first 64 KiB; never throws.
 */
export function looksFormat(
  file: ImportFile,
  text: string | undefined,
  rule: HeaderRule,
  more?: (header: readonly string[]) => boolean,
): boolean {
  const header = fileHeader(file, text);
  return headerFits(header, rule) && (more?.(header) ?? true);
}

/**
 * The table of a CSV file in this format. ImportError 'empty' (no text, or a header and no rows),
 * 'unrecognized' (another kind of file), 'missingColumn' (detail: the column's name as the format
 * spells it) or 'tooManyItems' (more data rows than allowed; reading stops there). The header is
 * checked first, so a large file of another kind is 'unrecognized', not 'tooManyItems'. `rule` may
 * be chosen by the header, for a format with several layouts.
 */
export function readFormatTable(
  file: ImportFile,
  options: ParseOptions,
  rule: HeaderRule | ((header: readonly string[]) => HeaderRule),
): CsvTable {
  const text = decodeText(file.bytes);
  if (text.trim() === '') throw new ImportError('empty');
  const header = csvHeader(text);
  if (header.length === 0) throw new ImportError('empty');
  const chosen = typeof rule === 'function' ? rule(header) : rule;
  if (!headerIsFormat(header, chosen)) throw new ImportError('unrecognized');
  const missing = missingColumn(header, chosen);
  if (missing !== undefined) throw new ImportError('missingColumn', missing);
  const table = readCsv(text, options.maxItems ?? MAX_IMPORT_ITEMS);
  if (table.rows.length === 0) throw new ImportError('empty');
  return table;
}

// ---------------------------------------------------------------------------------------------
// Fields

/** Field names whose values are secrets in every manager's templates ("Account Number", "PIN"). */
const SECRET_NAME =
  /\b(password|passphrase|passcode|pwd|pin|number|code|secret|key|cvv|cvc|ssn|iban|bic|swift|otp)\b/i;
/** …unless they name something plainly public ("Zip / Postal Code", "Phone Number"). */
const PUBLIC_NAME = /\b(postal|zip|phone|country)\b/i;

/** 'hidden' for a field whose name says it holds a secret, else 'text'. */
export function fieldKind(name: string): 'hidden' | 'text' {
  const words = name.replace(/[_-]+/g, ' ');
  return SECRET_NAME.test(words) && !PUBLIC_NAME.test(words) ? 'hidden' : 'text';
}

/** A custom field named `name` (kind from the name unless given); undefined for a blank value. */
export function field(name: string, value: string, kind = fieldKind(name)): CandidateField | undefined {
  return value.trim() === '' ? undefined : { name, value, kind };
}

/** Only the fields that exist (helpers above give undefined for a blank value). */
export const fields = (...list: (CandidateField | undefined)[]): CandidateField[] =>
  list.filter((f): f is CandidateField => f !== undefined);

/** "account_number" → "Account number": a column name as a field label. */
export const label = (column: string): string => {
  const words = column.replace(/_+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

export interface ExtraFieldOptions {
  /** The field's name from the column's (default: the column's name as it is). */
  name?: (column: string) => string;
  /** The field's kind from its name (default: always 'text'; `fieldKind` hides secret-sounding names). */
  kind?: (name: string) => 'hidden' | 'text';
}

/**
 * For the columns the format does not map (a browser's additions, a user's own columns, a second
 * column with a known name): a function giving a row's non-empty cells in them as custom fields
 * named after the header ("Column n" for a nameless one).
 */
export function extraFields(
  table: CsvTable,
  known: readonly string[],
  { name = (column) => column, kind = () => 'text' }: ExtraFieldOptions = {},
): (row: readonly string[]) => CandidateField[] {
  const used = new Set(known.map((k) => findColumn(table.header, k)));
  const extra = table.header
    .map((column, i) => ({ i, name: name(column) || `Column ${i + 1}` }))
    .filter(({ i }) => !used.has(i))
    .map((c) => ({ ...c, kind: kind(c.name) }));
  return (row) =>
    extra
      .filter(({ i }) => (row[i] ?? '').trim() !== '')
      .map(({ i, name, kind }) => ({ name, value: row[i] ?? '', kind }));
}

// ---------------------------------------------------------------------------------------------
// Times

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

// ---------------------------------------------------------------------------------------------
// Rows to candidates

/** Drops properties whose value is undefined, '' or [] (a candidate carries what the file has). */
function compact(c: Candidate): Candidate {
  const out: Record<string, unknown> = { ...c };
  for (const [key, value] of Object.entries(out)) {
    if (key === 'title') continue;
    if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) delete out[key];
  }
  return out as unknown as Candidate;
}

export interface CollectOptions {
  /**
   * Make missing titles without a 'titleMade' issue (Firefox: it has no titles at all, so every
   * login would have one).
   */
  quietTitles?: boolean;
}

/**
 * Collects a reader's candidates and issues. `add` skips a candidate with nothing in it ('empty',
 * and `rowIssues`, what the reader noted about the row, go with it), gives one without a title a
 * made title ('titleMade'), and marks a row whose cell count differed from the header's
 * ('unreadable': kept as read, the user should check it).
 */
export function collector(format: ImportFormat, { quietTitles = false }: CollectOptions = {}) {
  const candidates: Candidate[] = [];
  const issues: ImportIssue[] = [];
  return {
    issues,
    add(candidate: Candidate, ragged = false, rowIssues: readonly ImportIssue[] = []): void {
      const c = compact(candidate);
      const { source } = c;
      if (isEmptyCandidate(c)) {
        issues.push({ source, title: '', outcome: 'skipped', code: 'empty' });
        return;
      }
      issues.push(...rowIssues);
      ensureTitle(c, quietTitles ? undefined : issues);
      candidates.push(c);
      if (ragged) issues.push({ source, title: c.title, outcome: 'changed', code: 'unreadable' });
    },
    done: (): Parsed => ({ format, candidates, issues }),
  };
}

/**
 * Runs `map` over the data rows (`source` = 1-based row) and collects what it gives (see
 * collector): a candidate, or null for a row it skipped (it records why in `issues`).
 */
export function mapRows(
  format: ImportFormat,
  table: CsvTable,
  map: (row: readonly string[], source: number, issues: ImportIssue[]) => Candidate | null,
  options: CollectOptions = {},
): Parsed {
  const out = collector(format, options);
  const ragged = new Set(table.ragged);
  table.rows.forEach((row, i) => {
    const source = i + 1;
    const rowIssues: ImportIssue[] = [];
    const candidate = map(row, source, rowIssues);
    if (candidate) out.add(candidate, ragged.has(source), rowIssues);
    else out.issues.push(...rowIssues);
  });
  return out.done();
}
