import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { type ChangeNotifier, pgliteNotifier, postgresNotifier } from '../push/notifier.ts';
import { counted, trackPoolUsage } from './pool-usage.ts';
import * as schema from './schema.ts';
import { type BuildMigration, checkSchemaVersion, readBuildMigrations } from './schema-version.ts';

/** The one drizzle type every query is written against, whichever driver is underneath. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Database {
  readonly db: Db;
  readonly driver: 'postgres' | 'pglite';
  /**
   * Resolves when the database answers and its schema is the one this build expects (one small query);
   * rejects with SchemaVersionError when it answers with another schema, with the driver's error when
   * it does not answer. Nothing is cached: every call asks the database.
   */
  ping(): Promise<void>;
  /**
   * A listener for the push channel: its own LISTEN connection on PostgreSQL, a subscription on PGlite.
   * One per process (the push hub's); `close()` also closes any still open.
   */
  createNotifier(): ChangeNotifier;
  close(): Promise<void>;
}

/** One parameterised statement outside any transaction: what the shared rate-limit store needs. */
export type RawQuery = (
  text: string,
  values: readonly unknown[],
) => Promise<{ rows: Record<string, unknown>[]; rowCount: number }>;

const rawQueries = new WeakMap<Db, RawQuery>();
/** The raw statement runner behind a `Db` this module opened (the app's own connection, no new one). */
export function rawQueryOf(db: Db): RawQuery {
  const raw = rawQueries.get(db);
  if (!raw) throw new Error('not a database opened by server/db/client.ts');
  return raw;
}

export const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

let buildMigrations: BuildMigration[] | undefined;
/** This build's migrations: read once, they are part of the build. */
const thisBuild = () => {
  buildMigrations ??= readBuildMigrations(migrationsFolder);
  return buildMigrations;
};

/** Connections the server's postgres.js pool may open (the pool-size metric reports it). */
export const POSTGRES_POOL_SIZE = 10;

/** postgres.js against `url`; migrations are applied only when asked (production runs `server/migrate.ts`). */
export async function openPostgres(url: string, options: { migrate?: boolean } = {}): Promise<Database> {
  const client = postgres(url, { onnotice: () => {}, max: POSTGRES_POOL_SIZE });
  const db = drizzlePostgres({ client, schema });
  let closed = false;
  const notifiers = new Set<ChangeNotifier>();
  trackPoolUsage(db as unknown as Db, POSTGRES_POOL_SIZE);
  rawQueries.set(db as unknown as Db, (text, values) =>
    counted(db as unknown as Db, 'statements', async () => {
      const result = await client.unsafe(text, values as postgres.ParameterOrJSON<never>[]);
      return { rows: [...result] as Record<string, unknown>[], rowCount: result.count };
    }),
  );
  const database: Database = {
    db: db as unknown as Db,
    driver: 'postgres',
    async ping() {
      if (closed) throw new Error('database is closed');
      await checkSchemaVersion((text) => client.unsafe(text), thisBuild());
    },
    createNotifier() {
      const notifier = postgresNotifier(url);
      notifiers.add(notifier);
      return notifier;
    },
    async close() {
      closed = true;
      await Promise.all([...notifiers].map((notifier) => notifier.close()));
      await client.end({ timeout: 5 });
    },
  };
  if (options.migrate) {
    try {
      await migratePostgres(db, { migrationsFolder });
    } catch (error) {
      await database.close();
      throw error;
    }
  }
  return database;
}

/** The role the server's queries run as: owns nothing, no BYPASSRLS (migration 0002). */
export const APP_ROLE = 'keyhold_app';

/**
 * Wraps an already-open PGlite instance (tests pass clones of a migrated template). PGlite has one
 * connection, as the superuser that owns everything; once migrated it switches to the application
 * role with SET ROLE, so row-level security applies to every query (`actAs: 'owner'` stays the
 * owner: the audit verifier). The one limitation: a session that started as superuser could switch
 * back — SQL injection could, a wrong query cannot (docs/audit.md).
 */
export async function wrapPglite(
  client: PGlite,
  options: { migrate?: boolean; actAs?: 'app' | 'owner' } = {},
): Promise<Database> {
  const db = drizzlePglite({ client, schema });
  if (options.migrate) await migratePglite(db, { migrationsFolder });
  if ((options.actAs ?? 'app') === 'app') {
    // An unmigrated database has no such role yet; the schema check then refuses it anyway.
    const role = await client.query('select 1 from pg_roles where rolname = $1', [APP_ROLE]);
    if (role.rows.length > 0) await client.exec(`set role ${APP_ROLE}`);
  }
  const notifiers = new Set<ChangeNotifier>();
  // One connection: everything queues behind whatever runs on it.
  trackPoolUsage(db as unknown as Db, 1);
  rawQueries.set(db as unknown as Db, (text, values) =>
    counted(db as unknown as Db, 'statements', async () => {
      const result = await client.query<Record<string, unknown>>(text, values as unknown[]);
      // PGlite counts affected rows for writes only; a SELECT counts what it returned.
      return { rows: result.rows, rowCount: Math.max(result.rows.length, result.affectedRows ?? 0) };
    }),
  );
  return {
    db: db as unknown as Db,
    driver: 'pglite',
    async ping() {
      await checkSchemaVersion(
        async (text) => (await client.query<Record<string, unknown>>(text)).rows,
        thisBuild(),
      );
    },
    createNotifier() {
      const notifier = pgliteNotifier(client);
      notifiers.add(notifier);
      return notifier;
    },
    async close() {
      for (const notifier of notifiers) await notifier.close();
      if (!client.closed) await client.close();
    },
  };
}

/** Embedded PGlite in `dataDir` (created if missing); migrates itself, since there is no one else to do it. */
export async function openPglite(
  dataDir: string,
  options: { actAs?: 'app' | 'owner' } = {},
): Promise<Database> {
  await mkdir(dataDir, { recursive: true });
  const client = await PGlite.create(dataDir);
  return wrapPglite(client, { migrate: true, ...options });
}

/** postgres.js when DATABASE_URL is set, otherwise the embedded PGlite in DATA_DIR. */
export function openDatabase(env: {
  DATABASE_URL?: string | undefined;
  DATA_DIR: string;
}): Promise<Database> {
  return env.DATABASE_URL ? openPostgres(env.DATABASE_URL) : openPglite(env.DATA_DIR);
}
