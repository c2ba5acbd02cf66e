import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv } from '../audit/cli.ts';
import { openPostgres } from '../db/client.ts';
import { lineageOf, RESTORE_REVISION_GAP } from '../db/lineage.ts';
import { createEmptyPostgres } from '../test-support/empty-db.ts';
import { backup, backupKind, backupPglite, redactUrl, restore, restorePglite } from './backup.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyhold-backup-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('backup files and targets', () => {
  it('refuses a missing file and a file of another kind with one line', async () => {
    await expect(backupKind(join(dir, 'nope.pgdump'))).rejects.toThrow(
      /nope\.pgdump: cannot read the backup file \(ENOENT\)/,
    );
    const text = join(dir, 'notes.txt');
    await writeFile(text, 'hello');
    await expect(backupKind(text)).rejects.toThrow(/is not a Keyhold backup/);
  });

  it('refuses a backup of the other database kind', async () => {
    const dump = join(dir, 'fake.pgdump');
    await writeFile(dump, 'PGDMP rest');
    await expect(restore(cliEnv({ DATA_DIR: join(dir, 'x') }), dump, false)).rejects.toThrow(
      /is a PostgreSQL backup: set DATABASE_OWNER_URL or DATABASE_URL/,
    );
    const tarball = join(dir, 'fake.tar.gz');
    await writeFile(tarball, Buffer.from([0x1f, 0x8b, 0, 0]));
    await expect(
      restore(cliEnv({ DATABASE_URL: 'postgres://u:sekrit@127.0.0.1:5432/db' }), tarball, false),
    ).rejects.toThrow(/is an embedded-database backup/);
  });

  it('refuses an embedded database a server holds, and a non-empty restore target', async () => {
    const held = join(dir, 'held');
    await mkdir(held);
    await writeFile(join(held, 'PG_VERSION'), '17');
    await writeFile(join(held, 'postmaster.pid'), '1');
    await expect(backupPglite(held, join(dir, 'held.tar.gz'))).rejects.toThrow(
      /is in use: stop the server first/,
    );
    await expect(backupPglite(join(dir, 'empty'), join(dir, 'e.tar.gz'))).rejects.toThrow(
      /there is no embedded database in/,
    );
    const full = join(dir, 'full');
    await mkdir(full);
    await writeFile(join(full, 'something'), 'x');
    await expect(restorePglite(full, join(dir, 'fake.tar.gz'), false)).rejects.toThrow(
      /is not empty: restore into a new directory, or pass --force/,
    );
    await expect(restorePglite(held, join(dir, 'fake.tar.gz'), true)).rejects.toThrow(/is in use/);
  });

  it('never prints a password', () => {
    expect(redactUrl('postgres://owner:sekrit@db.internal:5433/keyhold?password=sekrit')).toBe(
      'db.internal:5433/keyhold',
    );
  });
});

const url = process.env.DATABASE_URL;

describe.skipIf(!url)('PostgreSQL round trip through pg_dump and pg_restore', () => {
  it('restores into an empty database, moves revisions past the gap, and refuses a non-empty one', async () => {
    const base = url as string;
    const source = await createEmptyPostgres(base);
    const target = await createEmptyPostgres(base);
    try {
      await (await openPostgres(source.url, { migrate: true })).close();
      const owner = postgres(source.url, { onnotice: () => {}, max: 1 });
      const accountId = crypto.randomUUID();
      await owner`insert into accounts (id, email, kdf, salt, auth_hash, wrapped_vault_key, revision)
        values (${accountId}, ${`${accountId}@example.test`}, ${owner.json({ alg: 'pbkdf2-sha256', iterations: 600000 })},
          's', 'h', 'w', 7)`;
      await owner`insert into items (account_id, id, revision, deleted, key_version, ciphertext)
        values (${accountId}, ${crypto.randomUUID()}, 7, false, 1, 'k1.abc')`;
      await owner.end();

      const file = join(dir, 'pg.pgdump');
      const made = await backup(cliEnv({ DATABASE_URL: source.url }), file, new Date());
      expect(made).toMatchObject({ kind: 'postgres', file });
      expect(await backupKind(file)).toBe('postgres');

      // A password in the URL is neither on pg_restore's command line nor in any message.
      const withPassword = new URL(target.url);
      withPassword.password = 'sekrit';
      const restored = await restore(cliEnv({ DATABASE_OWNER_URL: withPassword.toString() }), file, false);
      expect(restored.lineage.floor).toBe(7 + RESTORE_REVISION_GAP);
      expect(restored.target).not.toContain('sekrit');

      const check = postgres(target.url, { onnotice: () => {}, max: 1 });
      const [account] = await check<
        { revision: string }[]
      >`select revision from accounts where id = ${accountId}`;
      expect(Number(account?.revision)).toBe(7 + RESTORE_REVISION_GAP);
      const [count] = await check<{ n: string }[]>`select count(*) as n from items`;
      expect(Number(count?.n)).toBe(1);
      // The log says where it was rewound: the restore is the next event after the backup's last.
      const events = await check<
        { seq: string; type: string; account_id: string | null; payload: unknown }[]
      >`
        select seq, type, account_id, payload from audit_events order by seq`;
      expect(events.map((e) => ({ ...e, seq: Number(e.seq) }))).toEqual([
        {
          seq: 1,
          type: 'database.restored',
          account_id: null,
          payload: { lineage: restored.lineage.id, revisionFloor: restored.lineage.floor },
        },
      ]);
      await check.end();
      const database = await openPostgres(target.url);
      expect(await lineageOf(database.db)).toEqual(restored.lineage);
      await database.close();

      const again = restore(cliEnv({ DATABASE_OWNER_URL: withPassword.toString() }), file, false);
      await expect(again).rejects.toThrow(/is not empty: restore into a new empty database/);
      await expect(again).rejects.not.toThrow(/sekrit/);
    } finally {
      await source.drop();
      await target.drop();
    }
  });
});
