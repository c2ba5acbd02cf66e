import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../db/client.ts';
import { allRows } from '../db/first-row.ts';
import { describeError } from '../describe-error.ts';
import type { SessionEndReason } from '../session-limits.ts';
import type {
  ChangeEvent,
  ChangeNotifier,
  NotifierListener,
  RevocationEvent,
  SessionEvent,
} from './notifier.ts';

/**
 * Why the server ends a stream: told to the client in a last `bye` event. A revoked session's streams
 * hear why it ended; `revoked` only when that was lost (found revoked on a resync after a drop).
 */
export type CloseReason = SessionEndReason | 'revoked' | 'expired' | 'shutdown';

/** One open event stream, as the hub sees it. */
export interface PushSubscriber {
  readonly accountId: string;
  readonly sessionId: string;
  /** The account's committed revision is now at least `revision` (may repeat; never throws). */
  changed(revision: number): void;
  /** Another device of the account signed in or named its session (never throws). */
  sessionNotice(event: Pick<SessionEvent, 'sessionId' | 'kind'>): void;
  /** Ends the stream; removes itself from the hub at once, resolves once the stream has ended. */
  close(reason: CloseReason): Promise<void>;
}

export type AddResult = 'ok' | 'session-limit' | 'global-limit' | 'closed';

export interface PushHubOptions {
  db: Db;
  notifier: ChangeNotifier;
  logger: Logger;
  /** Heartbeat period of every stream (default 20 s). */
  heartbeatMs?: number;
  /** Concurrent streams per device session (default 5). */
  maxStreamsPerSession?: number;
  /** Concurrent streams in this process (default 1000). */
  maxStreams?: number;
}

/**
 * The per-process fan-out of the push channel: the one notifier's events go to the local streams of
 * the account (changes, other devices' sign-ins) or of the session (revocations). After the notifier reconnects, every stream
 * whose account moved on meanwhile is told so, and streams of sessions revoked meanwhile are closed.
 */
export class PushHub implements NotifierListener {
  readonly heartbeatMs: number;
  readonly maxStreamsPerSession: number;
  readonly maxStreams: number;
  readonly #db: Db;
  readonly #notifier: ChangeNotifier;
  readonly #logger: Logger;
  readonly #byAccount = new Map<string, Set<PushSubscriber>>();
  readonly #bySession = new Map<string, Set<PushSubscriber>>();
  #size = 0;
  #state: 'new' | 'open' | 'closed' = 'new';
  #closing: Promise<void> | undefined;

  constructor(options: PushHubOptions) {
    this.#db = options.db;
    this.#notifier = options.notifier;
    this.#logger = options.logger;
    this.heartbeatMs = options.heartbeatMs ?? 20_000;
    this.maxStreamsPerSession = options.maxStreamsPerSession ?? 5;
    this.maxStreams = options.maxStreams ?? 1000;
  }

