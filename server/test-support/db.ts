import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { type Database, openPostgres, wrapPglite } from '../db/client.ts';

/**
 * One migrated database per test file: PGlite always, or a fresh `keyhold_test_<random>` database on the
 * server named by DATABASE_URL when that is set. Tests call `truncate()` between cases.
 */
export interface TestDatabase {
  readonly database: Database;
  readonly driver: Database['driver'];
  truncate(): Promise<void>;
  /** A second, independent connection to a copy (PGlite) or to the same database (PostgreSQL). */
  openAnother(): Promise<Database>;
  dispose(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const url = process.env.DATABASE_URL;
  return url ? createPostgresTestDatabase(url) : createPgliteTestDatabase();
}

const truncateAll = (database: Database) =>
  database.db.execute(sql`truncate table tokens, device_sessions, items, accounts cascade`);

async function createPgliteTestDatabase(): Promise<TestDatabase> {
  const client = new PGlite();
  const database = await wrapPglite(client, { migrate: true });
  const extra: Database[] = [];
  return {
    database,
    driver: 'pglite',
    truncate: () => truncateAll(database).then(() => undefined),
    async openAnother() {
      // Clone the migrated instance instead of migrating again (dump/load is far cheaper than initdb).
      const dump = await client.dumpDataDir('none');
      const another = await wrapPglite(new PGlite({ loadDataDir: dump }));
      extra.push(another);
      return another;
    },
    async dispose() {
      for (const db of extra) await db.close();
      await database.close();
    },
  };
}

async function createPostgresTestDatabase(url: string): Promise<TestDatabase> {
  const name = `keyhold_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(url, { onnotice: () => {}, max: 1 });
  await admin.unsafe(`create database "${name}"`);
  const testUrl = new URL(url);
  testUrl.pathname = `/${name}`;
  const database = await openPostgres(testUrl.toString(), { migrate: true });
  const extra: Database[] = [];
  return {
    database,
    driver: 'postgres',
    truncate: () => truncateAll(database).then(() => undefined),
    async openAnother() {
      const another = await openPostgres(testUrl.toString());
      extra.push(another);
      return another;
    },
    async dispose() {
      for (const db of extra) await db.close();
      await database.close();
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}
