import type { ItemType } from '../messaging/item-schema.ts';
import { looksBitwardenCsv, parseBitwardenCsv } from './bitwarden-csv.ts';
import { looksBitwardenJson, parseBitwardenJson } from './bitwarden-json.ts';
import { looksChromeCsv, parseChromeCsv } from './chrome-csv.ts';
import { looksDashlaneCsv, parseDashlaneCsv } from './dashlane-csv.ts';
import { finalize } from './finalize.ts';
import { looksFirefoxCsv, parseFirefoxCsv } from './firefox-csv.ts';
import { checkEntry, entryOf, entryOfFields, type ImportEntry } from './import-entry.ts';
import { looksKeepassXml, parseKeepassXml } from './keepass-xml.ts';
import { looksKeepassxcCsv, parseKeepassxcCsv } from './keepassxc-csv.ts';
import { looksKeyhold, parseKeyhold } from './keyhold.ts';
import { looksLastpassCsv, parseLastpassCsv } from './lastpass-csv.ts';
import { looksOnePassword1pux, parseOnePassword1pux } from './onepassword-1pux.ts';
import { looksOnePasswordCsv, parseOnePasswordCsv } from './onepassword-csv.ts';
import { looksProtonPass, parseProtonPass } from './protonpass.ts';
import { decodeText } from './text.ts';
import {
  ImportError,
  type ImportFile,
  type ImportFormat,
  type ImportIssue,
  MAX_IMPORT_BYTES,
  MAX_IMPORT_ITEMS,
  type Parser,
} from './types.ts';

/**
 * From a chosen file to the entries an import adds and the preview the user confirms
 * (docs/import.md): the format detected from the content (the user may choose another), read by
 * that format's reader, each item checked as the worker will check it again. Runs on the import
 * page: the file never leaves the device, and nothing here touches the vault.
 */

type Looks = (file: ImportFile, text?: string) => boolean;

/**
 * Detection order: the formats whose files say the most about themselves first (a zip's entries,
 * a JSON document's keys, an XML root), then the CSVs, most distinctive header first — Chrome's
 * four columns are a subset of others', so it is last.
 */
const READERS: readonly { format: ImportFormat; looks: Looks; parse: Parser }[] = [
  { format: 'keyhold', looks: looksKeyhold, parse: parseKeyhold },
  { format: '1password-1pux', looks: looksOnePassword1pux, parse: parseOnePassword1pux },
  { format: 'protonpass', looks: looksProtonPass, parse: parseProtonPass },
  { format: 'dashlane-csv', looks: looksDashlaneCsv, parse: parseDashlaneCsv },
  { format: 'bitwarden-json', looks: looksBitwardenJson, parse: parseBitwardenJson },
  { format: 'keepass-xml', looks: looksKeepassXml, parse: parseKeepassXml },
  { format: 'bitwarden-csv', looks: looksBitwardenCsv, parse: parseBitwardenCsv },
  { format: 'lastpass-csv', looks: looksLastpassCsv, parse: parseLastpassCsv },
  { format: '1password-csv', looks: looksOnePasswordCsv, parse: parseOnePasswordCsv },
  { format: 'keepassxc-csv', looks: looksKeepassxcCsv, parse: parseKeepassxcCsv },
  { format: 'firefox-csv', looks: looksFirefoxCsv, parse: parseFirefoxCsv },
  { format: 'chrome-csv', looks: looksChromeCsv, parse: parseChromeCsv },
];

function checkSize(file: ImportFile): void {
  if (file.bytes.length === 0) throw new ImportError('empty');
  if (file.bytes.length > MAX_IMPORT_BYTES) throw new ImportError('tooLarge');
}

/** The format the file's content shows, or null when it is none Keyhold reads. */
export function detectFormat(file: ImportFile): ImportFormat | null {
  checkSize(file);
  // Text once for the text formats (a zip's bytes decode to noise that no text reader accepts).
  const text = decodeText(file.bytes.subarray(0, 2_000_000));
  if (text.trim() === '') throw new ImportError('empty');
  for (const r of READERS) {
    try {
      if (r.looks(file, text)) return r.format;
    } catch {
      // a detector that cannot tell: not this format
    }
  }
  return null;
}

export interface ImportPreview {
  format: ImportFormat;
  entries: ImportEntry[];
  /** Items skipped or changed, and why (the reader's and the checks'). */
  issues: ImportIssue[];
  /** Entries per item type, and per folder ('' for none). */
  byType: Partial<Record<ItemType, number>>;
  byFolder: [folder: string, count: number][];
}

/** Reads the file as `format`; throws ImportError for a file that cannot be read as a whole. */
export async function readImport(
  file: ImportFile,
  format: ImportFormat,
  password?: string,
  now = new Date(),
): Promise<ImportPreview> {
  checkSize(file);
  const reader = READERS.find((r) => r.format === format);
  if (!reader) throw new ImportError('unrecognized');
  const parsed = await reader.parse(file, { maxItems: MAX_IMPORT_ITEMS, ...(password ? { password } : {}) });
  const { items, issues: finalIssues } = finalize(parsed.candidates, now);
  const issues = [...parsed.issues, ...finalIssues];
  const stamp = now.toISOString();
  const entries: ImportEntry[] = [];
  const made = [
    ...items.map((i) => ({ source: i.source, title: i.input.title, entry: entryOf(i, stamp) })),
    ...(parsed.exact ?? []).map((x) => ({
      source: x.source,
      title: x.fields.title,
      entry: entryOfFields(x.fields, x.createdAt),
    })),
  ];
  for (const m of made) {
    // The worker checks every entry again; one it would refuse is reported here, not sent.
    const checked = checkEntry(m.entry, now);
    if (checked) entries.push(checked);
    else issues.push({ source: m.source, title: m.title, outcome: 'skipped', code: 'unreadable' });
  }
  if (entries.length === 0 && issues.length === 0) throw new ImportError('empty');
  issues.sort((a, b) => a.source - b.source);
  const byType: Partial<Record<ItemType, number>> = {};
  const folders = new Map<string, number>();
  for (const e of entries) {
    byType[e.fields.type] = (byType[e.fields.type] ?? 0) + 1;
    const folder = e.fields.folder ?? '';
    folders.set(folder, (folders.get(folder) ?? 0) + 1);
  }
  const byFolder = [...folders].sort(([a], [b]) => a.localeCompare(b));
  return { format, entries, issues, byType, byFolder };
}