  /** Starts listening; streams are refused until this resolves. */
  async start(): Promise<void> {
    if (this.#state !== 'new') throw new Error('push hub already started');
    await this.#notifier.start(this);
    if (this.#state === 'new') this.#state = 'open';
  }

  /** Open streams in this process. */
  get size(): number {
    return this.#size;
  }

  /** Open streams of one device session. */
  sessionStreams(sessionId: string): number {
    return this.#bySession.get(sessionId)?.size ?? 0;
  }

  /** What `add` would answer for a stream of this session now, without taking a slot (HEAD). */
  admits(sessionId: string): AddResult {
    if (this.#state !== 'open') return 'closed';
    if (this.sessionStreams(sessionId) >= this.maxStreamsPerSession) return 'session-limit';
    if (this.#size >= this.maxStreams) return 'global-limit';
    return 'ok';
  }

  /**
   * Takes a slot until `remove`. The caller must remove it on every way its connection can end
   * (server/routes/sync-events.ts ties it to the response stream and the request's abort signal).
   */
  add(subscriber: PushSubscriber): AddResult {
    const admitted = this.admits(subscriber.sessionId);
    if (admitted !== 'ok') return admitted;
    addTo(this.#bySession, subscriber.sessionId, subscriber);
    addTo(this.#byAccount, subscriber.accountId, subscriber);
    this.#size += 1;
    return 'ok';
  }

  /** Idempotent. */
  remove(subscriber: PushSubscriber): void {
    if (!removeFrom(this.#byAccount, subscriber.accountId, subscriber)) return;
    removeFrom(this.#bySession, subscriber.sessionId, subscriber);
    this.#size -= 1;
  }

  change(event: ChangeEvent): void {
    for (const subscriber of this.#byAccount.get(event.accountId) ?? []) subscriber.changed(event.revision);
  }

  revocation(event: RevocationEvent): void {
    for (const subscriber of [...(this.#bySession.get(event.sessionId) ?? [])])
      void subscriber.close(event.reason ?? 'revoked');
  }

  /** Told to the account's streams of every session but the one it is about. */
  session(event: SessionEvent): void {
    for (const subscriber of this.#byAccount.get(event.accountId) ?? []) {
      if (subscriber.sessionId !== event.sessionId)
        subscriber.sessionNotice({ sessionId: event.sessionId, kind: event.kind });
    }
  }

  disconnected(error?: unknown): void {
    this.#logger.warn({ event: 'push_listener_down', err: describeError(error) }, 'push');
  }

  reconnected(): void {
    this.#logger.info({ event: 'push_listener_up', streams: this.#size }, 'push');
    void this.resync().catch((error: unknown) => {
      // Streams stay open; clients still poll every minute, and the next notification wakes them.
      this.#logger.error({ event: 'push_resync_failed', err: describeError(error) }, 'push');
    });
  }

  /**
   * Re-reads what notifications may have carried: each account's revision, each session's
   * revocation. Across accounts, so through keyhold_push_state (migration 0002), which exposes
   * exactly these two facts to the application role and nothing else.
   */
  async resync(): Promise<void> {
    const accountIds = [...this.#byAccount.keys()];
    const sessionIds = [...this.#bySession.keys()];
    const size = Math.max(accountIds.length, sessionIds.length);
    for (let i = 0; i < size; i += RESYNC_CHUNK) {
      const accountChunk = accountIds.slice(i, i + RESYNC_CHUNK);
      const sessionChunk = sessionIds.slice(i, i + RESYNC_CHUNK);
      const rows = allRows(
        await this.#db.execute(
          sql`select kind, id, revision, revoked from keyhold_push_state(${uuidArray(accountChunk)}::uuid[], ${uuidArray(sessionChunk)}::uuid[])`,
        ),
      );
      const live = new Set<string>();
      for (const row of rows) {
        const id = String(row.id);
        if (row.kind === 'account') this.change({ accountId: id, revision: Number(row.revision) });
        else if (row.revoked !== true) live.add(id);
      }
      for (const id of sessionChunk) if (!live.has(id)) this.revocation({ sessionId: id });
    }
  }

  /** Refuses new streams, ends every open one ('shutdown'), then closes the notifier. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#state = 'closed';
      const open = [...this.#byAccount.values()].flatMap((set) => [...set]);
      await Promise.all(open.map((subscriber) => subscriber.close('shutdown')));
      await this.#notifier.close();
    })();
    return this.#closing;
  }
}

function addTo(map: Map<string, Set<PushSubscriber>>, key: string, subscriber: PushSubscriber) {
  const set = map.get(key);
  if (set) set.add(subscriber);
  else map.set(key, new Set([subscriber]));
}

function removeFrom(map: Map<string, Set<PushSubscriber>>, key: string, subscriber: PushSubscriber) {
  const set = map.get(key);
  if (!set?.delete(subscriber)) return false;
  if (set.size === 0) map.delete(key);
  return true;
}

const RESYNC_CHUNK = 500;

/** A PostgreSQL array literal of uuids ('{…}'); ids come from our own token rows, never from a client. */
const uuidArray = (ids: string[]) => `{${ids.join(',')}}`;
