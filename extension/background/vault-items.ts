import { type ItemInput, isLogin, type LoginFields } from '../messaging/item-schema.ts';
import { ErrorCode, type FolderSummary, type ItemDetail, type ItemPage } from '../messaging/protocol.ts';
import { deleteForever, restore, storedFields, trash, trashedIds } from './item-edits.ts';
import { applyDelete, applyEdit, itemsOf, type VaultData } from './vault-data.ts';
import { VaultError } from './vault-error.ts';
import { buildSummaries, type ListFilter, listFolders, listPage, type SummaryEntry } from './vault-list.ts';

/**
 * The items of the unlocked vault (docs/items.md): the popup's list, an item's detail, edits, the
 * trash, and the logins autofill plans with. Every change runs in the vault's queue through
 * `ItemsHost.transact` (vault-service.ts), which persists it all-or-nothing and syncs it soon; this
 * module never sees keys, tokens or the server.
 */

export interface AutofillLogin {
  id: string;
  fields: LoginFields;
  uris: LoginFields['uris'];
  lastUsedAt?: string;
}

export interface ItemsHost {
  /** The unlocked vault's data (LOCKED / NO_ACCOUNT otherwise), to read. */
  data(): Promise<VaultData>;
  /**
   * The list, sorted, while the vault is still opening after a worker start (the stored list part
   * opens first); null once (or unless) the data itself is there.
   */
  listAhead(): Promise<SummaryEntry[] | null>;
  /**
   * The popup's first page (the default view), from the vault's stored first page while even the
   * list is still opening after a worker start; null for other pages, or once the list is open.
   */
  firstPageAhead(filter: ListFilter): Promise<ItemPage | null>;
  /**
   * In the vault's queue, on the unlocked data at `now`: `commit(change)` applies a change and
   * persists it, or leaves the vault as it was (STORAGE_FAILED). A committed change is synced soon.
   */
  transact<T>(
    work: (data: VaultData, now: string, commit: <R>(change: () => R) => Promise<R>) => Promise<T>,
  ): Promise<T>;
  newId(): string;
}

export class VaultItems {
  /** The sorted list with search texts, built once per version of the vault (see `changed`). */
  private summaries: { data: VaultData; list: SummaryEntry[] } | null = null;

  constructor(private readonly host: ItemsHost) {}

  /** Counts `changed` calls: a page kept from before a change is stale. */
  private version = 0;

  /** The item list changed (a local edit, a sync that changed something, a failed edit undone). */
  changed(): void {
    this.summaries = null;
    this.version++;
  }

  /** Which version of the list this is (see `changed`). */
  get listVersion(): number {
    return this.version;
  }

  /** Whether the list of `data` is built already (a page of it costs nothing then). */
  isBuilt(data: VaultData): boolean {
    return this.summaries?.data === data;
  }

  private async sortedSummaries(): Promise<SummaryEntry[]> {
    return (await this.host.listAhead()) ?? this.entriesOf(await this.host.data());
  }

  private entriesOf(data: VaultData): SummaryEntry[] {
    if (this.summaries?.data === data) return this.summaries.list;
    const list = buildSummaries(data);
    this.summaries = { data, list };
    return list;
  }

  /** The list's summaries of `data` in list order (the stored list index; built once per version). */
  summariesOf(data: VaultData) {
    return this.entriesOf(data).map((e) => e.summary);
  }

  /** The popup's list: the first `limit` items of a view, folder and type whose text contains `query`. */
  async listPage(filter: ListFilter): Promise<ItemPage> {
    return (await this.host.firstPageAhead(filter)) ?? listPage(await this.sortedSummaries(), filter);
  }

  async listFolders(): Promise<FolderSummary[]> {
    return listFolders(await this.sortedSummaries());
  }

  /** Live logins with their fields, for autofill planning in this worker; never sent to a page. */
  async autofillLogins(): Promise<AutofillLogin[]> {
    const data = await this.host.data();
    const lastUsed = data.lastUsed ?? {};
    const list: AutofillLogin[] = [];
    for (const i of itemsOf(data)) {
      // Only live logins fill: never a trashed item, never another type.
      if (i.deleted || i.fields.trashedAt || !isLogin(i.fields)) continue;
      const used = lastUsed[i.id];
      list.push({ id: i.id, fields: i.fields, uris: i.fields.uris, ...(used ? { lastUsedAt: used } : {}) });
    }
    return list;
  }

  async getItem(id: string): Promise<ItemDetail> {
    return detailOf(await this.host.data(), id);
  }

  saveItem(id: string | undefined, input: ItemInput): Promise<ItemDetail> {
    return this.host.transact(async (data, now, commit) => {
      const existing = id ? data.items[id] : undefined;
      if (id && (!existing || existing.deleted)) throw new VaultError(ErrorCode.NotFound);
      const fields = await storedFields(input, existing?.fields, now);
      const itemId = await commit(() => applyEdit(data, id, fields, now, () => this.host.newId()));
      return detailOf(data, itemId);
    });
  }

  /** A login saved from the page's save prompt (or a generated password that was used). */
  async createLogin(l: { title: string; username: string; password: string; url: string }): Promise<void> {
    await this.saveItem(undefined, {
      type: 'login',
      folder: '',
      favorite: false,
      customFields: [],
      title: l.title,
      username: l.username,
      password: l.password,
      uris: [{ url: l.url, match: 'domain' }],
      notes: '',
      totp: '',
    });
  }

  /** The page's update prompt: only the password changes; the merge base is kept as for any edit. */
  async updatePassword(id: string, password: string): Promise<void> {
    const existing = (await this.host.data()).items[id];
    if (!existing || existing.deleted || !isLogin(existing.fields)) throw new VaultError(ErrorCode.NotFound);
    await this.saveItem(id, { ...existing.fields, password });
  }

  /** "Delete": to the trash, restorable for TRASH_DAYS days (item-edits.ts). */
  async deleteItem(id: string): Promise<null> {
    await this.edit((data, now) => trash(data, id, now, () => this.host.newId()));
    return null;
  }

  async restoreItem(id: string): Promise<ItemDetail> {
    await this.edit((data, now) => restore(data, id, now, () => this.host.newId()));
    return this.getItem(id);
  }

  async deleteForever(id: string): Promise<null> {
    await this.edit((data, now) => deleteForever(data, id, now));
    return null;
  }

  async emptyTrash(): Promise<{ deleted: number }> {
    const deleted = await this.edit((data, now) => {
      const ids = trashedIds(data);
      for (const id of ids) applyDelete(data, id, now);
      return ids.length;
    });
    return { deleted };
  }

  /** One local change to the vault, persisted, then synced soon. */
  private edit<T>(change: (data: VaultData, now: string) => T): Promise<T> {
    return this.host.transact((data, now, commit) => commit(() => change(data, now)));
  }
}

/** An item as the detail view and the editor get it, with what it is a conflict copy of. */
export function detailOf(data: VaultData, id: string): ItemDetail {
  const i = data.items[id];
  if (!i || i.deleted) throw new VaultError(ErrorCode.NotFound);
  const original = i.conflictOf ? data.items[i.conflictOf] : undefined;
  const live = original && !original.deleted ? original : undefined;
  return {
    id: i.id,
    ...i.fields,
    createdAt: i.createdAt,
    updatedAt: i.updatedAt,
    conflict: i.conflictOf
      ? {
          of: i.conflictOf,
          ofTitle: live?.fields.title ?? null,
          ofUpdatedAt: live?.updatedAt ?? null,
          copyUpdatedAt: i.updatedAt,
        }
      : null,
  };
}
