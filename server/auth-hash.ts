import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** scrypt cost for stored auth-key hashes: N=2^15, r=8, p=1 (~32 MiB, tens of ms). */
const PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;

interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/**
 * scrypt runs on libuv's thread pool (4 threads unless UV_THREADPOOL_SIZE says otherwise), where
 * every request's DPoP signature check (WebCrypto) and file write run too: four sign-ins at once
 * held every thread for a scrypt each, and every other request waited half a second for its
 * signature check. At most this many run at once; more sign-ins wait for one another, never
 * the other requests.
 */
export const SCRYPT_CONCURRENCY = 2;
let running = 0;
const waiting: Array<() => void> = [];

/** scrypt computations running now in this process (at most SCRYPT_CONCURRENCY). */
export const scryptsRunning = () => running;

async function scryptAsync(input: Uint8Array, salt: Uint8Array, options: ScryptParams): Promise<Buffer> {
  if (running >= SCRYPT_CONCURRENCY) await new Promise<void>((resolve) => waiting.push(resolve));
  else running += 1;
  try {
    return await new Promise<Buffer>((resolve, reject) => {
      const maxmem = 256 * options.N * options.r + 1024 * 1024;
      scrypt(input, salt, KEY_LENGTH, { ...options, maxmem }, (error, key) =>
        error ? reject(error) : resolve(key),
      );
    });
  } finally {
    // The slot passes straight to the next waiter, if any; otherwise it is freed.
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  }
}

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
