/**
 * `npm run backup [-- <file>]`: a backup of the database the environment names — PostgreSQL with
 * DATABASE_OWNER_URL or DATABASE_URL (`pg_dump -Fc`), else the embedded one in DATA_DIR (stop the
 * server first). Prints one line; exits 0, or 2 with one line naming what to fix.
 * See docs/operations/backup-restore.md for what a backup contains.
 */
import { parseArgs } from 'node:util';
import { CliError, cliEnv, EXIT, runCommand } from '../server/audit/cli.ts';
import { backup } from '../server/backup/backup.ts';

const USAGE = 'usage: npm run backup [-- <file>]';

await runCommand('backup', async (loaded) => {
  let positionals: string[];
  try {
    ({ positionals } = parseArgs({ options: {}, strict: true, allowPositionals: true }));
  } catch (error) {
    throw new CliError('USAGE', `${(error as Error).message}; ${USAGE}`);
  }
  if (positionals.length > 1) throw new CliError('USAGE', `one file at most; ${USAGE}`);
  loaded.env = cliEnv(process.env);
  const result = await backup(loaded.env, positionals[0], new Date());
  process.stdout.write(`backup: wrote ${result.file} (${result.kind}, from ${result.source})\n`);
  return EXIT.ok;
});
