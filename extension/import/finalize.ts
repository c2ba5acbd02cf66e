import { parseTotpSecret } from '../autofill/totp.ts';
import { cardExpiryProblem, isLuhnValid } from '../messaging/card-checks.ts';
import { itemInputSchema } from '../messaging/item-input-schemas.ts';
import {
  type CustomField,
  type ItemInput,
  PASSWORD_HISTORY_SIZE,
  type PreviousPassword,
} from '../messaging/item-schema.ts';
import { isWebsiteAddress } from '../messaging/website-address.ts';
import { hasContent, isoOrUndefined, madeTitle } from './entry-rules.ts';
import type { Candidate, CandidateField, ImportIssue, IssueCode } from './types.ts';

/**
 * From candidates (what a file says) to items Keyhold stores (docs/import.md). Every candidate
 * becomes an item that passes the item schema — with what did not fit moved, never dropped: a
 * website that is not a web address goes to the notes, an unreadable TOTP secret or card number to
 * a hidden custom field, an over-long value to the notes — or is skipped when there is nothing in
 * it. Each move or skip is an issue the preview lists. What counts as "nothing in it", the title an
 * entry without one gets and how times are read are entry-rules.ts's, shared with the readers.
 */

export interface ImportedItem {
  source: number;
  input: ItemInput;
  passwordHistory: PreviousPassword[];
  createdAt?: string;
  updatedAt?: string;
  trashed: boolean;
}

export interface Finalized {
  items: ImportedItem[];
  issues: ImportIssue[];
}

const LIMITS = { title: 500, username: 1000, password: 10_000, notes: 100_000, customValue: 10_000 };
const MAX_CUSTOM_FIELDS = 100;
const MAX_URIS = 50;

/** Keeps the first `max` characters; the rest goes to `overflow` (for the notes). */
function clip(value: string, max: number, label: string, overflow: string[], flag: () => void): string {
  if (value.length <= max) return value;
  flag();
  overflow.push(`${label}: ${value}`);
  return value.slice(0, max);
}

/** An address the user can save: as given, or with https:// when the file left the scheme off. */
function websiteOf(raw: string): string | null {
  const url = raw.trim();
  if (url === '') return null;
  return isWebsiteAddress(url) && url.length <= 2000 ? url : null;
}

function normalizeMonth(m: string): string {
  const t = m.trim();
  return /^\d{1,2}$/.test(t) ? String(Number(t)).padStart(t.length === 2 ? 2 : 1, '0') : t;
}

