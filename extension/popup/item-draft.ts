import type { z } from 'zod';
import type { ItemType, UriMatch } from '../messaging/item-schema.ts';
import type { ItemDetail } from '../messaging/protocol.ts';

/**
 * The editor's state as plain data, and the one function that turns it into what saveItem gets.
 * Every field an item has is sent back — folder, favorite, custom fields, and fields this version
 * does not know — so editing one field never drops another (docs/items.md).
 */

/** The text fields each type's section edits, in the order it shows them. */
export const TYPE_FIELDS: Readonly<Record<ItemType, readonly string[]>> = {
  login: ['username', 'password', 'totp'],
  note: [],
  card: ['cardholder', 'brand', 'number', 'expMonth', 'expYear', 'code'],
  identity: [
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
  ],
  sshKey: ['privateKey', 'publicKey'],
};

/** One website row; `key` keeps each row's DOM (and focus) stable while rows above it go. */
export interface UriRow {
  key: number;
  url: string;
  match: UriMatch;
}

export type CustomKind = 'text' | 'hidden' | 'boolean' | 'linked';

/** One custom field row, keyed like the website rows. */
export interface CustomRow {
  key: number;
  name: string;
  kind: CustomKind;
  value: string;
  linkedTo: 'username' | 'password' | undefined;
}

let nextKey = 0;
export const newKey = () => nextKey++;
export const uriRow = (url = '', match: UriMatch = 'domain'): UriRow => ({ key: newKey(), url, match });
export const customRow = (f: Partial<Omit<CustomRow, 'key'>> = {}): CustomRow => ({
  key: newKey(),
  name: f.name ?? '',
  kind: f.kind ?? 'text',
  value: f.value ?? '',
  linkedTo: f.linkedTo,
});

/** Everything the form edits. */
export interface Draft {
  type: ItemType;
  title: string;
  notes: string;
  folder: string;
  favorite: boolean;
  /** The type's own text fields (TYPE_FIELDS). */
  values: Record<string, string>;
  uris: UriRow[];
  custom: CustomRow[];
}

/** What the worker keeps itself or computes: never sent back. */
const NOT_SENT = new Set([
  'id',
  'createdAt',
  'updatedAt',
  'conflict',
  'passwordHistory',
  'trashedAt',
  'fingerprint',
]);

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** The form's state for an existing item, or an empty one of `type` (new website rows match `match`). */
export function draftOf(item: ItemDetail | null, type: ItemType, match: UriMatch): Draft {
  const f = (item ?? {}) as Record<string, unknown>;
  const t = item?.type ?? type;
  const values: Record<string, string> = {};
  for (const name of TYPE_FIELDS[t]) values[name] = str(f[name]);
  const uris = Array.isArray(f.uris) ? (f.uris as { url: string; match: UriMatch }[]) : [];
  const custom = Array.isArray(f.customFields) ? (f.customFields as Partial<CustomRow>[]) : [];
  return {
    type: t,
    title: str(f.title),
    notes: str(f.notes),
    folder: str(f.folder),
    favorite: f.favorite === true,
    values,
    // A new login starts with one empty website row; blank rows are dropped on save.
    uris: item ? uris.map((u) => uriRow(u.url, u.match)) : t === 'login' ? [uriRow('', match)] : [],
    custom: custom.map((c) => customRow(c)),
  };
}

/** A website row that is saved (not blank), with its number on screen ("Website address 2"). */
export interface SentRow {
  key: number;
  position: number;
}

/** Which rows a payload's `uris.<n>` and `customFields.<n>` are, to place errors next to them. */
export interface SentRows {
  uris: SentRow[];
  custom: number[];
}

/**
 * The saveItem `fields` for this draft: the item's own fields as they were (unknown ones too, minus
 * what the worker maintains), overwritten by everything the form edits.
 */
export function buildPayload(
  draft: Draft,
  original: ItemDetail | null,
): { fields: Record<string, unknown>; rows: SentRows } {
  const kept: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(original ?? {})) if (!NOT_SENT.has(k)) kept[k] = v;
  const fields: Record<string, unknown> = {
    ...kept,
    type: draft.type,
    title: draft.title,
    notes: draft.notes,
    folder: draft.folder,
    favorite: draft.favorite,
    ...draft.values,
    customFields: draft.custom.map((c) =>
      c.kind === 'linked'
        ? { name: c.name, kind: c.kind, value: '', linkedTo: c.linkedTo }
        : { name: c.name, kind: c.kind, value: c.value },
    ),
  };
  const rows: SentRows = { uris: [], custom: draft.custom.map((c) => c.key) };
  if (draft.type === 'login') {
    // Blank website rows are dropped; the others keep their number on screen for messages.
    const kept = draft.uris.map((r, i) => ({ ...r, position: i + 1 })).filter((r) => r.url.trim() !== '');
    fields.uris = kept.map(({ url, match }) => ({ url: url.trim(), match }));
    fields.totp = (draft.values.totp ?? '').trim();
    rows.uris = kept.map(({ key, position }) => ({ key, position }));
  }
  return { fields, rows };
}

/**
 * The editor's error key of a saveItem path (without `fields.`): the field's name, `uri-<row key>`
 * for a website row, `custom-<row key>-<part>` for a custom field's name, value, kind or link.
 */
export function errorKey(path: readonly PropertyKey[], rows: SentRows): string {
  const [name, index, part] = path;
  if (name === 'uris' && typeof index === 'number') return `uri-${rows.uris[index]?.key ?? index}`;
  if (name === 'customFields' && typeof index === 'number')
    return `custom-${rows.custom[index] ?? index}-${String(part ?? 'name')}`;
  return String(name);
}

/** Every issue's key, each with the first message about it (issues carry their own sentences). */
export function issueKeys(
  issues: readonly z.core.$ZodIssue[],
  rows: SentRows,
  describe: (issue: z.core.$ZodIssue, onScreen: PropertyKey[]) => string,
): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of issues) {
    const [name, index, ...rest] = issue.path;
    const onScreen =
      name === 'uris' && typeof index === 'number'
        ? ['fields', name, (rows.uris[index]?.position ?? index + 1) - 1, ...rest]
        : ['fields', ...issue.path];
    errors[errorKey(issue.path, rows)] ??= describe(issue, onScreen);
  }
  return errors;
}
