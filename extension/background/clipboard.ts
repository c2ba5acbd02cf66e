import { browser } from 'wxt/browser';
import { storage } from 'wxt/utils/storage';
import {
  clipboardHash,
  newClipboardSalt,
  OFFSCREEN_TARGET,
  type OffscreenReply,
  type OffscreenRequest,
} from '../messaging/offscreen-protocol.ts';
import { type CopyResult, ErrorCode } from '../messaging/protocol.ts';
import { ClipboardDocument, domClipboard } from '../offscreen/clipboard-document.ts';
import { settingsItem } from '../storage/items.ts';
import { VaultError } from './vault-error.ts';

/**
 * Copying for the user, and clearing it again (docs/clipboard.md). The worker has no clipboard: a
 * document writes for it (Chrome: an offscreen document; Firefox: the background page). After the
 * user's clear time the clipboard is emptied — only if it still holds the value Keyhold put there,
 * told by a salted hash kept in storage.session (memory only), never by the value.
 *
 * Two timers lead to the one place that clears (`clearDue`): the document's own timer (exact, and it
 * outlives a stopped worker: it wakes the worker with `clipboardDue`), and an alarm as the backup
 * should the document be gone (Chrome rounds alarms up to 30 s, hence not the only one).
 */

export const CLIPBOARD_ALARM = 'keyhold-clipboard-clear';
export const DEFAULT_CLIPBOARD_CLEAR_SECONDS = 30;
export const MAX_CLIPBOARD_CLEAR_SECONDS = 3600;

/**
 * The user's clear time in seconds (0: never clear). Read from the settings item's
 * `clipboardClearSeconds` when it has one; anything else gives the default.
 */
export async function clipboardClearSeconds(): Promise<number> {
  const settings = (await settingsItem.getValue()) as { clipboardClearSeconds?: unknown };
  const value = settings.clipboardClearSeconds;
  return typeof value === 'number' &&
    Number.isInteger(value) &&
    value >= 0 &&
    value <= MAX_CLIPBOARD_CLEAR_SECONDS
    ? value
    : DEFAULT_CLIPBOARD_CLEAR_SECONDS;
}

/** The last copy waiting to be cleared: its salt and hash, and when (ms since the epoch). */
export interface PendingClear {
  salt: string;
  hash: string;
  clearAt: number;
}

export const pendingClearItem = storage.defineItem<PendingClear | null>('session:clipboard-pending', {
  fallback: null,
});

/** Where the clipboard is written: a document the worker talks to. */
export interface ClipboardPort {
  /** Writes `text`; the document reports `clipboardDue` after `dueInMs` (null: no timer). */
  write(text: string, dueInMs: number | null): Promise<void>;
  /** Empties the clipboard if it holds the value of `hash`; whether it did. */
  clearIfHolds(salt: string, hash: string): Promise<boolean>;
  /** The document is no longer needed (nothing pending). */
  close(): Promise<void>;
}

export interface AlarmsApi {
  create(name: string, info: { when: number }): Promise<unknown>;
  clear(name: string): Promise<unknown>;
}

interface Deps {
  port: ClipboardPort;
  alarms: AlarmsApi;
  now: () => number;
  clearSeconds: () => Promise<number>;
}

/** A timer may run a little before the recorded time (clocks differ); earlier than this is not yet due. */
const EARLY_MS = 1000;

export class ClipboardService {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly deps: Deps;

  constructor(deps: Partial<Deps> & Pick<Deps, 'port'>) {
    this.deps = {
      alarms: browser.alarms,
      now: () => Date.now(),
      clearSeconds: clipboardClearSeconds,
      ...deps,
    };
  }

  /** One at a time: a copy and a clear never interleave. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Puts `text` on the clipboard and schedules its clearing. */
  copy(text: string): Promise<CopyResult> {
    return this.serial(async () => {
      const seconds = await this.deps.clearSeconds();
      if (seconds === 0) {
        // Never cleared: the copy waiting before it is gone from the clipboard now, so forget it too.
        await pendingClearItem.removeValue();
        await this.deps.alarms.clear(CLIPBOARD_ALARM);
        await this.write(text, null);
        await this.deps.port.close().catch(() => undefined);
        return { clearsInSeconds: null };
      }
      const salt = newClipboardSalt();
      const pending: PendingClear = {
        salt,
        hash: await clipboardHash(salt, text),
        clearAt: this.deps.now() + seconds * 1000,
      };
      // Recorded before it is written: a worker stopped in between leaves a record that clears nothing.
      await pendingClearItem.setValue(pending);
      await this.deps.alarms.create(CLIPBOARD_ALARM, { when: pending.clearAt });
      await this.write(text, seconds * 1000);
      return { clearsInSeconds: seconds };
    });
  }

