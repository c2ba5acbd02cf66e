import { randomInt } from 'node:crypto';
import type { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { z } from 'zod';
import type { Db } from '../db/client.ts';
import { sessionEndReasons } from '../session-limits.ts';

/**
 * Cross-process change notifications over PostgreSQL LISTEN/NOTIFY. A write announces itself with
 * `notifyChange`/`notifyRevocation` inside its own transaction, so the notification is delivered on
 * commit and never on rollback; every server process holds one `ChangeNotifier` that listens and
 * hands what arrives to its in-process hub (push/hub.ts).
 */
export const CHANGES_CHANNEL = 'keyhold_changes';
export const REVOCATIONS_CHANNEL = 'keyhold_revocations';
export const SESSIONS_CHANNEL = 'keyhold_sessions';
const CHANNELS = [CHANGES_CHANNEL, REVOCATIONS_CHANNEL, SESSIONS_CHANNEL] as const;

const changeEvent = z.object({ accountId: z.string(), revision: z.number().int().nonnegative() });
/** `reason` is why the session ended (session-limits.ts), told to its streams in their `bye`. */
const revocationEvent = z.object({ sessionId: z.string(), reason: z.enum(sessionEndReasons).optional() });
/** A device signed in to the account, or named its session: the account's other streams are told. */
const sessionEvent = z.object({
  accountId: z.string(),
  sessionId: z.string(),
  kind: z.enum(['signed-in', 'named']),
});
export type ChangeEvent = z.infer<typeof changeEvent>;
export type RevocationEvent = z.infer<typeof revocationEvent>;
export type SessionEvent = z.infer<typeof sessionEvent>;

/** What a notifier calls; the hub implements it. Calls are synchronous and must not throw. */
export interface NotifierListener {
  /** An account's revision advanced to `revision` (committed). */
  change(event: ChangeEvent): void;
  /** A device session was revoked (committed). */
  revocation(event: RevocationEvent): void;
  /** A device signed in or named its session (committed). */
  session(event: SessionEvent): void;
  /** The listening connection dropped; notifications may be lost until `reconnected`. */
  disconnected(error?: unknown): void;
  /** Listening again after a drop; whatever was notified in between is lost and must be re-read. */
  reconnected(): void;
  /** A payload on one of our channels that is not ours (ignored). */
  malformed?(channel: string): void;
}

export interface ChangeNotifier {
  /** Starts listening on every channel; resolves once LISTEN is in effect. Call once. */
  start(listener: NotifierListener): Promise<void>;
  /** Stops listening and releases the connection (idempotent). */
  close(): Promise<void>;
}

type Executor = Pick<Db, 'execute'>;

/** Call inside the write's transaction: listeners hear of it on commit only. */
export async function notifyChange(tx: Executor, event: ChangeEvent): Promise<void> {
  await tx.execute(sql`select pg_notify(${CHANGES_CHANNEL}, ${JSON.stringify(event)})`);
}

/** Call inside the revoking transaction: open streams of this session close on commit. */
export async function notifyRevocation(tx: Executor, event: RevocationEvent): Promise<void> {
  await tx.execute(sql`select pg_notify(${REVOCATIONS_CHANNEL}, ${JSON.stringify(event)})`);
}

/** Call inside the sign-in's (or naming's) transaction: the account's other streams hear of it on commit. */
export async function notifySession(tx: Executor, event: SessionEvent): Promise<void> {
  await tx.execute(sql`select pg_notify(${SESSIONS_CHANNEL}, ${JSON.stringify(event)})`);
}

function dispatch(listener: NotifierListener, channel: string, payload: string) {
  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch {
    listener.malformed?.(channel);
    return;
  }
  if (channel === CHANGES_CHANNEL) {
    const parsed = changeEvent.safeParse(json);
    if (parsed.success) listener.change(parsed.data);
    else listener.malformed?.(channel);
  } else if (channel === REVOCATIONS_CHANNEL) {
    const parsed = revocationEvent.safeParse(json);
    if (parsed.success) listener.revocation(parsed.data);
    else listener.malformed?.(channel);
  } else if (channel === SESSIONS_CHANNEL) {
    const parsed = sessionEvent.safeParse(json);
    if (parsed.success) listener.session(parsed.data);
    else listener.malformed?.(channel);
  }
}

/** PGlite is in-process and single-connection: its listen never drops, so there is no reconnect. */
export function pgliteNotifier(client: PGlite): ChangeNotifier {
  const unlisten: Array<() => Promise<void>> = [];
  let closed = false;
  return {
    async start(listener) {
      for (const channel of CHANNELS) {
        unlisten.push(await client.listen(channel, (payload) => dispatch(listener, channel, payload)));
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      if (client.closed) return;
      for (const stop of unlisten.splice(0)) await stop();
    },
  };
}

export interface Backoff {
  /** First retry delay; doubles per failed attempt (with jitter) up to maxMs. */
  initialMs: number;
  maxMs: number;
}

/**
 * One dedicated postgres.js connection that only LISTENs (never recycled by idle or lifetime timers).
 * When it drops, LISTEN is re-issued with exponential backoff until it succeeds or `close()` is called,
 * and the listener hears `disconnected` then `reconnected`.
 */
export function postgresNotifier(
  url: string,
  backoff: Backoff = { initialMs: 250, maxMs: 30_000 },
): ChangeNotifier {
  let listener: NotifierListener | undefined;
  let closed = false;
  let recovering = false;
  let wake: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;

  // `onnotify` is a supported connection option (what `sql.listen` uses) that the typings omit. We do not
  // use `sql.listen` itself: it re-listens once after a drop and silently gives up if that attempt fails.
  const options: postgres.Options<Record<string, never>> & {
    onnotify: (channel: string, payload: string) => void;
  } = {
    max: 1,
    idle_timeout: 0,
    max_lifetime: null,
    fetch_types: false,
    onnotice: () => {},
    onnotify: (channel, payload) => {
      if (listener && !closed) dispatch(listener, channel, payload);
    },
    onclose: () => dropped(),
  };
  const client = postgres(url, options);

  const listen = async () => {
    for (const channel of CHANNELS) await client`listen ${client(channel)}`;
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, ms);
    });

  const dropped = (error?: unknown) => {
    if (closed || recovering || !listener) return;
    recovering = true;
    const current = listener;
    current.disconnected(error);
    void (async () => {
      for (let attempt = 0; !closed; attempt++) {
        const ceiling = Math.min(backoff.maxMs, backoff.initialMs * 2 ** attempt);
        // Jitter from the CSPRNG, like every other random value on the server.
        await sleep(ceiling / 2 + (randomInt(1_000_000) / 1_000_000) * (ceiling / 2));
        if (closed) return;
        try {
          await listen();
        } catch (failure) {
          // A failed attempt may or may not fire onclose; either way this loop keeps trying.
          current.disconnected(failure);
          continue;
        }
        recovering = false;
        if (!closed) current.reconnected();
        return;
      }
    })();
  };

  return {
    async start(next) {
      if (listener) throw new Error('notifier already started');
      listener = next;
      await listen();
    },
    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      wake?.();
      await client.end({ timeout: 1 });
    },
  };
}
