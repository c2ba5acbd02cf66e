import { readSealedVault, type SealedVault } from './vault-store.ts';

/** How long a read ahead is kept for an unlock that has not come. */
export const READ_AHEAD_KEEP_MS = 60_000;

/**
 * The sealed vault read ahead of an unlock (vault-store.ts `readSealedVault`). Started when the
 * popup shows the locked vault, so that by the time the password is typed and its key derived the
 * ciphertext is in this worker's memory: Chromium hands a large IndexedDB value over only once this
 * thread runs the read's callback, which it cannot while it derives the key (about 100 ms of an
 * unlock of 10,000 items, otherwise). Ciphertext only, never a key; taken once, dropped when the
 * vault opens or locks, and after READ_AHEAD_KEEP_MS. Stale reads cost nothing: the open uses them
 * only while the head is still the commit they were read at.
 */
export class UnlockReadAhead {
  private ahead: { read: Promise<SealedVault | null>; timer: ReturnType<typeof setTimeout> } | null = null;

  constructor(
    private readonly read: () => Promise<SealedVault | null> = readSealedVault,
    private readonly keepMs = READ_AHEAD_KEEP_MS,
  ) {}

  /** Starts a read unless one is kept already. */
  start(): void {
    if (this.ahead) return;
    const read = this.started();
    this.ahead = { read, timer: setTimeout(() => this.drop(), this.keepMs) };
  }

  /** The kept read (once), or a read started now. Never rejects: a failed read is null. */
  take(): Promise<SealedVault | null> {
    const kept = this.ahead?.read;
    this.drop();
    return kept ?? this.started();
  }

  drop(): void {
    if (this.ahead) clearTimeout(this.ahead.timer);
    this.ahead = null;
  }

  private started(): Promise<SealedVault | null> {
    return this.read().catch(() => null);
  }
}
