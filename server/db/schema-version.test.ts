import { describe, expect, it } from 'vitest';
import { migrationsFolder } from './client.ts';
import {
  type AppliedMigration,
  assertSchemaVersion,
  type BuildMigration,
  readBuildMigrations,
  SchemaVersionError,
} from './schema-version.ts';

const build: BuildMigration[] = [
  { tag: '0000_init', when: 1_000, hash: 'a' },
  { tag: '0001_more', when: 2_000, hash: 'b' },
];

const mismatch = (applied: AppliedMigration | undefined) => {
  try {
    assertSchemaVersion(applied, build);
  } catch (error) {
    if (error instanceof SchemaVersionError) return { code: error.code, message: error.message };
    throw error;
  }
  return undefined;
};

describe('assertSchemaVersion', () => {
  it('accepts a database whose newest migration is this build’s newest', () => {
    expect(mismatch({ createdAt: 2_000, hash: 'b' })).toBeUndefined();
  });

  it('names what is wrong and what to do', () => {
    expect(mismatch(undefined)).toEqual({
      code: 'NOT_MIGRATED',
      message: 'the database has not been migrated (run `npm run migrate`)',
    });
    expect(mismatch({ createdAt: 1_000, hash: 'a' })).toEqual({
      code: 'MIGRATIONS_PENDING',
      message:
        'the database schema is older than this build (at 0000_init, this build needs 0001_more): run `npm run migrate`',
    });
    expect(mismatch({ createdAt: Date.UTC(2099, 0, 1), hash: 'z' })).toEqual({
      code: 'NEWER_SCHEMA',
      message:
        'the database was migrated by a newer build (a migration of 2099-01-01T00:00:00.000Z; ' +
        "this build's newest is 0001_more): run that build or a newer one",
    });
    expect(mismatch({ createdAt: 2_000, hash: 'edited' })).toMatchObject({ code: 'UNKNOWN_MIGRATION' });
  });

  it('reads this build’s journal in order, with the hashes drizzle records', () => {
    const migrations = readBuildMigrations(migrationsFolder);
    expect(migrations[0]).toMatchObject({ tag: '0000_init', hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(migrations.map((m) => m.when)).toEqual([...migrations.map((m) => m.when)].sort((a, b) => a - b));
  });
});
