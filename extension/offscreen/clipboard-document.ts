import {
  clipboardHash,
  OFFSCREEN_TARGET,
  type OffscreenReply,
  offscreenRequestSchema,
} from '../messaging/offscreen-protocol.ts';

/**
 * The clipboard document's side (docs/clipboard.md): in Chrome the offscreen document (reason
 * CLIPBOARD), in Firefox the background page itself, which has a DOM. It writes, compares and keeps
 * one timer; it holds no value and no hash between messages.
 */

/** Reading and writing the system clipboard from a page (clipboardRead / clipboardWrite permissions). */
export interface ClipboardAccess {
  write(text: string): void;
  read(): string;
}

/**
 * Through `execCommand` with `copy`/`paste` event handlers: it works in a page without focus (an
 * offscreen document never has any, so `navigator.clipboard` refuses there), and the event's
 * `clipboardData` carries the exact text — an empty string too, which is how the clipboard is cleared.
 */
export function domClipboard(doc: Document): ClipboardAccess {
  return {
    write(text) {
      const onCopy = (e: ClipboardEvent) => {
        e.clipboardData?.setData('text/plain', text);
        e.preventDefault();
      };
      doc.addEventListener('copy', onCopy);
      try {
        if (!doc.execCommand('copy')) throw new Error('The clipboard refused the copy.');
      } finally {
        doc.removeEventListener('copy', onCopy);
      }
    },
    read() {
      // A paste needs an editable target with focus; the text is taken from the event, untouched.
      const area = doc.createElement('textarea');
      doc.body.append(area);
      let text = '';
      const onPaste = (e: ClipboardEvent) => {
        text = e.clipboardData?.getData('text/plain') ?? '';
        e.preventDefault();
      };
      area.addEventListener('paste', onPaste);
      try {
        area.focus();
        if (!doc.execCommand('paste')) throw new Error('The clipboard refused the paste.');
        return text;
      } finally {
        area.removeEventListener('paste', onPaste);
        area.remove();
      }
    },
  };
}

export interface Timers {
  set(run: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: Timers = {
  set: (run, ms) => setTimeout(run, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Answers the worker's messages. `reportDue` tells the worker a clear may be due (the worker decides
 * what, from its own record). One timer: a newer write replaces it, so only the latest copy's time counts.
 */
export class ClipboardDocument {
  private timer: unknown = null;

  constructor(
    private readonly clipboard: ClipboardAccess,
    private readonly reportDue: () => void,
    private readonly timers: Timers = realTimers,
  ) {}

  /** A runtime message: an answer for ours, `undefined` for any other (another page answers it). */
  handle(message: unknown): Promise<OffscreenReply> | undefined {
    if ((message as { target?: unknown } | null)?.target !== OFFSCREEN_TARGET) return undefined;
    const parsed = offscreenRequestSchema().safeParse(message);
    if (!parsed.success) return Promise.resolve({ ok: false });
    const request = parsed.data;
    return (async (): Promise<OffscreenReply> => {
      try {
        if (request.type === 'write') {
          this.clipboard.write(request.text);
          if (this.timer !== null) this.timers.clear(this.timer);
          this.timer = this.timers.set(() => {
            this.timer = null;
            this.reportDue();
          }, request.dueInMs);
          return { ok: true, cleared: false };
        }
        const current = this.clipboard.read();
        if ((await clipboardHash(request.salt, current)) !== request.hash)
          return { ok: true, cleared: false };
        this.clipboard.write('');
        return { ok: true, cleared: true };
      } catch {
        // Never echo the error: it could name what was on the clipboard.
        return { ok: false };
      }
    })();
  }
}
