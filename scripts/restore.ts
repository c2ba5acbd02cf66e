/**
 * `npm run restore -- <file> [--force]`: a backup into the database the environment names — a new,
 * empty PostgreSQL database (DATABASE_OWNER_URL or DATABASE_URL) or an empty DATA_DIR. `--force`
 * replaces a non-empty database (PGlite: the old DATA_DIR is moved aside, not deleted). The
 * restored database gets a new lineage so devices reconcile (docs/operations/backup-restore.md).
 * Prints one line; exits 0, or 2 with one line naming what to fix.
 */
import { parseArgs } from 'node:util';
import { CliError, cliEnv, EXIT, runCommand } from '../server/audit/cli.ts';
import { restore } from '../server/backup/backup.ts';

const USAGE = 'usage: npm run restore -- <file> [--force]';

await runCommand('restore', async (loaded) => {
  let parsed: { values: { force?: boolean | undefined }; positionals: string[] };
  try {
    parsed = parseArgs({ options: { force: { type: 'boolean' } }, strict: true, allowPositionals: true });
  } catch (error) {
    throw new CliError('USAGE', `${(error as Error).message}; ${USAGE}`);
  }
  const [file, ...rest] = parsed.positionals;
  if (!file || rest.length > 0) throw new CliError('USAGE', USAGE);
  loaded.env = cliEnv(process.env);
  const result = await restore(loaded.env, file, parsed.values.force === true);
  process.stdout.write(
    `restore: ${file} restored into ${result.target} (${result.kind}); new lineage ${result.lineage.id}, ` +
      `every account's revision moved to ${result.lineage.floor}\n`,
  );
  return EXIT.ok;
});
