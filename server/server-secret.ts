import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import type { Database } from './db/client.ts';
import { serverSecrets } from './db/schema.ts';
import { Keyring, TokenHasher } from './secrets/keyring.ts';
import type { SecretName } from './secrets/names.ts';
import { type ConfiguredSecret, readSecret, type SecretVariables } from './secrets/source.ts';
import { StartupError } from './startup-error.ts';

/** Where a secret came from, for the start-up log line (never the value). */
export type SecretSource = 'env' | 'file' | 'stored';

export interface ServerSecrets {
  /**
   * The key of fake pre-login answers (routes/accounts.ts fakeSalt). It never rotates: an unknown
   * email's fake salt must stay what it was, or comparing answers recorded before and after a
   * rotation would tell fake (changed) from real (unchanged). Knowing it reveals only which emails
   * have accounts — what a registration attempt shows, and what the database itself holds.
   */
  preloginSeed: string;
  /** SERVER_SECRET and SERVER_SECRET_PREVIOUS, for MACs the server checks itself. */
  keyring: Keyring;
  /** TOKEN_PEPPER and TOKEN_PEPPER_PREVIOUS: how tokens are stored and looked up. */
  tokenHasher: TokenHasher;
  sources: { serverSecret: SecretSource; tokenPepper: SecretSource; preloginSeed: SecretSource };
}

/**
 * Generated secrets: made by the first start (256 random bits) and kept — PGlite: a file (0600) in
 * DATA_DIR beside the database; PostgreSQL: a row of server_secrets, the same for every process.
 * The pre-login seed keeps the name the single server secret had before rotation existed, so an
 * upgraded server gives unknown emails the answers it gave them before.
 */
const stored = {
  preloginSeed: { row: 'prelogin-hmac', file: 'keyhold-server-secret' },
  serverSecret: { row: 'server-keyring', file: 'keyhold-keyring-secret' },
  tokenPepper: { row: 'token-pepper', file: 'keyhold-token-pepper' },
} as const;

type Place = (typeof stored)[keyof typeof stored];

async function storedSecret(database: Database, dataDir: string, place: Place): Promise<string> {
  const fresh = randomBytes(32).toString('base64url');
  if (database.driver === 'pglite') {
    const file = join(dataDir, place.file);
    try {
      return (await readFile(file, 'utf8')).trim();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await writeFile(file, `${fresh}\n`, { mode: 0o600, flag: 'wx' });
      return fresh;
    }
  }
  // First process to start wins; everyone reads the same row.
  await database.db.insert(serverSecrets).values({ name: place.row, value: fresh }).onConflictDoNothing();
  const [row] = await database.db
    .select({ value: serverSecrets.value })
    .from(serverSecrets)
    .where(eq(serverSecrets.name, place.row));
  if (!row) throw new Error('server secret row missing after insert');
  return row.value;
}

const sourceOf = (secret: ConfiguredSecret): SecretSource =>
  secret.setting.endsWith('_FILE') ? 'file' : 'env';

/**
 * The server's secrets, from the environment (each `NAME` or `NAME_FILE`, checked for strength),
 * else generated once and kept. A previous version without a current one, or one secret's value
 * reused for another, refuses the start (StartupError naming the variables, never a value).
 */
export async function resolveServerSecrets(
  env: SecretVariables & { DATA_DIR: string },
  database: Database,
): Promise<ServerSecrets> {
  const configured = new Map<SecretName, ConfiguredSecret>();
  for (const name of [
    'SERVER_SECRET',
    'SERVER_SECRET_PREVIOUS',
    'TOKEN_PEPPER',
    'TOKEN_PEPPER_PREVIOUS',
    'PRELOGIN_SEED',
  ] as const) {
    const secret = await readSecret(env, name);
    if (secret) configured.set(name, secret);
  }
  for (const [previous, current] of [
    ['SERVER_SECRET_PREVIOUS', 'SERVER_SECRET'],
    ['TOKEN_PEPPER_PREVIOUS', 'TOKEN_PEPPER'],
  ] as const) {
    if (configured.has(previous) && !configured.has(current)) {
      throw new StartupError(
        previous,
        `${previous}: set without ${current} (a rotation needs the new value as ${current})`,
        'NO_CURRENT',
      );
    }
  }
  // One value serving two purposes (or a "rotation" to the same value) is a configuration mistake.
  const seen = new Map<string, ConfiguredSecret>();
  for (const secret of configured.values()) {
    const earlier = seen.get(secret.value);
    if (earlier) {
      throw new StartupError(
        secret.setting,
        `${secret.setting}: the same value as ${earlier.setting}; every secret must be its own random value`,
        'REUSED_SECRET',
      );
    }
    seen.set(secret.value, secret);
  }

  const serverSecret = configured.get('SERVER_SECRET');
  const tokenPepper = configured.get('TOKEN_PEPPER');
  const preloginSeed = configured.get('PRELOGIN_SEED');
  const keep = (place: Place) => storedSecret(database, env.DATA_DIR, place);
  return {
    preloginSeed: preloginSeed?.value ?? (await keep(stored.preloginSeed)),
    keyring: new Keyring(
      serverSecret?.value ?? (await keep(stored.serverSecret)),
      configured.get('SERVER_SECRET_PREVIOUS')?.value,
    ),
    tokenHasher: new TokenHasher(
      tokenPepper?.value ?? (await keep(stored.tokenPepper)),
      configured.get('TOKEN_PEPPER_PREVIOUS')?.value,
    ),
    sources: {
      serverSecret: serverSecret ? sourceOf(serverSecret) : 'stored',
      tokenPepper: tokenPepper ? sourceOf(tokenPepper) : 'stored',
      preloginSeed: preloginSeed ? sourceOf(preloginSeed) : 'stored',
    },
  };
}
