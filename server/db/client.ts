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

/** The server's pool and the time limits of its every connection (docs/operations/database.md). */
export interface PoolSettings {
  max: number;
  connectTimeoutSeconds: number;
  /** 0: an idle connection stays open. */
  idleTimeoutSeconds: number;
  maxLifetimeSeconds: number;
  /** 0: no limit. */
  statementTimeoutMs: number;
  lockTimeoutMs: number;
}

export function poolSettingsFromEnv(env: {
  DB_POOL_MAX: number;
  DB_CONNECT_TIMEOUT_SECONDS: number;
  DB_IDLE_TIMEOUT_SECONDS: number;
  DB_MAX_LIFETIME_SECONDS: number;
  DB_STATEMENT_TIMEOUT_MS: number;
  DB_LOCK_TIMEOUT_MS: number;
}): PoolSettings {
  return {
    max: env.DB_POOL_MAX,
    connectTimeoutSeconds: env.DB_CONNECT_TIMEOUT_SECONDS,
    idleTimeoutSeconds: env.DB_IDLE_TIMEOUT_SECONDS,
    maxLifetimeSeconds: env.DB_MAX_LIFETIME_SECONDS,
    statementTimeoutMs: env.DB_STATEMENT_TIMEOUT_MS,
    lockTimeoutMs: env.DB_LOCK_TIMEOUT_MS,
  };
}

/**
 * postgres.js options for `pool`. The two timeouts are connection parameters: every connection of the
 * pool starts with them set, so they hold inside the hot-path functions and every transaction.
 */
const poolOptions = (pool: PoolSettings) => ({
  max: pool.max,
  connect_timeout: pool.connectTimeoutSeconds,
  idle_timeout: pool.idleTimeoutSeconds,
  max_lifetime: pool.maxLifetimeSeconds,
  connection: {
    statement_timeout: pool.statementTimeoutMs,
    lock_timeout: pool.lockTimeoutMs,
  },
});

/**
 * postgres.js against `url`; migrations are applied only when asked (production runs `server/migrate.ts`).
 * Without `pool` (migrations, the audit tools, tests' owner connections): ten connections and no time
 * limits, so a long migration is never cut short.
 */
export async function openPostgres(
  url: string,
  options: { migrate?: boolean; pool?: PoolSettings } = {},
): Promise<Database> {
  const client = postgres(url, {
    onnotice: () => {},
    ...(options.pool ? poolOptions(options.pool) : { max: 10 }),
  });
  const db = drizzlePostgres({ client, schema });
  let closed = false;
  const notifiers = new Set<ChangeNotifier>();
  trackPoolUsage(db as unknown as Db, options.pool?.max ?? 10);
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

/**
 * postgres.js with `pool` when DATABASE_URL is set, otherwise the embedded PGlite in DATA_DIR. PGlite
 * takes no pool settings: it has one connection, so no statement ever waits for another's lock, and
 * it accepts statement_timeout without enforcing it (it has no timer signal to cancel with).
 */
export function openDatabase(
  env: { DATABASE_URL?: string | undefined; DATA_DIR: string },
  pool?: PoolSettings,
): Promise<Database> {
  return env.DATABASE_URL ? openPostgres(env.DATABASE_URL, pool ? { pool } : {}) : openPglite(env.DATA_DIR);
}
