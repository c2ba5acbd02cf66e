import { Hono } from 'hono';
import { type SSEStreamingApi, streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { ApiError } from '../api-error.ts';
import type { AppEnv } from '../app-env.ts';
import { streamState } from '../db/hot-path.ts';
import { requireScope } from '../middleware/auth.ts';
import { describe } from '../openapi/describe.ts';
import type { AddResult, CloseReason, PushHub, PushSubscriber } from '../push/hub.ts';
import type { SessionEvent } from '../push/notifier.ts';

/** How long a closing stream may take to flush its `bye` before it is cut. */
const BYE_FLUSH_MS = 2_000;
const MAX_TIMER_MS = 2 ** 31 - 1;

type EndReason = CloseReason | 'disconnected';
type Write = (stream: SSEStreamingApi) => Promise<void>;

const send = (stream: SSEStreamingApi, event: string, data: object) =>
  stream.writeSSE({ event, data: JSON.stringify(data) });

/**
 * One SSE response registered in the hub. Writes go out one at a time; while one is pending (a slow
 * reader), further changes coalesce into a single `changed` with the newest revision and heartbeats are
 * skipped, so a stalled client costs a bounded amount of memory.
 */
class EventStream implements PushSubscriber {
  readonly ended: Promise<EndReason>;
  #resolveEnded!: (reason: EndReason) => void;
  #stream: SSEStreamingApi | undefined;
  #known = 0;
  #sent = 0;
  #changeQueued = false;
  #pending = 0;
  #chain: Promise<void> = Promise.resolve();
  #reason: EndReason | undefined;
  #cleanup: Array<() => void> = [];

  constructor(
    readonly accountId: string,
    readonly sessionId: string,
    private readonly hub: PushHub,
  ) {
    this.ended = new Promise((resolve) => {
      this.#resolveEnded = resolve;
    });
  }

  get endReason(): EndReason | undefined {
    return this.#reason;
  }

  changed(revision: number): void {
    if (revision <= this.#known) return;
    this.#known = revision;
    this.#queueChanged();
  }

  sessionNotice(event: Pick<SessionEvent, 'sessionId' | 'kind'>): void {
    if (this.#reason) return;
    this.#enqueue((s) => send(s, 'session', { sessionId: event.sessionId, kind: event.kind }));
  }

  /**
   * Ends the stream, freeing its slot, as soon as the request is aborted (the client went away),
   * whether before `open` (while the handler still reads the database) or after.
   */
  follow(signal: AbortSignal) {
    const onAbort = () => void this.close('disconnected');
    signal.addEventListener('abort', onAbort, { once: true });
    this.#cleanup.push(() => signal.removeEventListener('abort', onAbort));
    if (signal.aborted) onAbort();
  }

  /**
   * Starts the stream with `hello` at `revision` (read after subscribing, so nothing falls in between).
   * A stream already ended (its client went away meanwhile) is not started: the response ends at once.
   */
  open(stream: SSEStreamingApi, revision: number, options: { heartbeatMs: number; closeInMs: number }) {
    if (this.#reason) return;
    this.#stream = stream;
    this.#sent = revision;
    this.#known = Math.max(this.#known, revision);
    this.#enqueue((s) => send(s, 'hello', { revision, heartbeatMs: options.heartbeatMs }));
    this.#queueChanged();

    const heartbeat = setInterval(() => {
      if (this.#pending === 0) this.#enqueue((s) => send(s, 'ping', {}));
    }, options.heartbeatMs);
    const expiry = setTimeout(
      () => void this.close('expired'),
      Math.min(MAX_TIMER_MS, Math.max(0, options.closeInMs)),
    );
    // The response body was cancelled: the connection closed, reset or failed a write.
    stream.onAbort(() => void this.close('disconnected'));
    this.#cleanup.push(
      () => clearInterval(heartbeat),
      () => clearTimeout(expiry),
    );
  }

  /** Frees the slot of a stream that will not be opened (its request is answered with an error). */
  abandon(): void {
    void this.close('disconnected');
  }

  close(reason: EndReason): Promise<void> {
    if (this.#reason) return this.ended.then(() => undefined);
    this.#reason = reason;
    this.hub.remove(this);
    for (const cleanup of this.#cleanup.splice(0)) cleanup();
    return this.#finish(reason);
  }

  async #finish(reason: EndReason) {
    const stream = this.#stream;
    if (stream && reason !== 'disconnected') {
      this.#enqueue((s) => send(s, 'bye', { reason }));
      let timer: NodeJS.Timeout | undefined;
      const flushed = await Promise.race([
        this.#chain.then(() => true),
        new Promise<false>((resolve) => {
          timer = setTimeout(() => resolve(false), BYE_FLUSH_MS);
        }),
      ]);
      clearTimeout(timer);
      // The client stopped reading: drop what is queued and end the response now.
      if (!flushed) stream.abort();
    }
    this.#resolveEnded(reason);
  }

  #queueChanged() {
    if (!this.#stream || this.#changeQueued || this.#reason) return;
    this.#changeQueued = true;
    this.#enqueue(async (s) => {
      this.#changeQueued = false;
      if (this.#known <= this.#sent) return;
      this.#sent = this.#known;
      await send(s, 'changed', { revision: this.#sent });
    });
  }

  #enqueue(write: Write) {
    const stream = this.#stream;
    if (!stream) return;
    this.#pending += 1;
    this.#chain = this.#chain
      .then(() => write(stream))
      .catch(() => {})
      .finally(() => {
        this.#pending -= 1;
      });
  }
}

const invalidToken = () =>
  new ApiError(401, 'INVALID_TOKEN', 'The access token is invalid or has expired.', {
    headers: { 'WWW-Authenticate': 'Bearer' },
  });
const notReady = () =>
  new ApiError(503, 'NOT_READY', 'The push channel is not available; poll /v1/sync/changes.', {
    headers: { 'Retry-After': '5' },
  });

const refused = (result: Exclude<AddResult, 'ok'>, push: PushHub) => {
  if (result === 'closed') return notReady();
  return new ApiError(
    429,
    'TOO_MANY_STREAMS',
    result === 'session-limit'
      ? `This device session already has ${push.maxStreamsPerSession} open event streams.`
      : 'The server has too many open event streams; poll /v1/sync/changes meanwhile.',
    { headers: { 'Retry-After': '30' } },
  );
};

/** Headers of a stream response; a HEAD answer carries them too. */
const STREAM_HEADERS = { 'Content-Type': 'text/event-stream', 'X-Accel-Buffering': 'no' } as const;

/**
 * GET /v1/sync/events: the push channel (docs/protocol.md, "Push channel").
 *
 * Hono answers HEAD with this handler and then drops the body without cancelling it, so nothing would
 * ever free a slot taken for a HEAD: HEAD gets the status and headers a GET would get now, and no stream.
 */
export const syncEventRoutes = new Hono<AppEnv>().get(
  '/events',
  describe({
    summary: 'The push channel: server-sent events when the vault or a session changes',
    tag: 'sync',
    answers: {
      200: {
        description:
          'An event stream (`hello`, `changed`, `session`, `ping`, `bye`; docs/protocol.md, "Push channel").',
        schema: z.string(),
        media: 'text/event-stream',
      },
    },
  }),
  requireScope('vault:read'),
  async (c) => {
    const { push, db, now, logger } = c.var.deps;
    if (!push) throw notReady();
    const { accountId, sessionId, expiresAt } = c.var.auth;
    if (c.req.method === 'HEAD') {
      const admitted = push.admits(sessionId);
      if (admitted !== 'ok') throw refused(admitted, push);
      return c.body(null, 200, STREAM_HEADERS);
    }
    const subscriber = new EventStream(accountId, sessionId, push);
    const added = push.add(subscriber);
    if (added !== 'ok') throw refused(added, push);
    subscriber.follow(c.req.raw.signal);
    // Subscribed first, read second: a change committed in between is either in this revision or notified.
    // The session is re-checked here so a logout racing the subscription cannot leave a stream open.
    let row: { revision: number; revokedAt: Date | null } | undefined;
    try {
      // One statement (keyhold_stream_state): the account's revision and the session's revocation.
      row = await streamState(db, accountId, sessionId);
    } catch (error) {
      subscriber.abandon();
      throw error;
    }
    const early = subscriber.endReason;
    if (early === 'shutdown') throw notReady();
    if (!row || row.revokedAt || early === 'revoked') {
      subscriber.abandon();
      throw invalidToken();
    }
    const revision = row.revision;
    const requestId = c.var.requestId;
    const started = performance.now();
    for (const [name, value] of Object.entries(STREAM_HEADERS)) c.header(name, value);
    const res = streamSSE(c, async (stream) => {
      subscriber.open(stream, revision, {
        heartbeatMs: push.heartbeatMs,
        closeInMs: expiresAt.getTime() - now().getTime(),
      });
      const reason = await subscriber.ended;
      const ms = Math.round(performance.now() - started);
      logger.info({ reqId: requestId, event: 'stream_closed', reason, ms }, 'push');
    });
    // streamSSE sets `no-cache` over app.ts's `no-store`; a stream is an API answer like any other.
    res.headers.set('Cache-Control', 'no-store');
    return res;
  },
);
