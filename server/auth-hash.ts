import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** scrypt cost for stored auth-key hashes: N=2^15, r=8, p=1 (~32 MiB, tens of ms). */
const PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;

interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

const scryptAsync = (input: Uint8Array, salt: Uint8Array, options: ScryptParams) =>
  new Promise<Buffer>((resolve, reject) => {
    const maxmem = 256 * options.N * options.r + 1024 * 1024;
    scrypt(input, salt, KEY_LENGTH, { ...options, maxmem }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });

/** Hashes the client's auth key as "scrypt$N$r$p$salt$hash" (salt and hash base64url). */
export async function hashAuthKey(authKey: Uint8Array): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(authKey, salt, PARAMS);
  return [
    'scrypt',
    PARAMS.N,
    PARAMS.r,
    PARAMS.p,
    salt.toString('base64url'),
    hash.toString('base64url'),
  ].join('$');
}

/** Constant-time comparison of `authKey` against a stored hash; a malformed stored hash never verifies. */
export async function verifyAuthKey(authKey: Uint8Array, stored: string): Promise<boolean> {
  const [alg, n, r, p, salt, hash] = stored.split('$');
  if (alg !== 'scrypt' || !n || !r || !p || salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scryptAsync(authKey, Buffer.from(salt, 'base64url'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

let dummyHash: Promise<string> | undefined;
/** A real hash of a random key, so an unknown email costs the same scrypt as a wrong password. */
export function dummyAuthHash(): Promise<string> {
  dummyHash ??= hashAuthKey(randomBytes(KEY_LENGTH));
  return dummyHash;
}
