import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { clipboardHash } from '../messaging/offscreen-protocol.ts';
import { settingsItem } from '../storage/items.ts';
import {
  CLIPBOARD_ALARM,
  type ClipboardPort,
  ClipboardService,
  clipboardClearSeconds,
  pendingClearItem,
} from './clipboard.ts';
import { VaultError } from './vault-error.ts';

/** A system clipboard and a document in front of it, as the offscreen document behaves. */
function fakeDocument() {
  const state = { clipboard: '', timers: [] as number[], open: false, failWrite: false };
  const port: ClipboardPort = {
    write: vi.fn(async (text: string, dueInMs: number | null) => {
      if (state.failWrite) throw new Error('denied');
      state.open = true;
      state.clipboard = text;
      if (dueInMs !== null) state.timers.push(dueInMs);
    }),
    clearIfHolds: vi.fn(async (salt: string, hash: string) => {
      state.open = true;
      if ((await clipboardHash(salt, state.clipboard)) !== hash) return false;
      state.clipboard = '';
      return true;
    }),
    close: vi.fn(async () => {
      state.open = false;
    }),
  };
  return { state, port };
}

describe('ClipboardService', () => {
  let now: number;
  let doc: ReturnType<typeof fakeDocument>;
  let service: ClipboardService;
  const alarms = () => fakeBrowser.alarms.getAll();

  beforeEach(() => {
    fakeBrowser.reset();
    now = 1_800_000_000_000;
    doc = fakeDocument();
    service = new ClipboardService({ port: doc.port, now: () => now, clearSeconds: async () => 30 });
  });

  it('writes the value, keeps only a salted hash in storage.session, and sets a backup alarm', async () => {
    expect(await service.copy('hunter2-secret')).toEqual({ clearsInSeconds: 30 });
    expect(doc.state.clipboard).toBe('hunter2-secret');
    expect(doc.state.timers).toEqual([30_000]);
    const pending = await pendingClearItem.getValue();
    expect(pending).toMatchObject({ clearAt: now + 30_000 });
    expect(pending?.hash).toBe(await clipboardHash(pending?.salt ?? '', 'hunter2-secret'));
    const session = JSON.stringify(await fakeBrowser.storage.session.get(null));
    const local = JSON.stringify(await fakeBrowser.storage.local.get(null));
    expect(session).not.toContain('hunter2');
    expect(local).not.toContain('hunter2');
    expect(await alarms()).toMatchObject([{ name: CLIPBOARD_ALARM, scheduledTime: now + 30_000 }]);
  });

  it('two copies of the same value get different salts and hashes', async () => {
    await service.copy('same');
    const first = await pendingClearItem.getValue();
    await service.copy('same');
    const second = await pendingClearItem.getValue();
    expect(second?.salt).not.toBe(first?.salt);
    expect(second?.hash).not.toBe(first?.hash);
  });

  it('clears when due and the clipboard still holds the value; then forgets and closes the document', async () => {
    await service.copy('pw');
    now += 30_000;
    await service.clearDue();
    expect(doc.state.clipboard).toBe('');
    expect(await pendingClearItem.getValue()).toBeNull();
    expect(await alarms()).toEqual([]);
    expect(doc.state.open).toBe(false);
  });

  it('leaves a value the user copied meanwhile alone', async () => {
    await service.copy('pw');
    doc.state.clipboard = 'something the user copied';
    now += 30_000;
    await service.clearDue();
    expect(doc.state.clipboard).toBe('something the user copied');
    expect(await pendingClearItem.getValue()).toBeNull();
  });

  it('does nothing before the time (an early timer), and the record stays for the next one', async () => {
    await service.copy('pw');
    now += 20_000;
    await service.clearDue();
    expect(doc.state.clipboard).toBe('pw');
    expect(await pendingClearItem.getValue()).not.toBeNull();
    expect(doc.port.clearIfHolds).not.toHaveBeenCalled();
  });

  it('a newer copy replaces the pending one: only the newer time and value count', async () => {
    await service.copy('first');
    now += 20_000;
    await service.copy('second');
    now += 10_000; // the first copy's time: not the second's
    await service.clearDue();
    expect(doc.state.clipboard).toBe('second');
    now += 20_000;
    await service.clearDue();
    expect(doc.state.clipboard).toBe('');
  });

  it('survives a new worker: the record in storage.session is all a fresh service needs', async () => {
    await service.copy('pw');
    const restarted = new ClipboardService({
      port: doc.port,
      now: () => now + 31_000,
      clearSeconds: async () => 30,
    });
    await restarted.clearDue();
    expect(doc.state.clipboard).toBe('');
  });

  it('is idempotent: a second timer after the clear changes nothing', async () => {
    await service.copy('pw');
    now += 30_000;
    await service.clearDue();
    doc.state.clipboard = 'pw'; // the user copied the same value again, themselves
    await service.clearDue();
    expect(doc.state.clipboard).toBe('pw');
  });

  it('with a clear time of 0 copies and forgets any pending clear', async () => {
    await service.copy('old');
    const never = new ClipboardService({ port: doc.port, now: () => now, clearSeconds: async () => 0 });
    expect(await never.copy('kept')).toEqual({ clearsInSeconds: null });
    expect(doc.state.clipboard).toBe('kept');
    expect(await pendingClearItem.getValue()).toBeNull();
    expect(await alarms()).toEqual([]);
  });

  it('a failed write is CLIPBOARD_FAILED, with no word of the value', async () => {
    doc.state.failWrite = true;
    const error = await service.copy('secret-value').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VaultError);
    expect((error as VaultError).code).toBe('CLIPBOARD_FAILED');
    expect(String((error as Error).message)).not.toContain('secret-value');
  });

  it('a document that cannot read the clipboard leaves it; the record is settled', async () => {
    await service.copy('pw');
    vi.mocked(doc.port.clearIfHolds).mockRejectedValueOnce(new Error('no read'));
    now += 30_000;
    await service.clearDue();
    expect(doc.state.clipboard).toBe('pw');
    expect(await pendingClearItem.getValue()).toBeNull();
  });
});

describe('clipboardClearSeconds', () => {
  beforeEach(() => fakeBrowser.reset());

  it('is 30 by default and follows the setting when it is a whole number of seconds in range', async () => {
    expect(await clipboardClearSeconds()).toBe(30);
    const base = await settingsItem.getValue();
    for (const [value, expected] of [
      [10, 10],
      [0, 0],
      [3600, 3600],
      [-1, 30],
      [3601, 30],
      [2.5, 30],
      ['10', 30],
    ] as const) {
      await settingsItem.setValue({ ...base, clipboardClearSeconds: value } as typeof base);
      expect(await clipboardClearSeconds()).toBe(expected);
    }
  });
});

describe('browserClipboardPort', () => {
  it('without an offscreen API or a DOM (a worker elsewhere), every copy fails as CLIPBOARD_FAILED', async () => {
    fakeBrowser.reset();
    const { browserClipboardPort } = await import('./clipboard.ts');
    // The test runs in Node: no chrome.offscreen, no document.
    const port = browserClipboardPort(() => undefined);
    const service = new ClipboardService({ port, clearSeconds: async () => 30 });
    await expect(service.copy('x')).rejects.toMatchObject({ code: 'CLIPBOARD_FAILED' });
    // The record written before the failed write clears nothing; a timer on it does not throw.
    await expect(service.clearDue()).resolves.toBeUndefined();
  });
});
