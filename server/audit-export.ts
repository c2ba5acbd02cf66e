/**
 * Exports the audit log (docs/audit.md, "Export format"): `npm run audit:export -- --out <file>`
 * reads the database as its owner, in one snapshot, and writes JSON lines that
 * `npm run audit:verify -- --file <file>` verifies offline. Prints one JSON line and exits 0;
 * prints one line and exits 2 when it cannot.
 */
import { parseArgs } from 'node:util';
import { CliError, cliEnv, EXIT, openOwnerDatabase, peakRssMiB, runCommand } from './audit/cli.ts';
import { withDatabaseLog } from './audit/database-log.ts';
import { writeExport } from './audit/export-format.ts';
import type { Env } from './env.ts';

const COMMAND = 'audit:export';
const USAGE = 'usage: npm run audit:export -- --out <file.jsonl>';

async function exportLog(loaded: { env?: Env }): Promise<number> {
  let out: string | undefined;
  try {
    ({
      values: { out },
    } = parseArgs({ options: { out: { type: 'string' } }, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new CliError('USAGE', `${(error as Error).message}; ${USAGE}`);
  }
  if (!out) throw new CliError('USAGE', `--out is required; ${USAGE}`);
  const path = out;
  const started = performance.now();
  const env = cliEnv(process.env);
  loaded.env = env;
  const database = await openOwnerDatabase(env);
  try {
    const counts = await withDatabaseLog(database.db, (log) =>
      writeExport(log, path, new Date()).catch((error: unknown) => {
        const code = (error as NodeJS.ErrnoException).code;
        if (typeof code === 'string' && code.startsWith('E'))
          throw new CliError('FILE', `--out ${path}: cannot write the file (${code})`);
        throw error;
      }),
    );
    process.stdout.write(
      `${JSON.stringify({
        ok: true,
        source: database.driver,
        out: path,
        ...counts,
        ms: Math.round(performance.now() - started),
        peakRssMiB: peakRssMiB(),
      })}\n`,
    );
  } finally {
    await database.close();
  }
  return EXIT.ok;
}

await runCommand(COMMAND, exportLog);
