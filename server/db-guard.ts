/**
 * `npm run db:guard`: fails (exit 1, one line per problem) when a table lacks row-level security or
 * FORCE, or the application role could bypass it. Runs as the owner on the configured database
 * (DATABASE_OWNER_URL, else DATABASE_URL; embedded: a fresh in-memory copy of the migrations).
 * `--scratch` (CI): migrates a new database on that PostgreSQL server, checks it, drops it.
 */
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { type Database, openPostgres, wrapPglite } from './db/client.ts';
import { checkIsolation } from './db/rls-guard.ts';
import { loadEnvOrExit } from './env.ts';

const env = loadEnvOrExit(process.env);
const ownerUrl = env.DATABASE_OWNER_URL ?? env.DATABASE_URL;
const scratch = process.argv.includes('--scratch');

async function open(): Promise<{ database: Database; done: () => Promise<void> }> {
  if (!ownerUrl) {
    const database = await wrapPglite(new PGlite(), { migrate: true, actAs: 'owner' });
    return { database, done: () => database.close() };
  }
  if (!scratch) {
    const database = await openPostgres(ownerUrl);
    return { database, done: () => database.close() };
  }
  const name = `keyhold_guard_${randomBytes(6).toString('hex')}`;
  const admin = postgres(ownerUrl, { onnotice: () => {}, max: 1 });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(ownerUrl);
  url.pathname = `/${name}`;
  const database = await openPostgres(url.toString(), { migrate: true });
  return {
    database,
    done: async () => {
      await database.close();
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}

const { database, done } = await open();
let problems: string[];
try {
  problems = await checkIsolation(database.db);
} finally {
  await done();
}
if (problems.length > 0) {
  for (const problem of problems) process.stderr.write(`db:guard: ${problem}\n`);
  process.exit(1);
}
process.stdout.write(
  `db:guard: every table forces row-level security and keyhold_app cannot bypass it (${database.driver})\n`,
);
