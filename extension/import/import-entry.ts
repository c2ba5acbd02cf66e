import { z } from 'zod';
import { cardExpiryProblem } from '../messaging/card-checks.ts';
import { itemInputSchema } from '../messaging/item-input-schemas.ts';
import {
  type ItemFields,
  type ItemInput,
  PASSWORD_HISTORY_SIZE,
  type PreviousPassword,
} from '../messaging/item-schema.ts';
import { once } from '../messaging/lazy-schemas.ts';
import type { ImportedItem } from './finalize.ts';

/**
 * One item on its way from the import page to the vault (docs/import.md): the fields Keyhold will
 * store — what the user would have typed, plus the password history and trash mark the source had
 * — and when the source says it was created. The page builds entries; the worker checks each again
 * with `checkEntry` (a message is a trust boundary) before anything is stored.
 */
export interface ImportEntry {
  fields: ItemInput & { passwordHistory: PreviousPassword[]; trashedAt: string | null };
  createdAt?: string;
}

/** Entries per message from the page to the worker: progress moves, no message is huge. */
export const ENTRIES_PER_MESSAGE = 500;

// Built on the first import, not when the worker starts (lazy-schemas.ts).
const iso = once(() => z.iso.datetime({ offset: true }));
const metaSchema = once(() =>
  z.object({
    passwordHistory: z
      .array(z.object({ password: z.string().min(1).max(10_000), replacedAt: iso() }))
      .max(PASSWORD_HISTORY_SIZE),
    trashedAt: iso().nullable(),
  }),
);

/** An entry from a reader's finalized item (its trash mark becomes the time of the import). */
export function entryOf(item: ImportedItem, now: string): ImportEntry {
  return {
    fields: { ...item.input, passwordHistory: item.passwordHistory, trashedAt: item.trashed ? now : null },
    ...(item.createdAt ? { createdAt: item.createdAt } : {}),
  };
}

/** An entry from an item Keyhold itself exported (its own fields, as they were). */
export function entryOfFields(fields: ItemFields, createdAt?: string): ImportEntry {
  const { passwordHistory, trashedAt, ...input } = fields;
  return {
    fields: { ...(input as ItemInput), passwordHistory, trashedAt },
    ...(createdAt ? { createdAt } : {}),
  };
}

/**
 * The fields of `raw` as Keyhold stores them, or null when they are not an item: the item checks
 * of the editor, except that a card whose date has passed keeps it (an export of old cards is not a
 * typing mistake). The worker computes what it derives (an SSH key's fingerprint) itself.
 */
export function checkEntry(raw: unknown, now = new Date()): ImportEntry | null {
  if (!raw || typeof raw !== 'object') return null;
  const { fields, createdAt } = raw as { fields?: unknown; createdAt?: unknown };
  if (!fields || typeof fields !== 'object') return null;
  const { passwordHistory, trashedAt, fingerprint: _derived, ...input } = fields as Record<string, unknown>;
  const meta = metaSchema().safeParse({
    passwordHistory: passwordHistory ?? [],
    trashedAt: trashedAt ?? null,
  });
  if (!meta.success) return null;
  let kept: { expMonth: unknown; expYear: unknown } | null = null;
  if (input.type === 'card' && typeof input.expMonth === 'string' && typeof input.expYear === 'string') {
    if (cardExpiryProblem(input.expMonth, input.expYear, now)?.message === 'itemCheck.expPast') {
      kept = { expMonth: input.expMonth, expYear: input.expYear };
      Object.assign(input, { expMonth: '', expYear: '' });
    }
  }
  const checked = itemInputSchema().safeParse(input);
  if (!checked.success) return null;
  const item =
    kept && checked.data.type === 'card' ? ({ ...checked.data, ...kept } as ItemInput) : checked.data;
  const created = typeof createdAt === 'string' && iso().safeParse(createdAt).success ? createdAt : undefined;
  return {
    fields: {
      ...item,
      passwordHistory: item.type === 'login' ? meta.data.passwordHistory : [],
      trashedAt: meta.data.trashedAt,
    },
    ...(created ? { createdAt: created } : {}),
  };
}

/**
 * What makes two logins the same account for the duplicate check: the username and a website,
 * compared as a person would (case of the host, a trailing slash, `www.` do not matter; the query
 * does not either). One key per website of the login; a login without a website has none.
 */
export function duplicateKeys(username: string, urls: readonly string[]): string[] {
  const keys: string[] = [];
  for (const raw of urls) {
    const u = raw.trim();
    if (!u) continue;
    try {
      const url = new URL(/^[a-z][a-z0-9+.-]*:/i.test(u) ? u : `https://${u}`);
      if (!url.hostname) continue;
      const host = url.hostname.toLowerCase().replace(/^www\./, '');
      const path = url.pathname.replace(/\/+$/, '');
      keys.push(`${username.trim()}\n${url.protocol}//${host}${url.port ? `:${url.port}` : ''}${path}`);
    } catch {
      // not an address: no key
    }
  }
  return keys;
}
