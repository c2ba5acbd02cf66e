import { eq } from 'drizzle-orm';
import { type Database, rawQueryOf } from '../db/client.ts';
import { rateLimits } from '../db/schema.ts';
import { AuthLimits, DEFAULT_LIMITS, type LimitsConfig } from '../limits/auth-limits.ts';
import { emailLimitKey } from '../limits/keys.ts';
import { postgresLimitStore } from '../limits/store.ts';
import type { TestDatabase } from './db.ts';

/** Limits on the test database with some numbers changed (short locks, a large per-IP budget…). */
export const limitsOn = (database: Database, config: Partial<LimitsConfig> = {}) =>
  new AuthLimits(postgresLimitStore(rawQueryOf(database.db)), {
    ...DEFAULT_LIMITS,
    ipPoints: 1000,
    ...config,
  });

/** How many guesses at `email`'s secrets are counted now (0 once a success cleared them). */
export async function failuresOf(testDb: TestDatabase, email: string): Promise<number> {
  const key = `guess:${emailLimitKey(email)}`;
  const [row] = await testDb.asOwner((db) => db.select().from(rateLimits).where(eq(rateLimits.key, key)));
  return row && (row.expire === null || row.expire > Date.now()) ? row.points : 0;
}
