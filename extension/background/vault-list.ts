import { type ItemFields, type ItemType, isLogin } from '../messaging/item-schema.ts';
import { once } from '../messaging/lazy-schemas.ts';
import {
  type FolderSummary,
  type ItemPage,
  type ItemSummary,
  LIST_ROWS,
  type ListView,
} from '../messaging/protocol.ts';
import { itemsOf, type LocalItem, type VaultData } from './vault-data.ts';

/**
 * The popup's list over the decrypted vault (docs/items.md): summaries without secrets, built once
 * per version of the vault, then filtered per request. A 10,000-item vault is summarised in a few
 * milliseconds; a keystroke in the search box only filters.
 */

export interface SummaryEntry {
  summary: ItemSummary;
  /** Lower-cased title, subtitle, websites, folder: what the search box matches. */
  search: string;
}

/**
 * One collator for every sort: `localeCompare` builds one per call, which dominates a 10,000-item
 * sort. Made on the first sort, not at import: the first collator loads the locale's collation
 * data (~10 ms), which a worker's cold start does not need before it answers the popup.
 */
const collator = once(() => new Intl.Collator(undefined, { sensitivity: 'base', numeric: true }));

/** The list's second line: never a password, a card number beyond its last four, or a note. */
export function subtitleOf(f: ItemFields): string {
  switch (f.type) {
    case 'login':
      return f.username;
    case 'card':
      return f.number.length >= 4 ? `•••• ${f.number.slice(-4)}` : f.cardholder;
    case 'identity':
      return [f.firstName, f.lastName].filter(Boolean).join(' ') || f.email;
    case 'sshKey':
      return f.fingerprint;
    default:
      return '';
  }
}

function summaryOf(i: LocalItem): ItemSummary {
  const f = i.fields;
  return {
    id: i.id,
    type: f.type,
    title: f.title,
    subtitle: subtitleOf(f),
    username: isLogin(f) ? f.username : '',
    uris: isLogin(f) ? f.uris : [],
    folder: f.folder,
    favorite: f.favorite,
    trashedAt: f.trashedAt,
    conflict: i.conflictOf !== null,
    pending: i.dirty,
    updatedAt: i.updatedAt,
  };
}

/** A summary with the text the search box matches. */
export function entryOf(summary: ItemSummary): SummaryEntry {
  const search = [summary.title, summary.subtitle, summary.folder, ...summary.uris.map((x) => x.url)]
    .join('\n')
    .toLowerCase();
  return { summary, search };
}

const byId = (a: ItemSummary, b: ItemSummary) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Every item that is not deleted (trashed ones included), favorites first, then by title. */
export function buildSummaries(data: VaultData): SummaryEntry[] {
  const list: SummaryEntry[] = [];
  for (const i of itemsOf(data)) {
    if (!i.deleted) list.push(entryOf(summaryOf(i)));
  }
  const compare = collator().compare;
  list.sort(
    (a, b) =>
      Number(b.summary.favorite) - Number(a.summary.favorite) ||
      compare(a.summary.title, b.summary.title) ||
      byId(a.summary, b.summary),
  );
  return list;
}

export interface ListFilter {
  query: string;
  limit: number;
  view: ListView;
  folder: string;
  type?: ItemType | undefined;
}

/** The list as the popup opens it: every view's default (all live items, no search, folder or type). */
export function isFirstPage(filter: ListFilter): boolean {
  return filter.query.trim() === '' && filter.view === 'all' && filter.folder === '' && !filter.type;
}

/**
 * The first `limit` rows of the default view over summaries in list order, with its counts: what
 * `listPage` answers for it, without search texts (vault-store.ts keeps it as a part of its own).
 */
export function firstPageOf(summaries: readonly ItemSummary[], limit = LIST_ROWS): ItemPage {
  const live = summaries.filter((s) => s.trashedAt === null);
  return {
    items: live.slice(0, limit),
    matching: live.length,
    total: live.length,
    trashed: summaries.length - live.length,
  };
}

/** `page` cut to `limit` rows, or null when the page holds fewer rows than asked and more match. */
export function pageWithin(page: ItemPage, limit: number): ItemPage | null {
  if (limit > page.items.length && page.matching > page.items.length) return null;
  return { ...page, items: page.items.slice(0, limit) };
}

const inFolder = (itemFolder: string, folder: string) =>
  folder === '' || itemFolder === folder || itemFolder.startsWith(`${folder}/`);

export function listPage(all: readonly SummaryEntry[], filter: ListFilter): ItemPage {
  const q = filter.query.trim().toLowerCase();
  let live = 0;
  let trashed = 0;
  const matching: SummaryEntry[] = [];
  for (const e of all) {
    const s = e.summary;
    if (s.trashedAt) trashed++;
    else live++;
    if ((filter.view === 'trash') !== (s.trashedAt !== null)) continue;
    if (filter.view === 'favorites' && !s.favorite) continue;
    if (!inFolder(s.folder, filter.folder)) continue;
    if (filter.type && s.type !== filter.type) continue;
    if (q && !e.search.includes(q)) continue;
    matching.push(e);
  }
  // The trash reads newest trashed first: what was just deleted is on top.
  if (filter.view === 'trash')
    matching.sort((a, b) => ((a.summary.trashedAt ?? '') < (b.summary.trashedAt ?? '') ? 1 : -1));
  return {
    items: matching.slice(0, filter.limit).map((e) => e.summary),
    matching: matching.length,
    total: live,
    trashed,
  };
}

/** Every folder path live items are in, with each parent ("Work" for "Work/Servers"), by name. */
export function listFolders(all: readonly SummaryEntry[]): FolderSummary[] {
  const counts = new Map<string, number>();
  for (const { summary } of all) {
    if (summary.trashedAt || !summary.folder) continue;
    const parts = summary.folder.split('/');
    for (let n = 1; n <= parts.length; n++) {
      const path = parts.slice(0, n).join('/');
      counts.set(path, (counts.get(path) ?? 0) + 1);
    }
  }
  return [...counts]
    .map(([path, count]) => ({ path, count }))
    .sort((a, b) => collator().compare(a.path, b.path));
}