/** One candidate to an item, or null (skipped); issues are pushed onto `issues`. */
export function finalizeOne(c: Candidate, issues: ImportIssue[], now: Date): ImportedItem | null {
  let title = (c.title ?? '').trim();
  // Issues name the entry by its title as the file gives it, or by the one made for it.
  let shown = title;
  const issue = (code: IssueCode, outcome: 'changed' | 'skipped' = 'changed', detail?: string) =>
    issues.push({
      source: c.source,
      title: shown,
      outcome,
      code,
      ...(detail !== undefined ? { detail } : {}),
    });
  if (!hasContent(c)) {
    issue('empty', 'skipped');
    return null;
  }
  const overflow: string[] = [];
  let tooLong = false;
  const long = () => {
    tooLong = true;
  };
  if (title === '') {
    title = madeTitle(c);
    shown = title;
    issue('titleMade');
  }
  title = clip(title, LIMITS.title, 'Title', overflow, long);

  const custom: CustomField[] = [];
  const addField = (f: CandidateField) => {
    const name = f.name.trim().slice(0, 200) || 'Field';
    const kind = f.kind ?? 'text';
    const value =
      kind === 'boolean'
        ? String(/^(true|1|yes|on|checked)$/i.test(f.value.trim()))
        : clip(f.value, LIMITS.customValue, name, overflow, long);
    custom.push({ name, kind, value });
  };
  for (const f of c.fields ?? []) addField(f);

  let input: Record<string, unknown>;
  switch (c.type) {
    case 'login': {
      const uris: { url: string; match: 'domain' }[] = [];
      for (const raw of c.urls ?? []) {
        if (raw.trim() === '') continue;
        const url = websiteOf(raw);
        if (url === null) {
          overflow.push(`Website: ${raw.trim()}`);
          issue('badUrl', 'changed', raw.trim().slice(0, 200));
        } else if (uris.length >= MAX_URIS) {
          overflow.push(`Website: ${url}`);
        } else if (!uris.some((u) => u.url === url)) uris.push({ url, match: 'domain' });
      }
      if ((c.urls ?? []).filter((u) => websiteOf(u) !== null).length > MAX_URIS) issue('tooMany');
      let totp = (c.totp ?? '').trim();
      if (totp !== '' && (totp.length > 2000 || parseTotpSecret(totp) === null)) {
        issue('badTotp');
        custom.push({ name: 'TOTP (as exported)', kind: 'hidden', value: totp.slice(0, LIMITS.customValue) });
        totp = '';
      }
      input = {
        type: 'login',
        username: clip(c.username ?? '', LIMITS.username, 'Username', overflow, long),
        password: clip(c.password ?? '', LIMITS.password, 'Password', overflow, long),
        uris,
        totp,
      };
      break;
    }
    case 'card': {
      let number = (c.number ?? '').replace(/[\s-]/g, '');
      if (number !== '' && !(/^\d{12,19}$/.test(number) && isLuhnValid(number))) {
        issue('badCardNumber');
        custom.push({
          name: 'Card number (as exported)',
          kind: 'hidden',
          value: (c.number ?? '').slice(0, 200),
        });
        number = '';
      }
      let code = (c.code ?? '').trim();
      if (code !== '' && !/^\d{3,4}$/.test(code)) {
        custom.push({ name: 'Security code (as exported)', kind: 'hidden', value: code.slice(0, 200) });
        code = '';
      }
      let expMonth = normalizeMonth(c.expMonth ?? '');
      let expYear = (c.expYear ?? '').trim();
      if (/^\d{2}$/.test(expYear)) expYear = `20${expYear}`;
      const problem = cardExpiryProblem(expMonth, expYear, now);
      // An expired card is still the user's record of it: kept as it is. Only a date that is not
      // a month and year moves to the notes.
      if (problem && problem.message !== 'itemCheck.expPast') {
        issue('badExpiry');
        overflow.push(`Expiry: ${[c.expMonth, c.expYear].filter(Boolean).join('/')}`);
        expMonth = '';
        expYear = '';
      }
      input = {
        type: 'card',
        cardholder: clip(c.cardholder ?? '', 200, 'Cardholder', overflow, long),
        brand: clip(c.brand ?? '', 50, 'Brand', overflow, long),
        number,
        expMonth,
        expYear,
        code,
      };
      break;
    }
    case 'identity': {
      const keys = [
        ['honorific', 50],
        ['firstName', 200],
        ['middleName', 200],
        ['lastName', 200],
        ['company', 200],
        ['email', 320],
        ['phone', 50],
        ['address1', 300],
        ['address2', 300],
        ['city', 200],
        ['region', 200],
        ['postalCode', 50],
        ['country', 100],
      ] as const;
      input = { type: 'identity' };
      for (const [k, max] of keys) input[k] = clip(c[k] ?? '', max, k, overflow, long);
      break;
    }
    case 'sshKey': {
      const privateKey = (c.privateKey ?? '').trim();
      const publicKey = (c.publicKey ?? '').trim();
      input = { type: 'sshKey', privateKey, publicKey };
      break;
    }
    default:
      input = { type: 'note' };
  }

  if (custom.length > MAX_CUSTOM_FIELDS) {
    issue('tooMany');
    for (const f of custom.splice(MAX_CUSTOM_FIELDS)) overflow.push(`${f.name}: ${f.value}`);
  }
  let notes = c.notes ?? '';
  if (overflow.length > 0) notes = [notes, ...overflow].filter((s) => s !== '').join('\n');
  if (notes.length > LIMITS.notes) {
    tooLong = true;
    notes = notes.slice(0, LIMITS.notes);
  }
  if (tooLong) issue('tooLong');

  const base: Record<string, unknown> = {
    ...input,
    title,
    notes,
    folder: (c.folder ?? '').slice(0, 500),
    favorite: c.favorite === true,
    customFields: custom,
  };
  // The schema refuses a card already expired (a typing check in the editor); an export's old
  // card keeps its date: checked without it, then given it back.
  let keptExpiry: { expMonth: string; expYear: string } | null = null;
  if (input.type === 'card') {
    const { expMonth, expYear } = input as { expMonth: string; expYear: string };
    if (cardExpiryProblem(expMonth, expYear, now)?.message === 'itemCheck.expPast') {
      keptExpiry = { expMonth, expYear };
      Object.assign(base, { expMonth: '', expYear: '' });
    }
  }
  let parsed = itemInputSchema().safeParse(base);
  if (!parsed.success) {
    // What the schema still refuses (an SSH key that is not one, say) is kept as a hidden field.
    const moved = { ...base } as Record<string, unknown>;
    for (const problem of parsed.error.issues) {
      const field = problem.path[0];
      if (typeof field !== 'string' || field === 'type' || field === 'title') continue;
      const value = moved[field];
      if (typeof value === 'string' && value !== '') {
        (moved.customFields as CustomField[]).push({
          name: `${field} (as exported)`,
          kind: 'hidden',
          value: value.slice(0, LIMITS.customValue),
        });
        moved[field] = '';
      }
    }
    issue('unknownField', 'changed');
    parsed = itemInputSchema().safeParse(moved);
    if (!parsed.success) {
      issues.pop();
      issue('unreadable', 'skipped');
      return null;
    }
  }
  const item = keptExpiry && parsed.data.type === 'card' ? { ...parsed.data, ...keptExpiry } : parsed.data;
  const history = (c.passwordHistory ?? [])
    .map((h) => ({ password: h.password, replacedAt: isoOrUndefined(h.replacedAt) }))
    .filter((h): h is PreviousPassword => h.password !== '' && h.replacedAt !== undefined)
    .sort((a, b) => (a.replacedAt < b.replacedAt ? 1 : a.replacedAt > b.replacedAt ? -1 : 0))
    .slice(0, PASSWORD_HISTORY_SIZE);
  const createdAt = isoOrUndefined(c.createdAt);
  const updatedAt = isoOrUndefined(c.updatedAt);
  return {
    source: c.source,
    input: item,
    passwordHistory: history,
    ...(createdAt ? { createdAt } : {}),
    ...(updatedAt ? { updatedAt } : {}),
    trashed: c.trashed === true,
  };
}

export function finalize(candidates: readonly Candidate[], now = new Date()): Finalized {
  const issues: ImportIssue[] = [];
  const items: ImportedItem[] = [];
  for (const c of candidates) {
    const item = finalizeOne(c, issues, now);
    if (item) items.push(item);
  }
  return { items, issues };
}
