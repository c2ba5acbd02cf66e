import type { Logger } from 'pino';
import { printableUrl } from './db/printable-url.ts';
import { SchemaVersionError } from './db/schema-version.ts';
import { describeError } from './describe-error.ts';
import type { SecretSetting } from './secrets/names.ts';

/** The settings a failed start can name. */
export type Setting =
  | 'PORT'
  | 'HOST'
  | 'METRICS_PORT'
  | 'METRICS_HOST'
  | 'DATABASE_URL'
  | 'DATABASE_OWNER_URL'
  | 'DATA_DIR'
  | 'AUDIT_SIGNING_KEY_FILE'
  | SecretSetting;

/**
 * A start that cannot succeed until an operator changes `setting`. Its message is the one line the
 * process prints before exiting 1: it names the setting and never carries a password or a query.
 */
export class StartupError extends Error {
  override readonly name = 'StartupError';
  constructor(
    readonly setting: Setting,
    message: string,
    /** The system or driver code behind it (ECONNREFUSED, 28P01, NOT_MIGRATED…), for log search. */
    readonly code?: string,
  ) {
    super(message);
  }
}

/** Why PostgreSQL refused or could not be reached, by driver / system code. */
const connectionProblems: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  CONNECT_TIMEOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed',
  '28P01': 'password authentication failed',
  '28000': 'this user may not connect',
  '3D000': 'no such database',
  '53300': 'too many connections',
  '57P03': 'the server is starting up or shutting down',
};

/** Why the embedded database's directory could not be used, by system code. */
const dataDirProblems: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  ENOTDIR: 'a path component is not a directory',
  EEXIST: 'a file is in the way',
};

const codeOf = (error: unknown): string | undefined => {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
};

/** Where the database is, without credentials: `host:port/name`. */
type DatabaseSettings = { DATABASE_URL?: string | undefined; DATA_DIR: string };

/**
 * The StartupError a failure at start amounts to — itself, or a database failure (opening, the schema
 * check, migrating) an operator fixes with DATABASE_URL / DATA_DIR — or undefined for anything else.
 */
export function asStartupError(error: unknown, env: DatabaseSettings): StartupError | undefined {
  if (error instanceof StartupError) return error;
  const setting: Setting = env.DATABASE_URL ? 'DATABASE_URL' : 'DATA_DIR';
  if (error instanceof SchemaVersionError) {
    return new StartupError(setting, `${setting}: ${error.message}`, error.code);
  }
  const code = codeOf(error);
  if (!code) return undefined;
  if (env.DATABASE_URL) {
    const problem = connectionProblems[code];
    if (!problem) return undefined;
    return new StartupError(
      'DATABASE_URL',
      `DATABASE_URL: cannot connect to the database at ${printableUrl(env.DATABASE_URL)} (${problem})`,
      code,
    );
  }
  const problem = dataDirProblems[code];
  if (!problem) return undefined;
  return new StartupError(
    'DATA_DIR',
    `DATA_DIR: cannot open the embedded database in ${env.DATA_DIR} (${problem})`,
    code,
  );
}

/**
 * Logs the one line of a failed start: the setting to fix, or — for anything else, a bug — `context`
 * with the failure described (type, code, frames; never its message, which can carry a query's values).
 */
export function logStartupFailure(
  logger: Logger,
  error: unknown,
  env: DatabaseSettings,
  context: string,
): void {
  const known = asStartupError(error, env);
  if (known) {
    logger.fatal({ setting: known.setting, ...(known.code ? { code: known.code } : {}) }, known.message);
  } else {
    logger.fatal({ err: describeError(error) }, context);
  }
}
