import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readMigrationFiles } from 'drizzle-orm/migrator';

/** Why a database's schema is not the one this build was written against. */
export const schemaMismatches = {
  /** No migration applied at all (`npm run migrate` was never run). */
  notMigrated: 'NOT_MIGRATED',
  /** Older than this build: some of its migrations are not applied yet. */
  pending: 'MIGRATIONS_PENDING',
  /** Migrated by a newer build: a migration this build does not know is applied. */
  newer: 'NEWER_SCHEMA',
  /** The newest applied migration has this build's timestamp but different SQL. */
  unknown: 'UNKNOWN_MIGRATION',
} as const;
export type SchemaMismatch = (typeof schemaMismatches)[keyof typeof schemaMismatches];

/** The database answers but cannot be served by this build. The message names what to do. */
export class SchemaVersionError extends Error {
  override readonly name = 'SchemaVersionError';
  constructor(
    readonly code: SchemaMismatch,
    message: string,
  ) {
    super(message);
  }
}

/** One migration of this build, as drizzle records it once applied (`hash`, `created_at` = `when`). */
export interface BuildMigration {
  readonly tag: string;
  readonly when: number;
  readonly hash: string;
}

/** The newest row of `drizzle.__drizzle_migrations`, if the table exists and has one. */
export interface AppliedMigration {
  readonly hash: string;
  readonly createdAt: number;
}

/** This build's migrations in journal order, with the hashes drizzle's migrator stores. */
export function readBuildMigrations(migrationsFolder: string): BuildMigration[] {
  const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as {
    entries: { tag: string; when: number }[];
  };
  const files = readMigrationFiles({ migrationsFolder });
  return journal.entries.map((entry, index) => ({
    tag: entry.tag,
    when: entry.when,
    hash: files[index]?.hash ?? '',
  }));
}

const RUN_MIGRATE = 'run `npm run migrate`';

/**
 * Throws SchemaVersionError unless `applied` (the database's newest migration) is this build's newest.
 * drizzle orders applied migrations by `created_at`, the journal's `when`, so that is what is compared.
 */
export function assertSchemaVersion(
  applied: AppliedMigration | undefined,
  build: readonly BuildMigration[],
): void {
  const expected = build.at(-1);
  if (!expected) throw new Error('this build has no migrations');
  if (!applied) {
    throw new SchemaVersionError(
      schemaMismatches.notMigrated,
      `the database has not been migrated (${RUN_MIGRATE})`,
    );
  }
  if (applied.createdAt < expected.when) {
    const at = build.find((migration) => migration.when === applied.createdAt);
    throw new SchemaVersionError(
      schemaMismatches.pending,
      `the database schema is older than this build (at ${at?.tag ?? 'an unknown migration'}, ` +
        `this build needs ${expected.tag}): ${RUN_MIGRATE}`,
    );
  }
  if (applied.createdAt > expected.when) {
    throw new SchemaVersionError(
      schemaMismatches.newer,
      `the database was migrated by a newer build (a migration of ${stamp(applied.createdAt)}; ` +
        `this build's newest is ${expected.tag}): run that build or a newer one`,
    );
  }
  if (applied.hash !== expected.hash) {
    throw new SchemaVersionError(
      schemaMismatches.unknown,
      `the database's newest migration is not this build's ${expected.tag} (same time, different SQL)`,
    );
  }
}

const stamp = (millis: number) => {
  const date = new Date(millis);
  return Number.isNaN(date.getTime()) ? String(millis) : date.toISOString();
};

/** The query both drivers run: one row of a table with one row per migration, cheap enough for every probe. */
export const NEWEST_MIGRATION_SQL =
  'select hash, created_at from drizzle.__drizzle_migrations order by created_at desc limit 1';

/** PostgreSQL's undefined_table / invalid_schema_name: drizzle's bookkeeping was never created. */
const NO_MIGRATIONS_TABLE = new Set(['42P01', '3F000']);

/**
 * Runs NEWEST_MIGRATION_SQL through `query` and checks the answer against `build`. Connection and
 * query failures propagate unchanged: the caller reports them as "not reachable".
 */
export async function checkSchemaVersion(
  query: (text: string) => Promise<readonly Record<string, unknown>[]>,
  build: readonly BuildMigration[],
): Promise<void> {
  let rows: readonly Record<string, unknown>[];
  try {
    rows = await query(NEWEST_MIGRATION_SQL);
  } catch (error) {
    if (!NO_MIGRATIONS_TABLE.has(String((error as { code?: unknown }).code))) throw error;
    rows = [];
  }
  const row = rows[0];
  assertSchemaVersion(row ? { hash: String(row.hash), createdAt: Number(row.created_at) } : undefined, build);
}
