/**
 * Applies pending migrations and exits: `npx tsx server/migrate.ts`. Runs as the tables' owner:
 * DATABASE_OWNER_URL, else DATABASE_URL; or the embedded database in DATA_DIR.
 */
import { pino } from 'pino';
import { openPglite, openPostgres } from './db/client.ts';
import { loadEnvOrExit } from './env.ts';
import { logStartupFailure } from './startup-error.ts';

const env = loadEnvOrExit(process.env);
const logger = pino({ level: env.LOG_LEVEL });
try {
  // PGlite migrates itself on open; PostgreSQL is migrated only here.
  const ownerUrl = env.DATABASE_OWNER_URL ?? env.DATABASE_URL;
  const database = ownerUrl
    ? await openPostgres(ownerUrl, { migrate: true })
    : await openPglite(env.DATA_DIR, { actAs: 'owner' });
  try {
    // drizzle skips silently what it does not know: a database a newer build migrated must be said so.
    await database.ping();
  } finally {
    await database.close();
  }
  logger.info({ driver: database.driver }, 'migrations applied');
} catch (error) {
  logStartupFailure(
    logger,
    error,
    { ...env, DATABASE_URL: env.DATABASE_OWNER_URL ?? env.DATABASE_URL },
    'migration failed',
  );
  process.exit(1);
}
