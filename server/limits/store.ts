import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { type RateLimiterAbstract, RateLimiterPostgres, RateLimiterRedis } from 'rate-limiter-flexible';
import { ApiError } from '../api-error.ts';
import type { RawQuery } from '../db/client.ts';

/**
 * Where the counters of every limit live: one store shared by all server processes — the
 * application's own PostgreSQL (or embedded PGlite) connection by default, Redis when REDIS_URL is
 * set. Counting is rate-limiter-flexible's (atomic upserts / Lua), never ours.
 */
export interface LimitStore {
  readonly kind: 'postgres' | 'redis';
  /** A limiter of `points` per `duration` seconds whose keys start with `keyPrefix`. */
  limiter(options: { keyPrefix: string; points: number; duration: number }): RateLimiterAbstract;
  close(): Promise<void>;
}

/** Migration 0004's table, in the layout RateLimiterPostgres expects. */
export const RATE_LIMIT_TABLE = 'rate_limits';

/**
 * Counters in the `rate_limits` table through the app's connection. RateLimiterPostgres speaks to a
 * `pg` client (`query({text, values})` → `{rows, rowCount}`); `query` adapts postgres.js or PGlite.
 */
export function postgresLimitStore(query: RawQuery): LimitStore {
  const client = {
    query: (q: { text: string; values?: unknown[] }) => query(q.text, q.values ?? []),
  };
  return {
    kind: 'postgres',
    limiter: ({ keyPrefix, points, duration }) => {
      // Expired rows are deleted by housekeeping (server/housekeeping.ts), in batches and by one
      // process at a time, not by a sweeper of every limiter in every process.
      return new RateLimiterPostgres({
        storeClient: client,
        storeType: 'pool',
        tableName: RATE_LIMIT_TABLE,
        tableCreated: true,
        clearExpiredByTimeout: false,
        keyPrefix,
        points,
        duration,
      });
    },
    // The connection is the app's: whoever opened the database closes it.
    close: async () => {},
  };
}

/**
 * Counters in Redis (its own connection). Commands are never queued while Redis is away: they
 * fail at once, and the auth routes answer 503 until it is back (ioredis reconnects by itself).
 */
export function redisLimitStore(url: string, logger: Logger): LimitStore {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  let lastLogged = 0;
  redis.on('error', (error: Error & { code?: string }) => {
    // Once a minute at most: a Redis that is down would otherwise log on every reconnect attempt.
    if (Date.now() - lastLogged < 60_000) return;
    lastLogged = Date.now();
    logger.error({ event: 'limit_store_error', store: 'redis', code: error.code ?? null }, 'limits');
  });
  return {
    kind: 'redis',
    limiter: ({ keyPrefix, points, duration }) =>
      new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `keyhold:${keyPrefix}`,
        points,
        duration,
        rejectIfRedisNotReady: true,
      }),
    close: async () => {
      redis.disconnect();
    },
  };
}

export const limitsUnavailable = () =>
  new ApiError(
    503,
    'LIMITS_UNAVAILABLE',
    'Sign-in is paused: the server cannot check its limits on attempts right now. Try again shortly.',
    { headers: { 'Retry-After': '5' } },
  );