  /**
   * A timer ran (the document's or the alarm): clears the clipboard if the pending copy is due and
   * the clipboard still holds it. Safe to call any time, any number of times.
   */
  clearDue(): Promise<void> {
    return this.serial(async () => {
      const pending = await pendingClearItem.getValue();
      if (!pending) return;
      if (this.deps.now() < pending.clearAt - EARLY_MS) return;
      try {
        await this.deps.port.clearIfHolds(pending.salt, pending.hash);
      } catch {
        // The document could not read the clipboard: it is left as it is; nothing is retried
        // because nothing better can be known later.
      }
      await this.forget();
    });
  }

  private async write(text: string, dueInMs: number | null): Promise<void> {
    try {
      await this.deps.port.write(text, dueInMs);
    } catch {
      throw new VaultError(ErrorCode.ClipboardFailed);
    }
  }

  private async forget(): Promise<void> {
    await pendingClearItem.removeValue();
    await this.deps.alarms.clear(CLIPBOARD_ALARM);
    await this.deps.port.close().catch(() => undefined);
  }
}

// ——— The documents ———

/** chrome.offscreen (Chrome 109+), absent from the polyfill's types and from Firefox. */
interface OffscreenApi {
  createDocument(p: { url: string; reasons: string[]; justification: string }): Promise<void>;
  closeDocument(): Promise<void>;
  hasDocument?: () => Promise<boolean>;
}

export function chromeOffscreen(): OffscreenApi | undefined {
  return (globalThis as { chrome?: { offscreen?: OffscreenApi } }).chrome?.offscreen;
}

const OFFSCREEN_PATH = '/offscreen.html';

type Send = (request: OffscreenRequest) => Promise<OffscreenReply | undefined>;

/** A port that sends to a document (`ensure` opens it first) and checks its reply. */
function portOver(send: Send, ensure: () => Promise<void>, close: () => Promise<void>): ClipboardPort {
  const call = async (request: OffscreenRequest) => {
    await ensure();
    const reply = await send(request);
    if (!reply?.ok) throw new Error('The clipboard document failed.');
    return reply;
  };
  return {
    write: async (text, dueInMs) => {
      // With no clear, the timer is far beyond any wait; the document is closed right after anyway.
      await call({ target: OFFSCREEN_TARGET, type: 'write', text, dueInMs: dueInMs ?? 86_400_000 });
    },
    clearIfHolds: async (salt, hash) =>
      (await call({ target: OFFSCREEN_TARGET, type: 'clearIfHolds', salt, hash })).cleared,
    close,
  };
}

/** Chrome: the offscreen document, created on demand (one per extension) and closed when idle. */
export function offscreenPort(api: OffscreenApi): ClipboardPort {
  const url = browser.runtime.getURL(OFFSCREEN_PATH as '/');
  let creating: Promise<void> | null = null;
  const exists = async () => {
    if (api.hasDocument) return api.hasDocument();
    const runtime = browser.runtime as unknown as {
      getContexts?: (f: { contextTypes: string[]; documentUrls: string[] }) => Promise<unknown[]>;
    };
    return (
      ((await runtime.getContexts?.({ contextTypes: ['OFFSCREEN_DOCUMENT'], documentUrls: [url] })) ?? [])
        .length > 0
    );
  };
  const ensure = async () => {
    if (await exists()) return;
    creating ??= api
      .createDocument({
        url,
        reasons: ['CLIPBOARD'],
        justification: 'Copy a field for the user and clear it again after the chosen time.',
      })
      .finally(() => {
        creating = null;
      });
    await creating;
  };
  const close = async () => {
    if (await exists()) await api.closeDocument();
  };
  return portOver(
    (r) => browser.runtime.sendMessage(r) as Promise<OffscreenReply | undefined>,
    ensure,
    close,
  );
}

/** Firefox: the background page has a DOM; it plays the document itself. */
export function backgroundPagePort(doc: Document, reportDue: () => void): ClipboardPort {
  const page = new ClipboardDocument(domClipboard(doc), reportDue);
  return portOver(
    async (r) => page.handle(r),
    async () => undefined,
    async () => undefined,
  );
}

/** The port this browser offers, or one that fails every copy (no offscreen API and no DOM). */
export function browserClipboardPort(reportDue: () => void): ClipboardPort {
  const offscreen = chromeOffscreen();
  if (offscreen) return offscreenPort(offscreen);
  if (typeof document !== 'undefined') return backgroundPagePort(document, reportDue);
  const unavailable = () => Promise.reject(new Error('No clipboard in this browser.'));
  return { write: unavailable, clearIfHolds: unavailable, close: async () => undefined };
}
