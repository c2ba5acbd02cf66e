import Papa from 'papaparse';
import { ImportError, MAX_IMPORT_ITEMS } from './types.ts';

/**
 * CSV as the importers read it (papaparse: quoted fields, embedded newlines, CRLF / CR / LF line
 * endings, and the separator detected: ',' ';' tab or '|'). The first non-empty row is the header;
 * columns are found by name, case- and space-insensitively, so reordered and extra columns work.
 */

export interface CsvTable {
  /** Header names as in the file (trimmed). */
  header: string[];
  /** Data rows (1-based `source` = index + 1), each padded or cut to the header's length. */
  rows: string[][];
  /** Data rows whose column count differed from the header's (1-based): possibly misread. */
  ragged: number[];
}

/** "Login URI", "login_uri" and "loginUri" all become "loginuri". */
export const columnKey = (name: string): string => name.toLowerCase().replace(/[\s_\-.]/g, '');

/**
 * Parses `text` (already decoded, see text.ts). Stops early with ImportError('tooManyItems') once
 * more than `maxRows` data rows are seen, so a huge file never materialises in memory. 'empty' for
 * a file with no header row.
 */
export function readCsv(text: string, maxRows = MAX_IMPORT_ITEMS): CsvTable {
  let header: string[] | null = null;
  const rows: string[][] = [];
  const ragged: number[] = [];
  let tooMany = false;
  Papa.parse<string[]>(text, {
    header: false,
    skipEmptyLines: 'greedy',
    delimitersToGuess: [',', ';', '\t', '|'],
    step: (result, parser) => {
      const row = result.data.map((c) => (typeof c === 'string' ? c : String(c ?? '')));
      if (header === null) {
        header = row.map((h) => h.trim());
        return;
      }
      if (rows.length >= maxRows) {
        tooMany = true;
        parser.abort();
        return;
      }
      if (row.length !== header.length) ragged.push(rows.length + 1);
      rows.push(header.map((_, i) => row[i] ?? ''));
    },
  });
  if (tooMany) throw new ImportError('tooManyItems', String(maxRows));
  if (header === null) throw new ImportError('empty');
  return { header, rows, ragged };
}

/** The index of the first column whose key is one of `names` (see columnKey), or -1. */
export function findColumn(header: readonly string[], ...names: string[]): number {
  const keys = header.map(columnKey);
  for (const name of names) {
    const i = keys.indexOf(columnKey(name));
    if (i !== -1) return i;
  }
  return -1;
}

/**
 * Column accessors by name for the rows of `table`: `get(row, 'name', 'alias')` gives the cell or ''.
 * `require(...)` throws ImportError('missingColumn', first name) when none of the names is a column.
 */
export function columns(table: CsvTable) {
  const cache = new Map<string, number>();
  const indexOf = (names: string[]) => {
    const key = names.join('\u0000');
    let i = cache.get(key);
    if (i === undefined) {
      i = findColumn(table.header, ...names);
      cache.set(key, i);
    }
    return i;
  };
  return {
    has: (...names: string[]) => indexOf(names) !== -1,
    require(...names: string[]): void {
      if (indexOf(names) === -1) throw new ImportError('missingColumn', names[0]);
    },
    get(row: readonly string[], ...names: string[]): string {
      const i = indexOf(names);
      return i === -1 ? '' : (row[i] ?? '');
    },
    /** Columns not in `known` (by key): what goes to custom fields. */
    extra(known: readonly string[]): number[] {
      const k = new Set(known.map(columnKey));
      return table.header.map((h, i) => (k.has(columnKey(h)) ? -1 : i)).filter((i) => i !== -1);
    },
  };
}

/** The header of a CSV text (first non-empty row), cheaply, for format detection; [] if none. */
export function csvHeader(text: string): string[] {
  let header: string[] = [];
  Papa.parse<string[]>(text.slice(0, 64 * 1024), {
    header: false,
    skipEmptyLines: 'greedy',
    delimitersToGuess: [',', ';', '\t', '|'],
    preview: 1,
    step: (result, parser) => {
      header = result.data.map((h) => String(h ?? '').trim());
      parser.abort();
    },
  });
  return header;
}
