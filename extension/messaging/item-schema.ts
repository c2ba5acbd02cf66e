import type { ItemInput, LoginInput } from './item-input-schemas.ts';

/**
 * What one vault item holds (docs/items.md). Everything here lives only inside the item's sealed
 * body: the server sees ids, revisions, sizes and times, never a type, folder or field.
 *
 * The checks of an item as the popup (or an import) sends it to saveItem are zod schemas in
 * item-input-schemas.ts, imported by the worker and by the code that validates (the import page,
 * the popup's editor on demand); this module is types and plain functions only, so a page that
 * shows items loads no zod. The worker adds what only it maintains (`ItemFields`): the password
 * history and the trash mark.
 */

export type { CustomField, ItemInput, ItemInputRaw, LoginInput } from './item-input-schemas.ts';

export const ITEM_TYPES = ['login', 'note', 'card', 'identity', 'sshKey'] as const;
export type ItemType = (typeof ITEM_TYPES)[number];

export const URI_MATCH_MODES = ['domain', 'host', 'exact', 'never'] as const;
export type UriMatch = (typeof URI_MATCH_MODES)[number];

/**
 * "Work / Servers/" → "Work/Servers": segments trimmed, empty ones dropped. A folder is only a
 * name path inside item bodies; a folder exists while an item is in it.
 */
export function normalizeFolder(path: string): string {
  return path
    .split('/')
    .map((s) => s.trim())
    .filter(Boolean)
    .join('/');
}

/** A password a login had before, and when it was replaced (newest first). */
export interface PreviousPassword {
  password: string;
  replacedAt: string;
}

/** What the worker maintains beside what the user typed. */
export interface ItemMeta {
  /** Logins only (empty otherwise): the last PASSWORD_HISTORY_SIZE passwords replaced. */
  passwordHistory: PreviousPassword[];
  /** When the item went to the trash; null while it is live. */
  trashedAt: string | null;
}

/** An item as stored in its sealed body and in the sealed cache. */
export type ItemFields = ItemInput & ItemMeta;
export type LoginFields = LoginInput & ItemMeta;
export type SavedUriField = LoginInput['uris'][number];

export const PASSWORD_HISTORY_SIZE = 10;

/**
 * Fields as an older body or cache holds them, brought to today's shape without changing what they
 * say: a body written before item types is a login; missing lists are empty, flags false. Unknown
 * keys (a newer version's) are kept, so this device does not strip them when it edits the item.
 */
export function normalizeFields(raw: unknown): ItemFields {
  const f = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  // Written since body format 2: already in shape (the common case; 10,000 of them at unlock).
  if (
    typeof f.type === 'string' &&
    Array.isArray(f.passwordHistory) &&
    Array.isArray(f.customFields) &&
    'trashedAt' in f
  )
    return f as unknown as ItemFields;
  const type = typeof f.type === 'string' ? f.type : 'login';
  const base = {
    ...f,
    type,
    title: typeof f.title === 'string' ? f.title : '',
    notes: typeof f.notes === 'string' ? f.notes : '',
    folder: typeof f.folder === 'string' ? f.folder : '',
    favorite: f.favorite === true,
    customFields: Array.isArray(f.customFields) ? f.customFields : [],
    passwordHistory: Array.isArray(f.passwordHistory) ? f.passwordHistory : [],
    trashedAt: typeof f.trashedAt === 'string' ? f.trashedAt : null,
  };
  if (type === 'login')
    return {
      ...base,
      username: typeof f.username === 'string' ? f.username : '',
      password: typeof f.password === 'string' ? f.password : '',
      uris: Array.isArray(f.uris) ? f.uris : [],
      totp: typeof f.totp === 'string' ? f.totp : '',
    } as ItemFields;
  return base as ItemFields;
}

export const isLogin = (f: ItemFields): f is LoginFields => f.type === 'login';

/** An OpenSSH public key line: `<type> <base64 blob> [comment]`, the blob naming the same type. */
export function parseSshPublicKey(line: string): { type: string; blob: Uint8Array<ArrayBuffer> } | null {
  const m =
    /^(ssh-[a-z0-9-]+|ecdsa-sha2-[a-z0-9-]+|sk-[a-z0-9@.-]+)\s+([A-Za-z0-9+/]+={0,2})(?:\s+.*)?$/.exec(
      line.trim(),
    );
  if (!m?.[1] || !m[2]) return null;
  let blob: Uint8Array<ArrayBuffer>;
  try {
    blob = Uint8Array.from(atob(m[2]), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
  if (blob.length < 4) return null;
  const nameLength = new DataView(blob.buffer).getUint32(0);
  const name = new TextDecoder().decode(blob.subarray(4, 4 + nameLength));
  return name === m[1] ? { type: m[1], blob } : null;
}

/** OpenSSH's fingerprint of a public key: `SHA256:` + unpadded base64 of SHA-256(blob). */
export async function sshFingerprint(publicKey: string): Promise<string> {
  const parsed = parseSshPublicKey(publicKey);
  if (!parsed) return '';
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', parsed.blob));
  return `SHA256:${btoa(String.fromCharCode(...digest)).replace(/=+$/, '')}`;
}

/** A login's stored fields from the ones given; the rest empty (saves from pages, tests, fixtures). */
export const loginFields = (f: Partial<LoginFields>): LoginFields =>
  normalizeFields({ ...f, type: 'login' }) as LoginFields;
