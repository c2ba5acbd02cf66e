import { ErrorCode } from '../messaging/protocol.ts';
import { accountItem } from '../storage/items.ts';
import type { VaultData } from './vault-data.ts';
import { VaultError } from './vault-error.ts';
import { type StoredHead, storedHead } from './vault-store.ts';

/**
 * Local changes the server has not acknowledged yet. The count is stored beside the sealed cache
 * so that it can be read while the vault is locked: every path that clears the local vault
 * (logout, signing another account in) checks it and never drops such changes silently.
 */

/**
 * Dirty items of an open vault: edits, creations and deletions not yet pushed. Counted over the
 * record's keys, without building a list of its 10,000 items (the state asks on every call).
 */
export function pendingChanges(data: VaultData): number {
  let n = 0;
  for (const id in data.items) if (data.items[id]?.dirty) n++;
  return n;
}

/** Whether an open vault holds any change not yet pushed: stops at the first one. */
export function hasPendingChanges(data: VaultData): boolean {
  for (const id in data.items) if (data.items[id]?.dirty) return true;
  return false;
}

/**
 * The count stored with the sealed cache: 0 when there is no cache, null when a cache written
 * before the count existed might hold some (unknown is treated as "may lose data").
 */
const pendingIn = (head: StoredHead | null): number | null => (!head ? 0 : head.pending);

export async function storedPendingChanges(): Promise<number | null> {
  return pendingIn(await storedHead());
}

/**
 * Before register/login replaces the local vault: true when there is another account's vault to
 * clear, false when there is none (or it is this account's). Throws UNSYNCED_CHANGES when that
 * vault still holds changes its server never received. Login checks before signing in (by server
 * and email, so nothing is sent for a refused switch) and again after (by account id).
 */
export async function mayReplaceLocalVault(next: {
  serverUrl: string;
  email: string;
  accountId?: string;
}): Promise<boolean> {
  const [previous, cache] = await Promise.all([accountItem.getValue(), storedHead()]);
  if (!previous && !cache) return false;
  const same =
    previous !== null &&
    (!cache || cache.accountId === previous.accountId) &&
    previous.serverUrl === next.serverUrl &&
    previous.email === next.email &&
    (next.accountId === undefined || next.accountId === previous.accountId);
  if (same) return false;
  // The head read above holds the count: the sealed vault itself is not read.
  if (pendingIn(cache) !== 0) throw new VaultError(ErrorCode.UnsyncedChanges);
  return true;
}
