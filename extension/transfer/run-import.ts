import { ENTRIES_PER_MESSAGE, type ImportEntry } from '../import/import-entry.ts';
import type { MessageName, RequestOf, Responses } from '../messaging/protocol.ts';

type Send = <N extends MessageName>(name: N, request: RequestOf<N>) => Promise<Responses[N]>;

export interface ImportRun {
  /** Entries handed to the worker so far, and how many there are. */
  progress: (sent: number, total: number) => void;
  /** Checked between parts: true once the user pressed Cancel. */
  cancelled: () => boolean;
}

/**
 * Sends an import's entries to the worker in parts, then asks it to add them all in one change
 * (background/vault-import.ts). A cancel before that last step, or a failure in any part, drops
 * what was sent: the vault is as it was. Answers how many items were added, or null if cancelled.
 */
export async function runImport(
  send: Send,
  entries: readonly ImportEntry[],
  run: ImportRun,
): Promise<number | null> {
  const { id } = await send('importBegin', {});
  let finishing = false;
  try {
    for (let start = 0; start < entries.length; start += ENTRIES_PER_MESSAGE) {
      if (run.cancelled()) return null;
      await send('importAdd', { id, entries: entries.slice(start, start + ENTRIES_PER_MESSAGE) });
      run.progress(Math.min(start + ENTRIES_PER_MESSAGE, entries.length), entries.length);
    }
    if (run.cancelled()) return null;
    finishing = true;
    return (await send('importFinish', { id })).imported;
  } finally {
    if (!finishing) await send('importCancel', { id }).catch(() => undefined);
  }
}

/** The entries to add: every one, except the duplicates the user chose to skip. */
export function chosenEntries(
  entries: readonly ImportEntry[],
  duplicates: readonly number[],
  importAnyway: ReadonlySet<number>,
): ImportEntry[] {
  const skip = new Set(duplicates.filter((i) => !importAnyway.has(i)));
  return entries.filter((_, i) => !skip.has(i));
}

/** What the duplicate check needs of each entry (its index is the entry's): logins only. */
export function duplicateQuery(entries: readonly ImportEntry[]) {
  return entries.map((e) =>
    e.fields.type === 'login'
      ? {
          username: e.fields.username.slice(0, 1000),
          urls: e.fields.uris.slice(0, 50).map((u) => u.url.slice(0, 5000)),
        }
      : { username: '', urls: [] },
  );
}
