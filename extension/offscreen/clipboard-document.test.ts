import { describe, expect, it, vi } from 'vitest';
import { clipboardHash, newClipboardSalt, OFFSCREEN_TARGET } from '../messaging/offscreen-protocol.ts';
import { type ClipboardAccess, ClipboardDocument, type Timers } from './clipboard-document.ts';

function setup() {
  const system = { text: '' };
  const access: ClipboardAccess = {
    write: vi.fn((text: string) => {
      system.text = text;
    }),
    read: vi.fn(() => system.text),
  };
  const pending = new Map<number, () => void>();
  let next = 0;
  const timers: Timers = {
    set: (run) => {
      pending.set(++next, run);
      return next;
    },
    clear: (handle) => pending.delete(handle as number),
  };
  const reportDue = vi.fn();
  return { system, access, pending, reportDue, page: new ClipboardDocument(access, reportDue, timers) };
}

const write = (text: string, dueInMs = 30_000) => ({
  target: OFFSCREEN_TARGET,
  type: 'write',
  text,
  dueInMs,
});

describe('ClipboardDocument', () => {
  it('ignores messages meant for other pages (no answer)', () => {
    const { page } = setup();
    expect(page.handle({ name: 'getState', request: {} })).toBeUndefined();
    expect(page.handle(null)).toBeUndefined();
  });

  it('refuses a malformed message of its own', async () => {
    const { page, access } = setup();
    expect(await page.handle({ target: OFFSCREEN_TARGET, type: 'write', text: 5 })).toEqual({ ok: false });
    expect(await page.handle({ target: OFFSCREEN_TARGET, type: 'format' })).toEqual({ ok: false });
    expect(access.write).not.toHaveBeenCalled();
  });

  it('writes and keeps one timer: a newer write replaces it', async () => {
    const { page, system, pending, reportDue } = setup();
    expect(await page.handle(write('a'))).toEqual({ ok: true, cleared: false });
    expect(await page.handle(write('b'))).toEqual({ ok: true, cleared: false });
    expect(system.text).toBe('b');
    expect(pending.size).toBe(1);
    for (const run of pending.values()) run();
    expect(reportDue).toHaveBeenCalledTimes(1);
  });

  it('clears only the value of the hash', async () => {
    const { page, system } = setup();
    const salt = newClipboardSalt();
    await page.handle(write('secret'));
    const other = {
      target: OFFSCREEN_TARGET,
      type: 'clearIfHolds',
      salt,
      hash: await clipboardHash(salt, 'other'),
    };
    expect(await page.handle(other)).toEqual({ ok: true, cleared: false });
    expect(system.text).toBe('secret');
    const mine = {
      target: OFFSCREEN_TARGET,
      type: 'clearIfHolds',
      salt,
      hash: await clipboardHash(salt, 'secret'),
    };
    expect(await page.handle(mine)).toEqual({ ok: true, cleared: true });
    expect(system.text).toBe('');
  });

  it('a clipboard that refuses answers {ok: false}, never the error', async () => {
    const { page, access } = setup();
    vi.mocked(access.read).mockImplementation(() => {
      throw new Error('clipboard holds: private text');
    });
    const salt = newClipboardSalt();
    const reply = await page.handle({ target: OFFSCREEN_TARGET, type: 'clearIfHolds', salt, hash: 'x' });
    expect(reply).toEqual({ ok: false });
  });
});
