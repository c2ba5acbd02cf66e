/**
 * Ends every device session of one account (docs/operations/incident-response.md, "Contain"):
 * `npm run sessions:end -- --email <address>` or `-- --account <id>`, as the database's owner, like
 * the audit commands. Each device's next request answers 401 SESSION_ENDED (reason `operator`) and
 * its push stream closes; the user signs in again with the master password, unsynced edits kept.
 * Prints the audit lines of what it recorded, then one JSON summary line, and exits 0; prints one
 * line and exits 2 when it changed nothing (a bad option, no such account, no database).
 */
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { CliError, cliEnv, EXIT, openOwnerDatabase, runCommand } from './audit/cli.ts';
import type { Env } from './env.ts';
import {
  accountRefOf,
  endAccountSessions,
  NoSuchAccountError,
  SESSIONS_END_USAGE,
} from './operator-sessions.ts';

const COMMAND = 'sessions:end';

async function endSessions(loaded: { env?: Env }): Promise<number> {
  let values: { email?: string | undefined; account?: string | undefined };
  try {
    ({ values } = parseArgs({
      options: { email: { type: 'string' }, account: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new CliError('USAGE', `${(error as Error).message}; ${SESSIONS_END_USAGE}`);
  }
  const ref = accountRefOf(values);
  const env = cliEnv(process.env);
  loaded.env = env;
  // The audit lines of the events recorded, in the servers' format, for the same log shipping.
  const logger = pino({ level: 'info' }, pino.destination({ dest: 1, sync: true }));
  const database = await openOwnerDatabase(env);
  try {
    const at = new Date();
    const result = await endAccountSessions(database.db, ref, {
      at,
      requestId: null,
      ip: null,
      logger,
    }).catch((error: unknown) => {
      if (error instanceof NoSuchAccountError)
        throw new CliError('USAGE', `${error.message}; nothing changed`);
      throw error;
    });
    process.stdout.write(
      `${JSON.stringify({ ok: true, ...result, reason: 'operator', at: at.toISOString() })}\n`,
    );
  } finally {
    await database.close();
  }
  return EXIT.ok;
}

await runCommand(COMMAND, endSessions);
