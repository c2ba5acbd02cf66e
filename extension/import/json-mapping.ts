import { decodeText } from './text.ts';
import { type CandidateField, ImportError } from './types.ts';

/**
 * What the JSON importers of Bitwarden (bitwarden-json.ts) and Proton Pass (protonpass.ts) share:
 * reading the file as JSON with the whole-file errors, and loose access to what JSON.parse gave
 * (an export edited by hand or written by another version may hold a number where a string was, or
 * null). Whether an entry is empty and what title one without a title gets: entry-rules.ts.
 */

export type Json = Record<string, unknown>;

export const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A string as exported; a number or boolean as its text; anything else (null, objects) ''. */
export const str = (v: unknown): string =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';

export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/**
 * The file's text parsed as JSON. 'empty' for nothing but white space; 'unrecognized' for text that
 * is not JSON at all (a CSV chosen as JSON); 'malformed' for JSON cut short or broken.
 */
export function readJson(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '') throw new ImportError('empty');
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) throw new ImportError('unrecognized');
  try {
    return JSON.parse(trimmed);
  } catch {
    throw new ImportError('malformed');
  }
}

/** The bytes as text (BOM, UTF-16), then JSON (see readJson). */
export const readJsonBytes = (bytes: Uint8Array): unknown => readJson(decodeText(bytes));

/** A custom field's name, or "Field n" when the file gave none (Keyhold needs one). */
export const fieldName = (name: string, index: number): string =>
  name.trim() === '' ? `Field ${index + 1}` : name;

/** "passportNumber" → "Passport number". */
export const humanize = (key: string): string => {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase()
    .trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** A unix time in seconds as ISO 8601, or undefined. */
export function isoFromSeconds(v: unknown): string | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isFinite(n) || n <= 0) return undefined;
  const d = new Date(n * 1000);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/**
 * A time as the file writes it (ISO 8601 in the exports that use this), or undefined when there is
 * none. Not parsed here: finalize.ts reads and normalises it (entry-rules.ts `isoOrUndefined`).
 */
export const timeAsExported = (v: unknown): string | undefined => {
  const s = str(v).trim();
  return s === '' ? undefined : s;
};

/** Adds a field when it has a value (for source fields that are only worth keeping when set). */
export function pushField(
  fields: CandidateField[],
  name: string,
  value: string,
  kind: NonNullable<CandidateField['kind']> = 'text',
): void {
  if (value.trim() === '') return;
  fields.push({ name, value, kind });
}
