import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { type Database, openPostgres, wrapPglite } from '../db/client.ts';

export interface EmptyDatabase {
  /** Opened without migrating: no table exists yet. */
  readonly database: Database;
  /** Applies this build's migrations, as `npm run migrate` would. */
  migrate(): Promise<void>;
  execute(statement: string): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * A database no migration ever ran on: an in-memory PGlite, or a fresh `keyhold_test_<random>` database
 * on the server named by DATABASE_URL when that is set (dropped by `dispose()`).
 */
export async function createEmptyDatabase(): Promise<EmptyDatabase> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const client = new PGlite();
    const database = await wrapPglite(client);
    return {
      database,
      migrate: async () => {
        // As `npm run migrate` would: the owner migrates; `database` stays the owner's handle here.
        await wrapPglite(client, { migrate: true, actAs: 'owner' });
      },
      execute: async (statement) => {
        await database.db.execute(sql.raw(statement));
      },
      dispose: () => database.close(),
    };
  }
  const { url: emptyUrl, drop } = await createEmptyPostgres(url);
  const database = await openPostgres(emptyUrl);
  return {
    database,
    migrate: async () => {
      await (await openPostgres(emptyUrl, { migrate: true })).close();
    },
    execute: async (statement) => {
      await database.db.execute(sql.raw(statement));
    },
    dispose: async () => {
      await database.close();
      await drop();
    },
  };
}

/** Creates an empty database next to the one `url` names; `drop()` removes it (and its connections). */
export async function createEmptyPostgres(
  url: string,
): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `keyhold_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(url, { onnotice: () => {}, max: 1 });
  await admin.unsafe(`create database "${name}"`);
  const emptyUrl = new URL(url);
  emptyUrl.pathname = `/${name}`;
  return {
    name,
    url: emptyUrl.toString(),
    drop: async () => {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}
