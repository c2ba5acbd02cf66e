import type { ItemType } from '../messaging/item-schema.ts';
import type { Candidate, ImportIssue } from './types.ts';

/**
 * The answers every importer shares (docs/import.md), kept in one place so that no reader and
 * finalize.ts can disagree:
 * - **Is this entry empty?** Only when it holds nothing a user typed. Anything typed keeps it: a
 *   title, any text value, a website, a folder (the user filed it there), a custom field's name
 *   or value, an earlier password. What is bookkeeping does not: the type, the favorite mark, the
 *   trash mark and the times. (A reader whose every entry sits in a vault, 1PUX or Proton Pass,
 *   asks without the vault's name: the vault is where entries live, not something typed on one.)
 * - **What title when there is none?** The host (no "www.") of the first website that has one,
 *   else the first website as written, else the username, the person's name, the email, the
 *   cardholder or the company; else the type's word ("Login", "Note" …). Never the notes: a title
 *   is shown in lists, notes only when the item is opened. Never ''.
 * - **A time** from the file as ISO 8601 (`isoOrUndefined`), or none when it cannot be read.
 */

const blank = (s: string | undefined): boolean => (s ?? '').trim() === '';

/** Candidate properties that say how an entry is kept, not what is in it. */
const BOOKKEEPING: ReadonlySet<string> = new Set([
  'source',
  'type',
  'favorite',
  'trashed',
  'createdAt',
  'updatedAt',
] satisfies (keyof Candidate)[]);

/** Whether the candidate holds anything a user typed (see the module's comment). */
export function hasContent(c: Candidate): boolean {
  for (const [key, value] of Object.entries(c)) {
    if (!BOOKKEEPING.has(key) && typeof value === 'string' && !blank(value)) return true;
  }
  return (
    (c.urls ?? []).some((u) => !blank(u)) ||
    (c.fields ?? []).some((f) => !blank(f.name) || !blank(f.value)) ||
    (c.passwordHistory ?? []).some((h) => !blank(h.password))
  );
}

/** Nothing a user typed: skipped with issue 'empty'. */
export const isEmptyCandidate = (c: Candidate): boolean => !hasContent(c);

/** The host of a website without "www.", read as written or with https:// in front; '' if none. */
function hostOf(url: string): string {
  for (const attempt of [url, `https://${url}`]) {
    try {
      const host = new URL(attempt).hostname;
      if (host) return host.replace(/^www\./i, '');
    } catch {
      // not an address written this way: try the next spelling
    }
  }
  return '';
}

const TYPE_TITLE: Record<ItemType, string> = {
  login: 'Login',
  note: 'Note',
  card: 'Card',
  identity: 'Identity',
  sshKey: 'SSH key',
};

/** A title for an entry without one (see the module's comment); never ''. */
export function madeTitle(c: Candidate): string {
  const urls = (c.urls ?? []).map((u) => u.trim()).filter((u) => u !== '');
  for (const url of urls) {
    const host = hostOf(url);
    if (host !== '') return host;
  }
  if (urls[0] !== undefined) return urls[0];
  const person = [c.firstName, c.middleName, c.lastName]
    .map((s) => (s ?? '').trim())
    .filter((s) => s !== '')
    .join(' ');
  for (const v of [c.username, person, c.email, c.cardholder, c.company])
    if (!blank(v)) return (v ?? '').trim();
  return TYPE_TITLE[c.type];
}

/**
 * Gives `c` a made title when its own is blank, and says so in `issues` ('titleMade', naming the
 * made title) when they are given. Returns the title.
 */
export function ensureTitle(c: Candidate, issues?: ImportIssue[]): string {
  if (!blank(c.title)) return c.title;
  c.title = madeTitle(c);
  issues?.push({ source: c.source, title: c.title, outcome: 'changed', code: 'titleMade' });
  return c.title;
}

/** A time the file gives, parsed and written as ISO 8601 (UTC, milliseconds); undefined when unreadable. */
export function isoOrUndefined(s: string | undefined): string | undefined {
  if (!s) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}
