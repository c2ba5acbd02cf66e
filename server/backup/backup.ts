import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { access, chmod, open, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { CliError } from '../audit/cli.ts';
import { type Database, openPglite, openPostgres } from '../db/client.ts';
import { type Lineage, startNewLineage } from '../db/lineage.ts';
import { printableUrl } from '../db/printable-url.ts';
import type { Env } from '../env.ts';

/**
 * What `npm run backup` and `npm run restore` share (docs/operations/backup-restore.md). PostgreSQL:
 * `pg_dump -Fc` / `pg_restore` as the tables' owner (DATABASE_OWNER_URL, else DATABASE_URL).
 * Embedded: PGlite's own dump of DATA_DIR (a gzipped tarball, the secrets kept beside the database
 * included). A restore ends by giving the database a new lineage (server/db/lineage.ts).
 */

export type BackupKind = 'postgres' | 'pglite';

/** The URL as it may be printed: no password, no query (which can carry one). */
export const redactUrl = printableUrl;

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

const PG_MAGIC = Buffer.from('PGDMP');
const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);

/** Which database a backup file is for, by its first bytes; a CliError when missing or neither. */
export async function backupKind(file: string): Promise<BackupKind> {
  let head: Buffer;
  try {
    const handle = await open(file, 'r');
    try {
      head = Buffer.alloc(5);
      const { bytesRead } = await handle.read(head, 0, 5, 0);
      head = head.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code !== 'string' || !code.startsWith('E')) throw error;
    throw new CliError('FILE', `${file}: cannot read the backup file (${code})`);
  }
  if (head.equals(PG_MAGIC)) return 'postgres';
  if (head.subarray(0, 2).equals(GZIP_MAGIC)) return 'pglite';
  throw new CliError(
    'FILE',
    `${file} is not a Keyhold backup (neither a pg_dump custom-format file nor an embedded-database dump)`,
  );
}

/** The owner's URL: DATABASE_OWNER_URL, else DATABASE_URL; undefined for the embedded database. */
const ownerUrl = (env: Env) => env.DATABASE_OWNER_URL ?? env.DATABASE_URL;

/** Runs pg_dump or pg_restore with the password in the environment, never on the command line. */
async function runPgTool(tool: 'pg_dump' | 'pg_restore', url: string, args: string[]): Promise<void> {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  u.password = '';
  const env = { ...process.env, ...(password ? { PGPASSWORD: password } : {}) };
  const child = spawn(tool, [...args, '--dbname', u.toString()], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT')
      throw new CliError(
        'USAGE',
        `${tool} was not found on PATH: install the PostgreSQL client tools (15 or newer)`,
      );
    throw error;
  });
  if (code === 0) return;
  // The tool's own first error line: it names what failed (a role, a version, the connection).
  const first = stderr.split('\n').find((line) => line.includes('error')) ?? stderr.split('\n')[0] ?? '';
  const safe = password ? first.split(password).join('***') : first;
  throw new CliError('FILE', `${tool} failed (exit ${code}): ${safe.trim()}`);
}

/** `pg_dump -Fc` of the owner's database into `file`. */
export async function backupPostgres(url: string, file: string): Promise<void> {
  await runPgTool('pg_dump', url, ['--format=custom', '--file', file]);
}

/** What a restore target holds besides the system catalogs, and who else is connected to it. */
async function inspectTarget(url: string): Promise<{ relations: number; others: number }> {
  const client = postgres(url, { onnotice: () => {}, max: 1 });
  try {
    const [row] = await client<{ relations: string; others: string }[]>`
      select
        (select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname not in ('pg_catalog', 'information_schema')
            and n.nspname not like 'pg\\_toast%' and n.nspname not like 'pg\\_temp%') as relations,
        (select count(*) from pg_stat_activity
          where datname = current_database() and pid <> pg_backend_pid()) as others`;
    return { relations: Number(row?.relations ?? 0), others: Number(row?.others ?? 0) };
  } finally {
    await client.end({ timeout: 5 });
  }
}

/**
 * pg_restore into the database `url` names, which must exist and be empty (with `force`: its
 * objects are dropped and replaced) and have no other connection; then a new lineage.
 */
export async function restorePostgres(url: string, file: string, force: boolean): Promise<Lineage> {
  const target = await inspectTarget(url);
  if (target.others > 0)
    throw new CliError(
      'USAGE',
      `the database ${redactUrl(url)} has ${target.others} other connection(s): stop every server using it first`,
    );
  if (target.relations > 0 && !force)
    throw new CliError(
      'USAGE',
      `the database ${redactUrl(url)} is not empty: restore into a new empty database (createdb), or pass --force to replace its contents`,
    );
  const clean = force ? ['--clean', '--if-exists'] : [];
  await runPgTool('pg_restore', url, ['--exit-on-error', '--single-transaction', ...clean, file]);
  return newLineage(await openPostgres(url));
}

