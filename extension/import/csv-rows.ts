import { type CsvTable, csvHeader, findColumn, readCsv } from './csv.ts';
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
 * What the LastPass, Dashlane and 1Password CSV importers share once csv.ts has read a table:
 * telling a format's header from another manager's, the whole-file errors, unmapped columns as
 * custom fields, and collecting candidates (empty rows skipped, missing titles made).
 */

export interface HeaderRule {
  /** At least one of these columns makes the header this format's; none: 'unrecognized'. */
  signature: readonly string[];
  /** Columns only other managers write: any of them makes the file another format's. */
  foreign?: readonly string[];
  /** Columns (each a name or a list of aliases) the format cannot do without: 'missingColumn'. */
  required: readonly (string | readonly string[])[];
}

const hasColumn = (header: readonly string[], name: string) => findColumn(header, name) !== -1;

/** The header is this format's (perhaps missing a required column), not another kind of file. */
export function headerIsFormat(header: readonly string[], rule: HeaderRule): boolean {
  return (
    rule.signature.some((name) => hasColumn(header, name)) &&
    !(rule.foreign ?? []).some((name) => hasColumn(header, name))
  );
}

/** The first required column the header lacks (its first alias), or undefined. */
export function missingColumn(header: readonly string[], rule: HeaderRule): string | undefined {
  for (const required of rule.required) {
    const names = typeof required === 'string' ? [required] : required;
    if (!names.some((name) => hasColumn(header, name))) return names[0];
  }
  return undefined;
}

/** Throws 'unrecognized' or 'missingColumn' (detail: the column) unless the header fits `rule`. */
export function checkHeader(header: readonly string[], rule: HeaderRule): void {
  if (!headerIsFormat(header, rule)) throw new ImportError('unrecognized');
  const missing = missingColumn(header, rule);
  if (missing !== undefined) throw new ImportError('missingColumn', missing);
}

/** For detection: the header is this format's and has every required column. */
export const headerFits = (header: readonly string[], rule: HeaderRule): boolean =>
  headerIsFormat(header, rule) && missingColumn(header, rule) === undefined;

/** The file's text; 'empty' when there is none (or only white space). */
export function fileText(file: ImportFile): string {
  const text = decodeText(file.bytes);
  if (text.trim() === '') throw new ImportError('empty');
  return text;
}

/** The first row of the file (first 64 KiB only), for detection; [] when there is none. Never throws. */
export function fileHeader(file: ImportFile, text?: string): string[] {
  try {
    return csvHeader(text ?? decodeText(file.bytes.subarray(0, 64 * 1024)));
  } catch {
    return [];
  }
}

/**
 * The table of a CSV in this format: 'unrecognized' / 'missingColumn' for another header, 'empty'
 * for a header without rows, 'tooManyItems' past the limit (reading stops there). `rule` may be
 * chosen by the header, for a format with several layouts.
 */
export function readFormatCsv(
  text: string,
  options: ParseOptions,
  rule: HeaderRule | ((header: readonly string[]) => HeaderRule),
): CsvTable {
  const table = readCsv(text, options.maxItems ?? MAX_IMPORT_ITEMS);
  checkHeader(table.header, typeof rule === 'function' ? rule(table.header) : rule);
  if (table.rows.length === 0) throw new ImportError('empty');
  return table;
}

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

/** "account_number" → "Account number": a column name as a field label. */
export const label = (column: string): string => {
  const words = column.replace(/_+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/**
 * The non-empty cells of every column not in `known` (an unmapped or user-added column), as custom
 * fields named after the header (`rename` changes that name), hidden when the name says secret.
 */
export function extraFields(
  table: CsvTable,
  row: readonly string[],
  known: readonly string[],
  rename: (column: string) => string = (column) => column,
): CandidateField[] {
  const used = new Set(known.map((name) => findColumn(table.header, name)));
  const out: CandidateField[] = [];
  table.header.forEach((column, i) => {
    if (used.has(i)) return;
    const f = field(rename(column) || `Column ${i + 1}`, row[i] ?? '');
    if (f) out.push(f);
  });
  return out;
}

/** Only the fields that exist (helpers above give undefined for a blank value). */
export const fields = (...list: (CandidateField | undefined)[]): CandidateField[] =>
  list.filter((f): f is CandidateField => f !== undefined);

const blank = (s: string | undefined) => (s ?? '').trim() === '';

/** Nothing a user would miss: every text blank (a type or folder alone is no content), no website or field. */
export function isEmptyCandidate(c: Candidate): boolean {
  for (const [key, value] of Object.entries(c)) {
    if (key === 'type' || key === 'folder') continue;
    if (typeof value === 'string' && !blank(value)) return false;
  }
  return (
    (c.urls ?? []).every(blank) &&
    (c.fields ?? []).every((f) => blank(f.value)) &&
    (c.passwordHistory ?? []).length === 0
  );
}

/** A title for an entry without one: the website's host (no "www."), else the first non-blank of `rest`. */
export function madeTitle(url: string | undefined, ...rest: (string | undefined)[]): string {
  const u = (url ?? '').trim();
  if (u !== '') {
    for (const attempt of [u, `https://${u}`]) {
      try {
        const host = new URL(attempt).hostname;
        if (host) return host.replace(/^www\./i, '');
      } catch {
        // not a URL written this way: try the next spelling
      }
    }
    return u;
  }
  return rest.find((s) => !blank(s))?.trim() ?? '';
}

/** Drops properties whose value is undefined, '' or [] (a candidate carries what the file has). */
function compact(c: Candidate): Candidate {
  const out: Record<string, unknown> = { ...c };
  for (const [key, value] of Object.entries(out)) {
    if (key === 'title') continue;
    if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) delete out[key];
  }
  return out as unknown as Candidate;
}

/**
 * Collects a parser's candidates and issues. `add` skips a candidate with nothing in it ('empty'),
 * makes a missing title from the website, username, name or email ('titleMade'), and marks a row
 * whose cell count differed from the header's ('unreadable': kept as read, the user should check).
 */
export function collector(format: ImportFormat) {
  const candidates: Candidate[] = [];
  const issues: ImportIssue[] = [];
  return {
    issues,
    add(candidate: Candidate, ragged = false): void {
      const c = compact(candidate);
      const { source } = c;
      if (isEmptyCandidate(c)) {
        issues.push({ source, title: '', outcome: 'skipped', code: 'empty' });
        return;
      }
      if (blank(c.title)) {
        const person = [c.firstName, c.lastName].filter((s) => !blank(s)).join(' ');
        const made = madeTitle(c.urls?.[0], c.username, person, c.cardholder, c.email, c.company);
        if (made !== '') {
          c.title = made;
          issues.push({ source, title: made, outcome: 'changed', code: 'titleMade' });
        }
      }
      candidates.push(c);
      if (ragged) issues.push({ source, title: c.title, outcome: 'changed', code: 'unreadable' });
    },
    done: (): Parsed => ({ format, candidates, issues }),
  };
}
