import type { SymmetricKey } from '../../shared-crypto/index.ts';
import type { ItemPage } from '../messaging/protocol.ts';
import { accountItem } from '../storage/items.ts';
import { readUnlockSession } from './kept-unlock.ts';
import { importVaultKeys } from './vault-keys.ts';
import { entryOf, type ListFilter, pageWithin, type SummaryEntry } from './vault-list.ts';
import {
  type OpenFirstPage,
  type OpenIndex,
  type OpenMeta,
  openFirstPage,
  openIndex,
  readHead,
  type VaultHead,
} from './vault-store.ts';

/**
 * The unlocked vault rebuilt after a worker start, in stages (docs/vault-store.md, invariant 5;
 * docs/performance.md, rule 8). Chromium stops an idle worker; the session still holds the vault
 * keys, so the next message opens the sealed vault again: first the stored first page (state and
 * the popup's first rows), then the list part (the whole list), then the whole vault. Each stage
 * answers what it can while the next opens; opened together, the larger parts would hold up the
 * smaller ones on the worker's one thread.
 *
 * Invariants:
 * - Single flight: every caller of a stage shares its one opening.
 * - A lock or an unlock (the host's epoch moves) voids the stages in flight: a slow opening never
 *   resurrects a locked vault or replaces a newer one in memory (`reset`, and the epoch check).
 * - Once the whole vault is open (the host's `current`), the partial stages answer null and
 *   callers read the open vault instead.
 * - Nothing is opened that the session holds no key for, or that another account sealed.
 */

/** The list part of the stored vault, opened ahead of the whole vault. */
export interface ListAhead {
  index: OpenIndex;
  entries: SummaryEntry[];
}

/** What a staged opening needs of the vault service that owns the open vault. */
export interface StagedOpenHost<V> {
  /** The vault open in memory now, if any. */
  current(): V | null;
  /** Moves with every lock and unlock. */
  epoch(): number;
  /** Opens the whole stored vault (null when there is none this session can open). */
  openWhole(): Promise<V | null>;
  /** The whole vault opened, and no other was opened meanwhile: it is now the open vault. */
  adopt(vault: V | null): void;
}

export class StagedOpen<V> {
  private whole: Promise<V | null> | null = null;
  private list: Promise<ListAhead | null> | null = null;
  private first: Promise<OpenFirstPage | null> | null = null;

  constructor(private readonly host: StagedOpenHost<V>) {}

  /** A lock or an unlock: the partial stages in flight are void (the whole vault's is, by epoch). */
  reset(): void {
    this.list = null;
    this.first = null;
  }

  /** The open vault, or the stored one opened (all three stages); null when there is none. */
  open(): Promise<V | null> {
    const current = this.host.current();
    if (current) return Promise.resolve(current);
    if (!this.whole) {
      const epoch = this.host.epoch();
      this.first ??= openStoredFirstPage().catch(() => null);
      const first = this.first;
      this.list ??= first.then(() => openStoredList()).catch(() => null);
      const list = this.list;
      this.whole = list
        .then(() => this.host.openWhole())
        .then((opened) => {
          if (epoch === this.host.epoch() && !this.host.current()) this.host.adopt(opened);
          return this.host.current();
        })
        .finally(() => {
          this.whole = null;
          // Open (or failed): the partial stages have done their work.
          if (epoch === this.host.epoch()) {
            if (this.list === list) this.list = null;
            if (this.first === first) this.first = null;
          }
        });
    }
    return this.whole;
  }

  /**
   * The list part, which opens in a fraction of the time the whole vault takes: the popup's list and
   * state are answered from it while the rest opens (started here too). Null when the vault is open
   * already, or locked, or has no list part (callers then wait for the whole vault).
   */
  listAhead(): Promise<ListAhead | null> {
    if (this.host.current()) return Promise.resolve(null);
    this.startOpening();
    const list = this.list;
    return list ? list.then((l) => (this.host.current() ? null : l)) : Promise.resolve(null);
  }

  /**
   * The popup's first page (the default view's first rows and its counts) from the stored first
   * page, before the list part is open. Null when the vault is open already, or nothing is stored.
   */
  async firstPageAhead(filter: ListFilter): Promise<ItemPage | null> {
    if (this.host.current()) return null;
    this.startOpening();
    const first = this.first ? await this.first : null;
    if (!first || this.host.current()) return null;
    return pageWithin(first.page, filter.limit);
  }

  /** The state's part of the stored vault (head and meta) while the whole vault is still opening. */
  async metaAhead(): Promise<OpenMeta | null> {
    if (this.host.current()) return null;
    this.startOpening();
    const first = this.first ? await this.first : null;
    if (first) return this.host.current() ? null : first;
    return (await this.listAhead())?.index ?? null;
  }

  private startOpening(): void {
    void this.open().catch(() => undefined);
  }
}

/** The vault key of the stored vault's version, while the session holds it and it is this account's. */
async function storedVaultKey(): Promise<{ key: SymmetricKey; head: VaultHead } | null> {
  const [session, account, head] = await Promise.all([
    readUnlockSession(),
    accountItem.getValue(),
    readHead(),
  ]);
  if (!session?.vaultKeys || !account || !head) return null;
  if (session.accountId !== account.accountId || head.accountId !== account.accountId) return null;
  const raw = session.vaultKeys[String(head.keyVersion)];
  if (!raw) return null;
  const key = (await importVaultKeys({ [String(head.keyVersion)]: raw })).get(head.keyVersion);
  return key ? { key, head } : null;
}

/** The stored first page, opened with the session's key (null: none this session can open). */
export async function openStoredFirstPage(): Promise<OpenFirstPage | null> {
  const stored = await storedVaultKey();
  return stored ? openFirstPage(stored.key, stored.head) : null;
}

async function openStoredList(): Promise<ListAhead | null> {
  const stored = await storedVaultKey();
  if (!stored) return null;
  const index = await openIndex(stored.key, stored.head);
  return { index, entries: index.summaries.map(entryOf) };
}
