import type { Logger } from 'pino';
import { type Database, rawQueryOf } from '../db/client.ts';
import type { Env } from '../env.ts';
import { AuthLimits, DEFAULT_LIMITS } from './auth-limits.ts';
import { postgresLimitStore, redisLimitStore } from './store.ts';

/** The process's limits: in Redis when REDIS_URL is set, else in the database's rate_limits table. */
export function createLimits(
  env: Pick<Env, 'REDIS_URL' | 'AUTH_RATE_LIMIT_PER_MINUTE'>,
  database: Pick<Database, 'db'>,
  logger: Logger,
): AuthLimits {
  const store = env.REDIS_URL
    ? redisLimitStore(env.REDIS_URL, logger)
    : postgresLimitStore(rawQueryOf(database.db));
  return new AuthLimits(store, { ...DEFAULT_LIMITS, ipPoints: env.AUTH_RATE_LIMIT_PER_MINUTE });
}
