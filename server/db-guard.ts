/**
 * `npm run db:guard`: fails (exit 1, one line per problem) when a table lacks row-level security or
 * FORCE, or the application role could bypass it. Runs as the owner: DATABASE_OWNER_URL, else
 * DATABASE_URL; without either, on a fresh embedded database migrated for the purpose.
 */
import { PGlite } from '@electric-sql/pglite';
import { openPostgres, wrapPglite } from './db/client.ts';
import { checkIsolation } from './db/rls-guard.ts';
import { loadEnvOrExit } from './env.ts';

const env = loadEnvOrExit(process.env);
const ownerUrl = env.DATABASE_OWNER_URL ?? env.DATABASE_URL;
const database = ownerUrl
  ? await openPostgres(ownerUrl)
  : await wrapPglite(new PGlite(), { migrate: true, actAs: 'owner' });
let problems: string[];
try {
  problems = await checkIsolation(database.db);
} finally {
  await database.close();
}
if (problems.length > 0) {
  for (const problem of problems) process.stderr.write(`db:guard: ${problem}\n`);
  process.exit(1);
}
process.stdout.write(`db:guard: every table forces row-level security; ${database.driver} ok\n`);
