import { pino } from 'pino';
import type { Database } from '../db/client.ts';
import { PushHub, type PushHubOptions } from '../push/hub.ts';
import type { ChangeNotifier } from '../push/notifier.ts';

/** A started hub on `database`'s own notifier (or the one given); close it after the test. */
export async function startPushHub(
  database: Database,
  options: Partial<Omit<PushHubOptions, 'db'>> & { notifier?: ChangeNotifier } = {},
): Promise<PushHub> {
  const hub = new PushHub({
    db: database.db,
    logger: pino({ level: 'silent' }),
    ...options,
    notifier: options.notifier ?? database.createNotifier(),
  });
  await hub.start();
  return hub;
}

export interface SseEvent {
  event: string;
  data: unknown;
}

/** The SSE fields of one block (`event:`, `data:` joined); undefined for comments and empty blocks. */
export function parseSseBlock(block: string): SseEvent | undefined {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0) return undefined;
  return { event, data: JSON.parse(data.join('\n')) };
}

/**
 * Reads an event-stream body the way the extension will (fetch + ReadableStream, no EventSource).
 * `next()` resolves with the next event, or null once the stream has ended; it rejects after `timeoutMs`.
 */
export function readEvents(res: Response) {
  if (!res.body) throw new Error('response has no body');
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let done = false;
  let pending: Promise<ReadableStreamReadResult<string>> | undefined;

  const parse = parseSseBlock;

  const next = async (timeoutMs = 2_000): Promise<SseEvent | null> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const parsed = parse(block);
        if (parsed) return parsed;
        continue;
      }
      if (done) return null;
      pending ??= reader.read();
      let timer: NodeJS.Timeout | undefined;
      const result = await Promise.race([
        pending,
        new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()));
        }),
      ]);
      clearTimeout(timer);
      if (result === 'timeout') throw new Error(`no event within ${timeoutMs} ms`);
      pending = undefined;
      if (result.done) done = true;
      else buffer += result.value;
    }
  };

  /** The next event that is not a heartbeat. */
  const nextEvent = async (timeoutMs = 2_000): Promise<SseEvent | null> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const event = await next(Math.max(1, deadline - Date.now()));
      if (event?.event !== 'ping') return event;
    }
  };

  /** Every remaining event until the stream ends (rejects if it does not end in time). */
  const rest = async (timeoutMs = 2_000): Promise<SseEvent[]> => {
    const deadline = Date.now() + timeoutMs;
    const events: SseEvent[] = [];
    for (;;) {
      const event = await next(Math.max(1, deadline - Date.now()));
      if (!event) return events;
      events.push(event);
    }
  };

  /** True when nothing but heartbeats arrives for `ms` (and the stream stays open). */
  const quietFor = async (ms: number): Promise<boolean> => {
    try {
      await nextEvent(ms);
      return false;
    } catch {
      return true;
    }
  };

  return { next, nextEvent, rest, quietFor, cancel: () => reader.cancel() };
}
