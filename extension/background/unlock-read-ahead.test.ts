import { afterEach, describe, expect, it, vi } from 'vitest';
import { UnlockReadAhead } from './unlock-read-ahead.ts';
import type { SealedVault } from './vault-store.ts';

const sealed = (commit: string): SealedVault => ({
  head: { format: 2, accountId: 'a', keyVersion: 1, commit, shards: 16, pending: 0 } as SealedVault['head'],
  records: [],
});

afterEach(() => {
  vi.useRealTimers();
});

describe('UnlockReadAhead', () => {
  it('reads once however often it is started, and hands that read to the unlock once', async () => {
    const read = vi.fn(async () => sealed('c1'));
    const ahead = new UnlockReadAhead(read);
    ahead.start();
    ahead.start();
    expect(read).toHaveBeenCalledTimes(1);
    expect((await ahead.take())?.head.commit).toBe('c1');
    // Taken: the next unlock reads for itself.
    read.mockResolvedValueOnce(sealed('c2'));
    expect((await ahead.take())?.head.commit).toBe('c2');
    expect(read).toHaveBeenCalledTimes(2);
  });

  it('reads at the unlock when nothing was read ahead; a failed read is null, never a failed unlock', async () => {
    const ahead = new UnlockReadAhead(() => Promise.reject(new DOMException('gone', 'UnknownError')));
    ahead.start();
    expect(await ahead.take()).toBeNull();
    expect(await ahead.take()).toBeNull();
  });

  it('drops a read the unlock did not come for, after its time or when the vault opens or locks', async () => {
    vi.useFakeTimers();
    const read = vi.fn(async () => sealed('c1'));
    const ahead = new UnlockReadAhead(read, 1_000);
    ahead.start();
    vi.advanceTimersByTime(1_001);
    await ahead.take();
    expect(read).toHaveBeenCalledTimes(2);
    ahead.start();
    ahead.drop();
    await ahead.take();
    expect(read).toHaveBeenCalledTimes(4);
  });
});
