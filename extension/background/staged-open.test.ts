import { describe, expect, it } from 'vitest';
import { StagedOpen } from './staged-open.ts';

/** A host whose whole-vault opening the test finishes when it chooses. */
function host() {
  const state = { current: null as string | null, epoch: 0, opens: 0, adopted: [] as (string | null)[] };
  let finish: (vault: string | null) => void = () => {};
  const staged = new StagedOpen<string>({
    current: () => state.current,
    epoch: () => state.epoch,
    openWhole: () => {
      state.opens += 1;
      return new Promise((resolve) => {
        finish = resolve;
      });
    },
    adopt: (vault) => {
      state.adopted.push(vault);
      state.current = vault;
    },
  });
  // The partial stages read storage first: wait until the whole vault's opening has begun.
  const opened = async () => {
    while (state.opens === 0) await new Promise((resolve) => setTimeout(resolve, 1));
  };
  return { state, staged, opened, finish: (vault: string | null) => finish(vault) };
}

describe('a staged opening after a worker start', () => {
  it('opens the whole vault once for every caller and adopts it', async () => {
    const { state, staged, opened, finish } = host();
    const first = staged.open();
    const second = staged.open();
    await opened();
    finish('vault');
    expect(await first).toBe('vault');
    expect(await second).toBe('vault');
    expect(state.opens).toBe(1);
    expect(state.adopted).toEqual(['vault']);
    // Open now: answered from memory, nothing opened again, and the partial stages step aside.
    expect(await staged.open()).toBe('vault');
    expect(state.opens).toBe(1);
    expect(await staged.listAhead()).toBeNull();
    expect(await staged.metaAhead()).toBeNull();
    expect(await staged.firstPageAhead({ view: 'all', query: '', folder: '', limit: 50 })).toBeNull();
  });

  it('never adopts a vault that finished opening after a lock or an unlock', async () => {
    const { state, staged, opened, finish } = host();
    const opening = staged.open();
    await opened();
    // Locked meanwhile: the epoch moved and the stages in flight are void.
    state.epoch += 1;
    staged.reset();
    finish('stale');
    expect(await opening).toBeNull();
    expect(state.adopted).toEqual([]);
  });

  it('keeps a newer vault opened meanwhile', async () => {
    const { state, staged, opened, finish } = host();
    const opening = staged.open();
    await opened();
    state.current = 'unlocked';
    finish('restored');
    expect(await opening).toBe('unlocked');
    expect(state.adopted).toEqual([]);
  });

  it('answers null for every partial stage when nothing is stored, and opens again after a failure', async () => {
    const { state, staged, opened, finish } = host();
    expect(await staged.listAhead()).toBeNull();
    expect(await staged.metaAhead()).toBeNull();
    await opened();
    finish(null);
    await staged.open();
    expect(state.adopted).toEqual([null]);
    // Nothing open: the next caller starts a new opening.
    const again = staged.open();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(state.opens).toBe(2);
    finish('vault');
    expect(await again).toBe('vault');
  });
});
