import { checkEntry, duplicateKeys, ENTRIES_PER_MESSAGE, type ImportEntry } from '../import/import-entry.ts';
import { MAX_IMPORT_ITEMS } from '../import/types.ts';
import { isLogin } from '../messaging/item-schema.ts';
import { ErrorCode } from '../messaging/protocol.ts';
import { storedFields } from './item-edits.ts';
import { applyEdit, itemsOf, type VaultData } from './vault-data.ts';
import { VaultError } from './vault-error.ts';
import type { ItemsHost } from './vault-items.ts';

/**
 * An import into the unlocked vault (docs/import.md). The import page reads and checks the file
 * (it never leaves the device) and sends the items here in parts; they wait in this worker's
 * memory only, and `finish` adds them all in ONE change of the vault — one sealed write, so a
 * browser or worker that dies at any point leaves either the whole import or none of it. Until
 * then, `cancel`, a lock or a new import drops what was sent and the vault is as it was. Once
 * added they are ordinary local changes: sync pushes them in batches.
 */

export interface StagedImport {
  id: string;
  staged: number;
}

interface Staging {
  id: string;
  /** The unlocked vault the import was started in: a lock or another unlock ends it. */
  vault: VaultData;
  entries: ImportEntry[];
  /** `finish` is adding them: nothing more may be sent, and a second finish is refused. */
  finishing: boolean;
}

export class VaultImport {
  private staging: Staging | null = null;

  constructor(private readonly host: ItemsHost) {}

  /**
   * Which of `logins` (username and websites) the vault already holds — a live login with the same
   * username and one of the same websites — by their index in `logins`.
   */
  async duplicates(logins: readonly { username: string; urls: readonly string[] }[]): Promise<number[]> {
    const data = await this.host.data();
    const known = new Set<string>();
    for (const item of itemsOf(data)) {
      if (item.deleted || item.fields.trashedAt || !isLogin(item.fields)) continue;
      for (const key of duplicateKeys(
        item.fields.username,
        item.fields.uris.map((u) => u.url),
      ))
        known.add(key);
    }
    const found: number[] = [];
    logins.forEach((l, i) => {
      if (duplicateKeys(l.username, l.urls).some((k) => known.has(k))) found.push(i);
    });
    return found;
  }

  /** Starts an import (dropping one that was never finished). */
  async begin(): Promise<StagedImport> {
    const vault = await this.host.data();
    this.staging = { id: this.host.newId(), vault, entries: [], finishing: false };
    return { id: this.staging.id, staged: 0 };
  }

  private async current(id: string): Promise<Staging> {
    const s = this.staging;
    // Locked (or locked and unlocked again) since it began: what was sent is gone.
    if (s && s.vault !== (await this.host.data())) this.clear();
    if (!this.staging || this.staging.id !== id || this.staging.finishing)
      throw new VaultError(ErrorCode.NotFound);
    return this.staging;
  }

  /** Adds a part of the import; each entry is checked again here. */
  async add(id: string, entries: readonly unknown[]): Promise<StagedImport> {
    const s = await this.current(id);
    if (entries.length > ENTRIES_PER_MESSAGE || s.entries.length + entries.length > MAX_IMPORT_ITEMS)
      throw new VaultError(ErrorCode.Validation);
    const now = new Date();
    const checked: ImportEntry[] = [];
    for (const raw of entries) {
      const entry = checkEntry(raw, now);
      // The page sends only entries that passed this same check: one that fails is not from it.
      if (!entry) throw new VaultError(ErrorCode.Validation);
      checked.push(entry);
    }
    s.entries.push(...checked);
    return { id, staged: s.entries.length };
  }

  /** Adds everything sent, as one change of the vault; answers how many items were added. */
  async finish(id: string): Promise<{ imported: number }> {
    const s = await this.current(id);
    s.finishing = true;
    try {
      const result = await this.addAll(s);
      if (this.staging === s) this.staging = null;
      return result;
    } finally {
      // Not added (the disk is full, say): the vault is as it was and the user may try again.
      s.finishing = false;
    }
  }

  private async addAll(s: Staging): Promise<{ imported: number }> {
    const prepared = await Promise.all(
      s.entries.map(async (e) => ({
        fields: {
          ...(await storedFields(e.fields, undefined, '')),
          passwordHistory: e.fields.passwordHistory,
          trashedAt: e.fields.trashedAt,
        },
        createdAt: e.createdAt,
      })),
    );
    return this.host.transact(async (data, now, commit) => {
      if (data !== s.vault) throw new VaultError(ErrorCode.NotFound);
      await commit(() => {
        for (const p of prepared) {
          const id = applyEdit(data, undefined, p.fields, now, () => this.host.newId());
          const item = data.items[id];
          if (item && p.createdAt) item.createdAt = p.createdAt;
        }
      });
      return { imported: prepared.length };
    });
  }

  cancel(id: string): void {
    if (this.staging?.id === id) this.staging = null;
  }

  /** The vault locked: nothing sent for an import stays in memory. */
  clear(): void {
    this.staging = null;
  }
}