/** The file PGlite keeps in a data directory while it has it open (and leaves after a crash). */
const LOCK_FILE = 'postmaster.pid';

const inUse = (dataDir: string) =>
  new CliError(
    'USAGE',
    `DATA_DIR: the embedded database in ${dataDir} is in use: stop the server first. ` +
      `If no server is running, it was stopped abruptly: start and stop it once, or delete ${join(dataDir, LOCK_FILE)}`,
  );

/** PGlite's own dump of DATA_DIR (gzipped tar), taken while no server holds it. */
export async function backupPglite(dataDir: string, file: string): Promise<void> {
  if (!(await exists(join(dataDir, 'PG_VERSION'))))
    throw new CliError('USAGE', `DATA_DIR: there is no embedded database in ${dataDir}`);
  // PGlite has no lock of its own: a second process on the directory could corrupt it.
  if (await exists(join(dataDir, LOCK_FILE))) throw inUse(dataDir);
  const pglite = await PGlite.create(dataDir);
  try {
    const dump = await pglite.dumpDataDir('gzip');
    await writeFile(file, Buffer.from(await dump.arrayBuffer()), { mode: 0o600 });
  } finally {
    await pglite.close();
  }
}

/**
 * Loads a PGlite dump into DATA_DIR, which must be missing or empty; with `force` an existing one is
 * moved aside (`<DATA_DIR>.before-restore-<time>`), never deleted. Then a new lineage.
 */
export async function restorePglite(dataDir: string, file: string, force: boolean): Promise<Lineage> {
  const entries = (await exists(dataDir)) ? await readdir(dataDir) : [];
  if (entries.includes(LOCK_FILE)) throw inUse(dataDir);
  if (entries.length > 0) {
    if (!force)
      throw new CliError(
        'USAGE',
        `DATA_DIR ${dataDir} is not empty: restore into a new directory, or pass --force to move it aside`,
      );
    const aside = `${dataDir}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    await rename(dataDir, aside);
  }
  const blob = new Blob([await readFile(file)]);
  const pglite = await PGlite.create(dataDir, { loadDataDir: blob });
  await pglite.close();
  // Secrets kept beside the database come back with it; a tarball does not keep their mode.
  for (const name of await readdir(dataDir)) {
    if (name.startsWith('keyhold-')) await chmod(join(dataDir, name), 0o600);
  }
  // Migrated on open, as the server would: a backup of an older build is brought up to this one.
  return newLineage(await openPglite(dataDir, { actAs: 'owner' }));
}

/** As the owner, without a schema check: a backup of an older build is migrated afterwards. */
async function newLineage(database: Database): Promise<Lineage> {
  try {
    return await startNewLineage(database.db, randomUUID());
  } finally {
    await database.close();
  }
}

export interface BackupResult {
  kind: BackupKind;
  file: string;
  /** Where from: the database's host and name, or DATA_DIR; never a password. */
  source: string;
}

/** `npm run backup`: the database the environment names, into `file` (a default name when absent). */
export async function backup(env: Env, file: string | undefined, at: Date): Promise<BackupResult> {
  const url = ownerUrl(env);
  const stamp = at.toISOString().replace(/[:.]/g, '-');
  const kind: BackupKind = url ? 'postgres' : 'pglite';
  const target = file ?? `keyhold-backup-${stamp}.${url ? 'pgdump' : 'tar.gz'}`;
  if (await exists(target)) throw new CliError('USAGE', `${target} already exists: name a new file`);
  if (url) await backupPostgres(url, target);
  else await backupPglite(env.DATA_DIR, target);
  return { kind, file: target, source: url ? redactUrl(url) : env.DATA_DIR };
}

/** `npm run restore`: `file` into the database the environment names; its kind must match. */
export async function restore(
  env: Env,
  file: string,
  force: boolean,
): Promise<{ kind: BackupKind; target: string; lineage: Lineage }> {
  const kind = await backupKind(file);
  const url = ownerUrl(env);
  if (kind === 'postgres' && !url)
    throw new CliError('USAGE', `${file} is a PostgreSQL backup: set DATABASE_OWNER_URL or DATABASE_URL`);
  if (kind === 'pglite' && url)
    throw new CliError(
      'USAGE',
      `${file} is an embedded-database backup: unset DATABASE_URL and DATABASE_OWNER_URL, set DATA_DIR`,
    );
  if (url) return { kind, target: redactUrl(url), lineage: await restorePostgres(url, file, force) };
  return { kind, target: env.DATA_DIR, lineage: await restorePglite(env.DATA_DIR, file, force) };
}
