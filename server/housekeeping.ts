import { inArray, lt, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from './db/client.ts';
import { firstRow } from './db/first-row.ts';
import { rateLimits } from './db/schema.ts';
import { describeError } from './describe-error.ts';
import { pruneProofs } from './dpop.ts';
import type { SessionLimits } from './session-limits.ts';

/**
 * The advisory lock a housekeeping run holds for its transaction ("keyhold" and 1 as eight bytes):
 * whichever process takes it does the run, every other process skips it (docs/operations/database.md,
 * "Housekeeping"). Nothing else in Keyhold takes an advisory lock. PGlite has one process: always taken.
 */
export const HOUSEKEEPING_LOCK_ID = 0x6b6579686f6c6401n;

/** Rows deleted per statement, and statements per kind of row in one run, by default. */
export const HOUSEKEEPING_BATCH = 1000;
export const HOUSEKEEPING_MAX_BATCHES = 100;

/** The first run comes this long after the start, not during it. */
export const HOUSEKEEPING_FIRST_RUN_MS = 30_000;

/** An expired token that is deleted at all is kept this long past its expiry first. */
export const EXPIRED_TOKEN_GRACE_MS = 86_400_000;

/** The least time an ended session is kept: its device may be away as long as a refresh token lives. */
export const MIN_ENDED_SESSION_DAYS = 30;

const DAY_MS = 86_400_000;

/** What one run deleted. */
export interface HousekeepingCounts {
  tokens: number;
  sessions: number;
  rateLimits: number;
  dpopProofs: number;
}

export interface HousekeepingOptions {
  db: Db;
  logger: Pick<Logger, 'info' | 'error'>;
  /** Between the end of one run and the start of the next. */
  intervalMs: number;
  /** The sessions' idle and absolute limits: a session past one has ended even if nobody ended it. */
  sessionLimits: Pick<SessionLimits, 'idleDays' | 'absoluteDays'>;
  /**
   * Days an ended session (and its tokens) is kept after it ended, at least MIN_ENDED_SESSION_DAYS;
   * 0 keeps ended sessions for ever. The server passes AUDIT_RETENTION_DAYS: the account activity
   * names a session's device for as long as an event of that session is kept.
   */
  endedSessionDays: number;
  now?: () => Date;
  firstRunMs?: number;
  batchSize?: number;
  maxBatches?: number;
}

export interface Housekeeping {
  /** One run now (after any run in progress): the counts, or null if another process holds the lock. */
  runOnce(): Promise<HousekeepingCounts | null>;
  /** Stops the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

/**
 * Deletes the rows no request needs any more, in bounded batches, every `intervalMs` on one process
 * at a time (the advisory lock): a failed run is logged (type and code only) and tried again at the
 * next interval. Audit events are not its job: the AuditSealer prunes them after each checkpoint.
 */
export function startHousekeeping(options: HousekeepingOptions): Housekeeping {
  const now = options.now ?? (() => new Date());
  const batchSize = options.batchSize ?? HOUSEKEEPING_BATCH;
  const maxBatches = options.maxBatches ?? HOUSEKEEPING_MAX_BATCHES;
  let running: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const run = async (): Promise<HousekeepingCounts | null> => {
    const started = Date.now();
    const counts = await options.db.transaction(async (tx) => {
      const db = tx as unknown as Db;
      const locked = firstRow(
        await db.execute(
          sql`select pg_try_advisory_xact_lock(${sql.raw(HOUSEKEEPING_LOCK_ID.toString())}) as locked`,
        ),
      );
      if (locked?.locked !== true) return null;
      return deleteExpired(db, now(), options, batchSize, maxBatches);
    });
    if (counts)
      options.logger.info({ event: 'housekeeping', ...counts, ms: Date.now() - started }, 'housekeeping');
    return counts;
  };

  const runOnce = (): Promise<HousekeepingCounts | null> => {
    const next = running.then(run);
    running = next.catch(() => undefined);
    return next;
  };

  const schedule = (delayMs: number) => {
    if (stopped) return;
    timer = setTimeout(async () => {
      try {
        await runOnce();
      } catch (error) {
        options.logger.error({ event: 'housekeeping_failed', err: describeError(error) }, 'housekeeping');
      }
      schedule(options.intervalMs);
    }, delayMs);
    timer.unref();
  };
  schedule(options.firstRunMs ?? HOUSEKEEPING_FIRST_RUN_MS);

  return {
    runOnce,
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

async function deleteExpired(
  db: Db,
  at: Date,
  options: HousekeepingOptions,
  batchSize: number,
  maxBatches: number,
): Promise<HousekeepingCounts> {
  const counts: HousekeepingCounts = { tokens: 0, sessions: 0, rateLimits: 0, dpopProofs: 0 };
  const repeat = async (batch: () => Promise<number>) => {
    let total = 0;
    for (let i = 0; i < maxBatches; i += 1) {
      const removed = await batch();
      total += removed;
      if (removed < batchSize) break;
    }
    return total;
  };

  const keepDays = options.endedSessionDays;
  if (keepDays > 0) {
    const endedBefore = at.getTime() - Math.max(keepDays, MIN_ENDED_SESSION_DAYS) * DAY_MS;
    const { idleDays, absoluteDays } = options.sessionLimits;
    counts.sessions = await repeat(async () => {
      const row = firstRow(
        await db.execute(
          sql`select sessions, tokens from keyhold_prune_sessions(
            ${iso(endedBefore)}::timestamptz, ${iso(endedBefore - idleDays * DAY_MS)}::timestamptz,
            ${iso(endedBefore - absoluteDays * DAY_MS)}::timestamptz, ${batchSize}::integer)`,
        ),
      );
      counts.tokens += Number(row?.tokens ?? 0);
      return Number(row?.sessions ?? 0);
    });
  }
  const tokensBefore = iso(at.getTime() - EXPIRED_TOKEN_GRACE_MS);
  counts.tokens += await repeat(async () =>
    Number(
      firstRow(
        await db.execute(
          sql`select keyhold_prune_tokens(${tokensBefore}::timestamptz, ${batchSize}::integer) as removed`,
        ),
      )?.removed ?? 0,
    ),
  );
  counts.rateLimits = await repeat(async () => {
    const expired = db
      .select({ key: rateLimits.key })
      .from(rateLimits)
      .where(lt(rateLimits.expire, at.getTime()))
      .limit(batchSize);
    const gone = await db
      .delete(rateLimits)
      .where(inArray(rateLimits.key, expired))
      .returning({ key: rateLimits.key });
    return gone.length;
  });
  counts.dpopProofs = await repeat(() => pruneProofs(db, at, batchSize));
  return counts;
}

const iso = (millis: number) => new Date(millis).toISOString();
