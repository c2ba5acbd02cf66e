import { decodeText } from './text.ts';
import { type Candidate, type CandidateField, ImportError, type ImportIssue } from './types.ts';

/**
 * What the JSON importers of Bitwarden (bitwarden-json.ts) and Proton Pass (protonpass.ts) share:
 * reading the file as JSON with the whole-file errors, loose access to what JSON.parse gave (an
 * export edited by hand or written by another version may hold a number where a string was, or
 * null), titles made for entries without one, and the 'empty' test.
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

/** An ISO 8601 time as exported, or undefined when there is none. */
export const isoOrUndefined = (v: unknown): string | undefined => {
  const s = str(v).trim();
  return s === '' ? undefined : s;
};

function hostOf(url: string): string {
  try {
    return new URL(url.includes('://') ? url : `https://${url}`).hostname.replace(/^www\./, '');
  } catch {
    return url;
  }
}

/** A title for an entry the file gave none: the first website's host (without www.), else a name in it. */
function madeTitle(c: Candidate): string {
  const url = c.urls?.find((u) => u.trim() !== '');
  if (url) return hostOf(url.trim());
  const name = [c.firstName, c.middleName, c.lastName].filter((p) => p && p.trim() !== '').join(' ');
  for (const v of [c.username, name, c.email, c.cardholder]) if (v && v.trim() !== '') return v.trim();
  const firstLine = c.notes?.split(/\r\n|\r|\n/).find((l) => l.trim() !== '');
  return firstLine ? firstLine.trim().slice(0, 80) : '';
}

/** Gives `c` a made title (and a 'titleMade' issue) when it has none. */
export function ensureTitle(c: Candidate, issues: ImportIssue[]): void {
  if (c.title.trim() !== '') return;
  const made = madeTitle(c);
  if (made === '') return;
  c.title = made;
  issues.push({ source: c.source, title: made, outcome: 'changed', code: 'titleMade' });
}

const CONTENT_KEYS = [
  'notes',
  'username',
  'password',
  'totp',
  'cardholder',
  'brand',
  'number',
  'expMonth',
  'expYear',
  'code',
  'honorific',
  'firstName',
  'middleName',
  'lastName',
  'company',
  'email',
  'phone',
  'address1',
  'address2',
  'city',
  'region',
  'postalCode',
  'country',
  'privateKey',
  'publicKey',
] as const satisfies readonly (keyof Candidate)[];

/** Nothing worth keeping: no title, no value in any field, no website, custom field or history. */
export function isEmptyCandidate(c: Candidate): boolean {
  if (c.title.trim() !== '') return false;
  if (CONTENT_KEYS.some((k) => (c[k] ?? '').trim() !== '')) return false;
  if (c.urls?.some((u) => u.trim() !== '')) return false;
  if (c.fields?.some((f) => f.value.trim() !== '' || f.name.trim() !== '')) return false;
  return !(c.passwordHistory && c.passwordHistory.length > 0);
}

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
