/**
 * Verifies the audit log (docs/audit.md, "Verifying"): `npm run audit:verify` reads the database
 * as its owner; `npm run audit:verify -- --file export.jsonl [--keys keys.json]` reads an export.
 * Prints one JSON line and exits 0 when every link and checkpoint holds; prints the first broken
 * link in one line and exits 1 when not; exits 2 when it could not verify at all.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  CliError,
  cliEnv,
  EXIT,
  openOwnerDatabase,
  peakRssMiB,
  readOption,
  runCommand,
} from './audit/cli.ts';
import { withDatabaseLog } from './audit/database-log.ts';
import { ExportFormatError, openExport } from './audit/export-format.ts';
import { parseTrustedKeys, TrustedKeysError } from './audit/trusted-keys.ts';
import { type VerifyInput, type VerifyReport, verifyChain } from './audit/verify.ts';
import type { Env } from './env.ts';

const COMMAND = 'audit:verify';
const USAGE = 'usage: npm run audit:verify [-- --file <export.jsonl> [--keys <jwks.json>]]';

async function verify(loaded: { env?: Env }): Promise<number> {
  let options: { file?: string | undefined; keys?: string | undefined };
  try {
    ({ values: options } = parseArgs({
      options: { file: { type: 'string' }, keys: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new CliError('USAGE', `${(error as Error).message}; ${USAGE}`);
  }
  const started = performance.now();
  const keysPath = options.keys;
  const pinned = keysPath
    ? await readOption('--keys', keysPath, (path) => readFile(path, 'utf8')).then((text) => {
        try {
          return parseTrustedKeys(text);
        } catch (error) {
          if (error instanceof TrustedKeysError)
            throw new CliError('FILE', `--keys ${keysPath}: ${error.message}`);
          throw error;
        }
      })
    : undefined;
  const check = (log: VerifyInput) => verifyChain({ ...log, keys: pinned ?? log.keys });

  let source: 'file' | 'postgres' | 'pglite';
  let outcome: { report: VerifyReport; head: VerifyInput['head'] };
  const filePath = options.file;
  if (filePath) {
    source = 'file';
    try {
      const log = await readOption('--file', filePath, openExport);
      try {
        outcome = { report: await check(log), head: log.head };
      } finally {
        log.close();
      }
    } catch (error) {
      if (error instanceof ExportFormatError)
        throw new CliError('FILE', `--file ${filePath}: ${error.message}`);
      throw error;
    }
  } else {
    const env = cliEnv(process.env);
    loaded.env = env;
    const database = await openOwnerDatabase(env);
    source = database.driver;
    try {
      outcome = await withDatabaseLog(database.db, async (log) => ({
        report: await check(log),
        head: log.head,
      }));
    } finally {
      await database.close();
    }
  }

  const { report, head } = outcome;
  if (!report.ok) {
    process.stderr.write(`audit log broken: ${report.problem?.message ?? 'no reason given'}\n`);
    return EXIT.broken;
  }
  process.stdout.write(
    `${JSON.stringify({
      ok: true,
      source,
      keys: pinned ? 'pinned' : 'stored',
      events: report.events,
      accounts: report.accounts,
      checkpoints: report.checkpoints,
      unsignedTail: report.unsignedTail,
      lastEventSeq: head.lastEventSeq,
      headHash: head.hash,
      ms: Math.round(performance.now() - started),
      peakRssMiB: peakRssMiB(),
    })}\n`,
  );
  return EXIT.ok;
}

await runCommand(COMMAND, verify);
