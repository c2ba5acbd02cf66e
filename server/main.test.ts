import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { type Database, openPglite, openPostgres } from './db/client.ts';
import { appRoleUrl } from './test-support/db.ts';
import { createEmptyPostgres } from './test-support/empty-db.ts';
import { messageOf, type ProcessOutcome, runEntry } from './test-support/run-process.ts';

/**
 * The real entry points as processes: a start that cannot succeed prints one line naming the setting
 * to fix and exits 1, with no stack trace and nothing secret in it.
 */
const postgresUrl = process.env.DATABASE_URL;
const dataDirs: string[] = [];
const freshDataDir = async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'keyhold-main-test-'));
  dataDirs.push(dir);
  return dir;
};
afterAll(async () => {
  for (const dir of dataDirs) await rm(dir, { recursive: true, force: true });
});

const NEWER_MIGRATION = `insert into drizzle.__drizzle_migrations (hash, created_at) values ('newer', ${Date.UTC(2099, 0, 1)})`;

/** A database for this project's driver: never migrated (PostgreSQL only), migrated, or migrated by a newer build. */
async function prepareDatabase(state: 'empty' | 'migrated' | 'newer') {
  const adjust = async (database: Database) => {
    if (state === 'newer') await database.db.execute(sql.raw(NEWER_MIGRATION));
    await database.close();
  };
  if (postgresUrl) {
    const created = await createEmptyPostgres(postgresUrl);
    if (state === 'empty')
      return { setting: 'DATABASE_URL', env: { DATABASE_URL: created.url }, dispose: created.drop };
    await adjust(await openPostgres(created.url, { migrate: true }));
    // As deployed: the server as the application role, migrations as the owner.
    const env = { DATABASE_URL: appRoleUrl(created.url), DATABASE_OWNER_URL: created.url };
    return { setting: 'DATABASE_URL', env, dispose: created.drop, ownerUrl: created.url };
  }
  if (state === 'empty') throw new Error('PGlite migrates itself on open: it is never found empty');
  const dir = await freshDataDir();
  await adjust(await openPglite(dir, { actAs: 'owner' }));
  return { setting: 'DATA_DIR', env: { DATA_DIR: dir }, dispose: async () => {} };
}

/** Exit 1 and one line whose message starts with the setting, no stack frames, none of `secrets`. */
function expectOneLineFailure(outcome: ProcessOutcome, setting: string, secrets: string[] = []) {
  expect(outcome.code, outcome.output).toBe(1);
  expect(outcome.lines, outcome.output).toHaveLength(1);
  expect(messageOf(outcome.lines[0] ?? '')).toMatch(
    new RegExp(`^(Invalid environment variable\\(s\\): )?${setting}\\b`),
  );
  expect(outcome.output).not.toMatch(/^\s+at |"frames"|"stack"/m);
  for (const secret of secrets) expect(outcome.output).not.toContain(secret);
}

describe('server start-up failures', () => {
  it('refuses a bad PORT, HOST or unreachable DATABASE_URL in one line naming it', async () => {
    const password = 'hunter2-never-printed';
    const refusedUrl = `postgres://keyhold:${password}@127.0.0.1:1/keyhold`;
    const cases = [
      { entry: 'server/main.ts', env: { PORT: '0x2410' }, setting: 'PORT' },
      { entry: 'server/main.ts', env: { PORT: '9.234e3' }, setting: 'PORT' },
      { entry: 'server/main.ts', env: { HOST: 'not a host!' }, setting: 'HOST' },
      { entry: 'server/main.ts', env: { HOST: '10.255.255.1' }, setting: 'HOST' },
      { entry: 'server/main.ts', env: { DATABASE_URL: refusedUrl }, setting: 'DATABASE_URL' },
      { entry: 'server/migrate.ts', env: { DATABASE_URL: refusedUrl }, setting: 'DATABASE_URL' },
    ];
    const outcomes = await Promise.all(
      cases.map(async ({ entry, env }) => runEntry(entry, { DATA_DIR: await freshDataDir(), ...env })),
    );
    outcomes.forEach((outcome, index) => {
      expectOneLineFailure(outcome, cases[index]?.setting ?? '', [password]);
    });
    expect(messageOf(outcomes[3]?.lines[0] ?? '')).toBe(
      'HOST 10.255.255.1 is not an address of this machine',
    );
  });

  it('refuses a PORT already in use in one line naming PORT and HOST', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    const database = await prepareDatabase('migrated');
    try {
      const outcome = await runEntry('server/main.ts', { ...database.env, PORT: String(port) }, 60_000);
      expectOneLineFailure(outcome, 'PORT');
      expect(messageOf(outcome.lines[0] ?? '')).toBe(`PORT ${port} is already in use on HOST 127.0.0.1`);
    } finally {
      blocker.close();
      await database.dispose();
    }
  });

  it('refuses a database migrated by a newer build, and so does the migrate command', async () => {
    const database = await prepareDatabase('newer');
    try {
      for (const entry of ['server/main.ts', 'server/migrate.ts']) {
        const outcome = await runEntry(entry, database.env, 60_000);
        expectOneLineFailure(outcome, database.setting);
        expect(messageOf(outcome.lines[0] ?? '')).toContain('migrated by a newer build');
      }
    } finally {
      await database.dispose();
    }
  });

  it.skipIf(!postgresUrl)(
    'refuses to run as a role that row-level security would not hold (superuser or owner)',
    async () => {
      const database = await prepareDatabase('migrated');
      try {
        const outcome = await runEntry('server/main.ts', { DATABASE_URL: database.ownerUrl ?? '' });
        expectOneLineFailure(outcome, 'DATABASE_URL');
        expect(messageOf(outcome.lines[0] ?? '')).toMatch(
          /^DATABASE_URL connects as "postgres", which is a superuser: row-level security would not apply/,
        );
      } finally {
        await database.dispose();
      }
    },
  );

  it.skipIf(!postgresUrl)(
    'refuses an unmigrated PostgreSQL database in one line, SERVER_SECRET set or not',
    async () => {
      const database = await prepareDatabase('empty');
      const secret = 'a-server-secret-that-is-never-printed-0123456789';
      try {
        const outcomes = await Promise.all([
          runEntry('server/main.ts', database.env),
          runEntry('server/main.ts', { ...database.env, SERVER_SECRET: secret }),
        ]);
        for (const outcome of outcomes) {
          expectOneLineFailure(outcome, 'DATABASE_URL', [secret, 'params', 'insert']);
          expect(messageOf(outcome.lines[0] ?? '')).toBe(
            'DATABASE_URL: the database has not been migrated (run `npm run migrate`)',
          );
        }
      } finally {
        await database.dispose();
      }
    },
  );
});
