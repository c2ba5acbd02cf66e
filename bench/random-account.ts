import { randomUUID } from 'node:crypto';
import { generateKeyBytes, toBase64Url } from '../shared-crypto/index.ts';

/**
 * A registration body whose keys are random bytes: the server cannot tell them from real ones, and
 * a bench pays for no KDF. `prefix` names the email (`bench-…`, `load-…`).
 */
export function randomAccount(prefix: string) {
  const accountId = randomUUID();
  const email = `${prefix}-${accountId}@example.test`;
  const authKey = toBase64Url(generateKeyBytes());
  const body = {
    accountId,
    email,
    kdf: { alg: 'pbkdf2-sha256' as const, iterations: 600_000 },
    salt: toBase64Url(generateKeyBytes()),
    authKey,
    wrappedVaultKey: `k1.${toBase64Url(generateKeyBytes())}${toBase64Url(generateKeyBytes())}`,
  };
  return { body, credentials: { accountId, email, authKey } };
}
