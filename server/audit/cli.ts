import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { type Database, openPglite, openPostgres } from '../db/client.ts';
import { firstRow } from '../db/first-row.ts';
import { describeError } from '../describe-error.ts';
import { type Env, EnvError, loadEnv } from '../env.ts';
import { asStartupError, StartupError } from '../startup-error.ts';
import { ExportFormatError } from './export-format.ts';
import { TrustedKeysError } from './trusted-keys.ts';

/**
 * What `npm run audit:verify` and `npm run audit:export` share (docs/audit.md, "Verifying"): how
 * they reach the database as its owner, their exit codes, and the one line a failure prints.
 */

export const EXIT = {
  /** The log verified (or was exported). */
  ok: 0,
  /** The log is broken: the line names the first broken link. */
  broken: 1,
  /** Nothing was verified: a setting, an option, a file or the database is at fault. */
  failed: 2,
} as const;

/** A bad option or an unreadable file named on the command line. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly code: 'USAGE' | 'FILE',
    message: string,
  ) {
    super(message);
  }
}

/** Reads a file named by `option`, saying which option and why when it cannot. */
export async function readOption<T>(option: string, path: string, read: (path: string) => Promise<T>) {
  try {
    return await read(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code !== 'string' || !code.startsWith('E')) throw error;
    throw new CliError('FILE', `${option} ${path}: cannot read the file (${code})`);
  }
}

/** The environment, or a CliError naming the bad variable (no exit here: the caller picks the code). */
export function cliEnv(source: Record<string, string | undefined>): Env {
  try {
    return loadEnv(source);
  } catch (error) {
    if (error instanceof EnvError) throw new CliError('USAGE', error.message);
    throw error;
  }
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/**
 * The database as the owner of the audit tables, the only role that sees every event:
 * DATABASE_OWNER_URL, else DATABASE_URL, else the embedded database in DATA_DIR. The embedded one
 * must exist already (an empty directory is not a log to verify) and must not be open elsewhere:
 * PGlite has no lock of its own, and two processes on one directory can corrupt it.
 */
export async function openOwnerDatabase(env: Env): Promise<Database> {
  const url = env.DATABASE_OWNER_URL ?? env.DATABASE_URL;
  const setting = env.DATABASE_OWNER_URL
    ? 'DATABASE_OWNER_URL'
    : env.DATABASE_URL
      ? 'DATABASE_URL'
      : 'DATA_DIR';
  let database: Database;
  if (url) {
    database = await openPostgres(url);
  } else {
    const dir = env.DATA_DIR;
    if (!(await exists(join(dir, 'PG_VERSION'))))
      throw new StartupError('DATA_DIR', `DATA_DIR: there is no embedded database in ${dir}`, 'NO_DATABASE');
    if (await exists(join(dir, 'postmaster.pid')))
      throw new StartupError(
        'DATA_DIR',
        `DATA_DIR: the embedded database in ${dir} is in use: stop the server first. ` +
          `If no server is running, it was stopped abruptly: start and stop it once, or delete ${join(dir, 'postmaster.pid')}`,
        'IN_USE',
      );
    database = await openPglite(dir, { actAs: 'owner' });
  }
  try {
    await database.ping();
    await assertSeesEverything(database, setting);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}

/**
 * Row-level security shows the application role only events of the account it declares: run as
 * that role, the verifier would report a log full of holes. Only a superuser, a role that bypasses
 * RLS, or a member of the tables' owner (the owner policy) sees every row.
 */
async function assertSeesEverything(database: Database, setting: StartupError['setting']) {
  const result = await database.db.execute(sql`
    select current_user as role,
      r.rolsuper or r.rolbypassrls or pg_has_role(current_user, c.relowner, 'USAGE') as sees_all
    from pg_roles r, pg_class c
    where r.rolname = current_user and c.oid = 'public.audit_events'::regclass`);
  const row = firstRow(result);
  if (row?.sees_all === true) return;
  throw new StartupError(
    setting,
    `${setting} connects as "${String(row?.role)}", which row-level security hides events from: ` +
      'connect as the owner of the tables (DATABASE_OWNER_URL, as for npm run migrate)',
    'NOT_OWNER',
  );
}

/**
 * The one line a failure prints. Expected failures say what to fix; anything else is a bug,
 * described by type, code and frames (never its message, which can carry a query's values).
 */
export function failureLine(command: string, error: unknown, env: Env | undefined): string {
  if (error instanceof CliError || error instanceof TrustedKeysError || error instanceof ExportFormatError)
    return `${command}: ${error.message}`;
  if (env) {
    const ownerUrl = env.DATABASE_OWNER_URL;
    const known = asStartupError(error, {
      DATA_DIR: env.DATA_DIR,
      DATABASE_URL: ownerUrl ?? env.DATABASE_URL,
    });
    if (known) {
      // asStartupError names DATABASE_URL for any URL; say which variable held this one.
      const message =
        ownerUrl && known.setting === 'DATABASE_URL'
          ? known.message.replace(/^DATABASE_URL/, 'DATABASE_OWNER_URL')
          : known.message;
      return `${command}: ${message}`;
    }
  }
  return `${command}: unexpected failure ${JSON.stringify(describeError(error))}`;
}

/** Peak resident memory of this process so far, in MiB (the figure that shows verifying streams). */
export const peakRssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);

/**
 * Runs a command's `main` and exits with its code; a failure prints its one line (with the
 * environment `main` had loaded, if any, to name the setting) and exits 2.
 */
export async function runCommand(
  command: string,
  main: (loaded: { env?: Env }) => Promise<number>,
): Promise<never> {
  const loaded: { env?: Env } = {};
  let code: number;
  try {
    code = await main(loaded);
  } catch (error) {
    process.stderr.write(`${failureLine(command, error, loaded.env)}\n`);
    code = EXIT.failed;
  }
  process.exit(code);
}
