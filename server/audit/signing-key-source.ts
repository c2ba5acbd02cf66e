import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StartupError } from '../startup-error.ts';
import { exportSigningKey, generateSigningKey, parseSigningKey, type SigningKey } from './signing.ts';

export type KeySource = 'env' | 'file' | 'data-dir' | 'process';

const NOT_A_KEY = 'not an Ed25519 private key in PKCS#8 PEM (openssl genpkey -algorithm ed25519)';

const DATA_DIR_KEY = 'keyhold-audit-signing-key.pem';

/**
 * The key that signs this process's audit checkpoints (docs/audit.md, "Signing keys"):
 * AUDIT_SIGNING_KEY (the PEM itself) or AUDIT_SIGNING_KEY_FILE when set; else, embedded, a key kept in DATA_DIR beside the database (made
 * on first start, mode 0600); else, on PostgreSQL, a key made for this process's lifetime. Private
 * keys are never written to the database; public keys all are, so old checkpoints keep verifying.
 */
export async function loadSigningKey(env: {
  AUDIT_SIGNING_KEY?: string | undefined;
  AUDIT_SIGNING_KEY_FILE?: string | undefined;
  DATABASE_URL?: string | undefined;
  DATA_DIR: string;
}): Promise<{ key: SigningKey; source: KeySource }> {
  if (env.AUDIT_SIGNING_KEY) {
    try {
      return { key: parseSigningKey(env.AUDIT_SIGNING_KEY), source: 'env' };
    } catch {
      throw new StartupError('AUDIT_SIGNING_KEY', `AUDIT_SIGNING_KEY: ${NOT_A_KEY}`, 'BAD_KEY');
    }
  }
  if (env.AUDIT_SIGNING_KEY_FILE) {
    let pem: string;
    try {
      pem = await readFile(env.AUDIT_SIGNING_KEY_FILE, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
      throw new StartupError(
        'AUDIT_SIGNING_KEY_FILE',
        `AUDIT_SIGNING_KEY_FILE: cannot read the file (${code})`,
        code,
      );
    }
    try {
      return { key: parseSigningKey(pem), source: 'file' };
    } catch {
      throw new StartupError('AUDIT_SIGNING_KEY_FILE', `AUDIT_SIGNING_KEY_FILE: ${NOT_A_KEY}`, 'BAD_KEY');
    }
  }
  if (env.DATABASE_URL) return { key: generateSigningKey(), source: 'process' };
  const file = join(env.DATA_DIR, DATA_DIR_KEY);
  try {
    return { key: parseSigningKey(await readFile(file, 'utf8')), source: 'data-dir' };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new StartupError(
        'DATA_DIR',
        `DATA_DIR: the audit signing key ${file} cannot be read or is not a key`,
        'BAD_KEY',
      );
    }
  }
  const key = generateSigningKey();
  await writeFile(file, exportSigningKey(key), { mode: 0o600, flag: 'wx' });
  return { key, source: 'data-dir' };
}
