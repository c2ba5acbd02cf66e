import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { APP_ROLE, type Database, type Db, openPostgres, wrapPglite } from '../db/client.ts';

/**
 * One migrated database per test file: PGlite always, or a fresh `keyhold_test_<random>` database on the
 * server named by DATABASE_URL when that is set. `database` acts as the application role, as the
 * server does, so row-level security applies to every query a test makes through it; `asOwner`
 * runs work as the owner (set-up, assertions over every account, tampering). Tests call
 * `truncate()` between cases.
 */
export interface TestDatabase {
  readonly database: Database;
  readonly driver: Database['driver'];
  /** Runs `work` as the owner of the tables (bypasses nothing the owner could not). */
  asOwner<T>(work: (db: Db) => Promise<T>): Promise<T>;
  truncate(): Promise<void>;
  /** A second, independent connection (as the application role) to a copy (PGlite) or the same database. */
  openAnother(): Promise<Database>;
  /** PostgreSQL: the URLs of this database for its owner and for the application role. */
  readonly urls?: { owner: string; app: string };
  dispose(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const url = process.env.DATABASE_URL;
  return url ? createPostgresTestDatabase(url) : createPgliteTestDatabase();
}

/**
 * Empties every table and restarts the audit chain. The audit tables refuse TRUNCATE by trigger;
 * replica mode (superuser only) is how a test, and only a test, resets them.
 */
export const truncateAll = async (owner: Db) => {
  await owner.execute(sql`set local session_replication_role = replica`);
  await owner.execute(
    sql`truncate table tokens, device_sessions, items, accounts, audit_events, audit_checkpoints, dpop_proofs cascade`,
  );
  // Limit counters (keyed by email MAC and client address) would otherwise carry over between tests.
  await owner.execute(sql`delete from rate_limits`);
  await owner.execute(
    sql`update audit_head set last_event_seq = 0, hash = repeat('0', 64), pruned_through_seq = 0,
        pruned_through_hash = repeat('0', 64)`,
  );
};

/** The same PostgreSQL URL with the application role as its user (trust authentication in tests). */
export function appRoleUrl(url: string): string {
  const u = new URL(url);
  u.username = APP_ROLE;
  u.password = '';
  return u.toString();
}

async function createPgliteTestDatabase(): Promise<TestDatabase> {
  const client = new PGlite();
  const database = await wrapPglite(client, { migrate: true });
  const extra: Database[] = [];
  // One connection: the owner is reached by switching role for the length of one transaction.
  const asOwner = <T>(work: (db: Db) => Promise<T>) =>
    database.db.transaction(async (tx) => {
      await tx.execute(sql`set local role postgres`);
      return work(tx as unknown as Db);
    });
  return {
    database,
    driver: 'pglite',
    asOwner,
    truncate: () => asOwner(truncateAll),
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
  const ownerUrl = new URL(url);
  ownerUrl.pathname = `/${name}`;
  const owner = await openPostgres(ownerUrl.toString(), { migrate: true });
  const appUrl = appRoleUrl(ownerUrl.toString());
  const database = await openPostgres(appUrl);
  const extra: Database[] = [];
  const asOwner = <T>(work: (db: Db) => Promise<T>) =>
    owner.db.transaction((tx) => work(tx as unknown as Db));
  return {
    database,
    driver: 'postgres',
    asOwner,
    urls: { owner: ownerUrl.toString(), app: appUrl },
    truncate: () => asOwner(truncateAll),
    async openAnother() {
      const another = await openPostgres(appUrl);
      extra.push(another);
      return another;
    },
    async dispose() {
      for (const db of extra) await db.close();
      await database.close();
      await owner.close();
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}
