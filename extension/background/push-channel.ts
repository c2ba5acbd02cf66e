/**
 * The server-to-device push channel (docs/sync.md, "Push channel"): a Server-Sent Events stream
 * read with fetch, because EventSource cannot send the Authorization header and tokens never go in
 * URLs. Each `hello`/`changed` event carries the account's revision; a revision ahead of ours wakes
 * a sync. The channel is only a wake-up: `chrome.alarms` polling stays as the fallback, so a lost
 * event costs at most one poll period, never data.
 */

import { isNonceChallenge } from './dpop-key.ts';

export interface ChannelAuth {
  serverUrl: string;
  accessToken: string;
}

export interface PushChannelDeps {
  /** Credentials while unlocked; null when locked (the channel stops). Throws when unreachable. */
  auth(renew: boolean): Promise<ChannelAuth | null>;
  onRevision(revision: number): void;
  /** Another device of the account signed in or named its session (`event: session`). */
  onSession?(event: { sessionId: string; kind: 'signed-in' | 'named' }): void;
  /** The server closed the stream and said why (`event: bye`, e.g. `remote-logout`). */
  onBye?(reason: string): void;
  fetch: typeof fetch;
  /** `Authorization: DPoP …` and a fresh proof for GET `url` (dpop-key.ts dpopAuthHeaders). */
  authHeaders(url: string, accessToken: string): Promise<Record<string, string>>;
  /** Told of every answer: the server's latest DPoP nonce is kept for the next proof. */
  onResponse?(url: string, response: Response): void;
  /** Called on every byte received: an extension API call keeps an MV3 worker from idling out. */
  keepAlive(): void;
  random?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

const EVENTS_PATH = '/v1/sync/events';
const MIN_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 60_000;
/** The server pings every 20 s; silence for this long means the connection is dead. */
const SILENCE_MS = 45_000;

const defaultSleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });

export type ChannelState = 'stopped' | 'connecting' | 'open' | 'waiting';

export class PushChannel {
  private controller: AbortController | null = null;
  private current: ChannelState = 'stopped';

  constructor(private readonly deps: PushChannelDeps) {}

  get state(): ChannelState {
    return this.current;
  }

  /** Starts the channel unless it is already running. Cheap to call often (after unlock, on alarms). */
  ensureRunning(): void {
    if (this.controller) return;
    const controller = new AbortController();
    this.controller = controller;
    void this.loop(controller.signal).finally(() => {
      if (this.controller === controller) this.controller = null;
      this.current = 'stopped';
    });
  }

  stop(): void {
    this.controller?.abort();
    this.controller = null;
    this.current = 'stopped';
  }

  private backoff(failures: number): number {
    const ceiling = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** Math.min(failures, 10));
    // Full jitter on the upper half: devices that lost the same server do not return in lockstep.
    return ceiling / 2 + (this.deps.random ?? Math.random)() * (ceiling / 2);
  }

  private async loop(signal: AbortSignal): Promise<void> {
    const sleep = this.deps.sleep ?? defaultSleep;
    let failures = 0;
    let renew = false;
    while (!signal.aborted) {
      this.current = 'connecting';
      let auth: ChannelAuth | null;
      try {
        auth = await this.deps.auth(renew);
      } catch {
        failures++;
        this.current = 'waiting';
        await sleep(this.backoff(failures), signal);
        continue;
      }
      if (auth === null) return; // locked or signed out: nothing to listen for
      renew = false;
      const outcome = await this.listen(auth, signal);
      if (signal.aborted) return;
      if (outcome === 'unauthorized') renew = true;
      // A stream that opened and later ended (server restart, revocation, proxy timeout) retries
      // quickly; repeated failures to open back off exponentially.
      failures = outcome === 'ended' ? 0 : failures + 1;
      this.current = 'waiting';
      await sleep(outcome === 'ended' ? this.backoff(0) : this.backoff(failures), signal);
    }
  }

  private async listen(auth: ChannelAuth, outer: AbortSignal): Promise<'ended' | 'unauthorized' | 'failed'> {
    const controller = new AbortController();
    const abort = () => controller.abort();
    outer.addEventListener('abort', abort, { once: true });
    let silence: ReturnType<typeof setTimeout> | undefined;
    const heard = () => {
      clearTimeout(silence);
      silence = setTimeout(abort, SILENCE_MS);
    };
    try {
      heard();
      const url = `${auth.serverUrl}${EVENTS_PATH}`;
      const open = async () => {
        const answer = await this.deps.fetch(url, {
          headers: { ...(await this.deps.authHeaders(url, auth.accessToken)), accept: 'text/event-stream' },
          cache: 'no-store',
          signal: controller.signal,
        });
        this.deps.onResponse?.(url, answer);
        return answer;
      };
      let response = await open();
      // The server wants a proof with its new nonce: once more at once, not after a backoff.
      if (isNonceChallenge(response)) {
        await response.body?.cancel();
        response = await open();
      }
      if (response.status === 401) return 'unauthorized';
      if (!response.ok || !response.body) return 'failed';
      this.current = 'open';
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return 'ended';
        heard();
        this.deps.keepAlive();
        buffer += value;
        let end = buffer.indexOf('\n\n');
        while (end !== -1) {
          this.dispatch(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
        }
      }
    } catch {
      return outer.aborted ? 'ended' : 'failed';
    } finally {
      clearTimeout(silence);
      outer.removeEventListener('abort', abort);
      controller.abort();
    }
  }

  /** One SSE block: `event:` and `data:` lines; comments (`:`) and pings only prove liveness. */
  private dispatch(block: string): void {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.replace(/\r/g, '').split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
    }
    if (event === 'session' || event === 'bye') {
      this.dispatchSession(event, data.join('\n'));
      return;
    }
    if (event !== 'hello' && event !== 'changed') return;
    try {
      const { revision } = JSON.parse(data.join('\n')) as { revision?: unknown };
      if (typeof revision === 'number' && Number.isSafeInteger(revision) && revision >= 0) {
        this.deps.onRevision(revision);
      }
    } catch {
      // A malformed event is ignored; the next poll catches up anyway.
    }
  }

  /** `session` (another device signed in or was named) and `bye` (why the stream ends). */
  private dispatchSession(event: 'session' | 'bye', json: string): void {
    let data: unknown;
    try {
      data = JSON.parse(json);
    } catch {
      return;
    }
    if (typeof data !== 'object' || data === null) return;
    const { sessionId, kind, reason } = data as Record<string, unknown>;
    if (event === 'bye') {
      if (typeof reason === 'string' && REASON.test(reason)) this.deps.onBye?.(reason);
      return;
    }
    if (typeof sessionId === 'string' && UUID.test(sessionId) && (kind === 'signed-in' || kind === 'named'))
      this.deps.onSession?.({ sessionId: sessionId.toLowerCase(), kind });
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const REASON = /^[a-z-]{1,40}$/;
