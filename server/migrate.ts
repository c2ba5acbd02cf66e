/** Applies pending migrations and exits: `npx tsx server/migrate.ts` (uses DATABASE_URL or DATA_DIR). */
import { pino } from 'pino';
import { openDatabase, openPostgres } from './db/client.ts';
import { loadEnvOrExit } from './env.ts';
import { logStartupFailure } from './startup-error.ts';

const env = loadEnvOrExit(process.env);
const logger = pino({ level: env.LOG_LEVEL });
try {
  // PGlite migrates itself on open; PostgreSQL is migrated only here.
  const database = env.DATABASE_URL
    ? await openPostgres(env.DATABASE_URL, { migrate: true })
    : await openDatabase(env);
  try {
    // drizzle skips silently what it does not know: a database a newer build migrated must be said so.
    await database.ping();
  } finally {
    await database.close();
  }
  logger.info({ driver: database.driver }, 'migrations applied');
} catch (error) {
  logStartupFailure(logger, error, env, 'migration failed');
  process.exit(1);
}
