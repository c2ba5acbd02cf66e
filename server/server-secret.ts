import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import type { Database } from './db/client.ts';
import { serverSecrets } from './db/schema.ts';
import type { Env } from './env.ts';

const SECRET_NAME = 'prelogin-hmac';

/**
 * The HMAC key behind fake pre-login salts. It must be stable across restarts (and across processes
 * sharing one PostgreSQL), or an unknown email's fake salt would change and reveal that it is fake.
 */
export async function resolveServerSecret(env: Env, database: Database): Promise<string> {
  if (env.SERVER_SECRET) return env.SERVER_SECRET;
  const fresh = randomBytes(32).toString('base64url');
  if (database.driver === 'pglite') {
    const file = join(env.DATA_DIR, 'keyhold-server-secret');
    try {
      return (await readFile(file, 'utf8')).trim();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await writeFile(file, `${fresh}\n`, { mode: 0o600, flag: 'wx' });
      return fresh;
    }
  }
  // First process to start wins; everyone reads the same row.
  await database.db.insert(serverSecrets).values({ name: SECRET_NAME, value: fresh }).onConflictDoNothing();
  const [row] = await database.db
    .select({ value: serverSecrets.value })
    .from(serverSecrets)
    .where(eq(serverSecrets.name, SECRET_NAME));
  if (!row) throw new Error('server secret row missing after insert');
  return row.value;
}
