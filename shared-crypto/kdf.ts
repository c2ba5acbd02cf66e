import { argon2id } from 'hash-wasm';
import { asBufferSource, assertBytes, assertInteger, assertMinBytes, assertString } from './assert.ts';
import { utf8Encode } from './encoding.ts';
import { CryptoError } from './errors.ts';

/** How the master key is stretched from the master password. Stored server-side, returned by pre-login. */
export type KdfParams =
  | { alg: 'argon2id'; memoryKiB: number; iterations: number; parallelism: number }
  | { alg: 'pbkdf2-sha256'; iterations: number };

/** protocol.md default: Argon2id, 64 MiB, t=3, p=4 (exactly RFC 9106 §4's second recommended option). */
export const DEFAULT_KDF: KdfParams = Object.freeze({
  alg: 'argon2id',
  memoryKiB: 65_536,
  iterations: 3,
  parallelism: 4,
});

/** OWASP Password Storage Cheat Sheet (2023) figure for PBKDF2-HMAC-SHA256. */
export const PBKDF2_MIN_ITERATIONS = 600_000;
/** Upper bounds stop a hostile server from handing out parameters that freeze or OOM the worker. */
const PBKDF2_MAX_ITERATIONS = 10_000_000;
/** OWASP minimum for Argon2id is 19 MiB (m=19456, t=2, p=1); below that we refuse to unlock. */
const ARGON2_MIN_MEMORY_KIB = 19_456;
const ARGON2_MAX_MEMORY_KIB = 1_048_576;
const SALT_MIN_BYTES = 16;
const MASTER_KEY_BYTES = 32;

function bad(message: string): never {
  throw new CryptoError('BAD_INPUT', message);
}

function intIn(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) bad(`kdf ${name} must be an integer`);
  if (value < min || value > max) bad(`kdf ${name} must be in [${min}, ${max}]`);
  return value;
}

/**
 * Checks parameters that arrive from the server (pre-login) before they reach the KDF: a curious
 * server must not be able to downgrade the work factor, nor exhaust the device. Returns a fresh
 * object holding only the known fields.
 */
export function validateKdfParams(p: unknown): KdfParams {
  if (typeof p !== 'object' || p === null) bad('kdf params must be an object');
  const o = p as Record<string, unknown>;
  switch (o.alg) {
    case 'argon2id':
      return {
        alg: 'argon2id',
        memoryKiB: intIn(o.memoryKiB, 'memoryKiB', ARGON2_MIN_MEMORY_KIB, ARGON2_MAX_MEMORY_KIB),
        iterations: intIn(o.iterations, 'iterations', 1, 10),
        parallelism: intIn(o.parallelism, 'parallelism', 1, 16),
      };
    case 'pbkdf2-sha256':
      return {
        alg: 'pbkdf2-sha256',
        iterations: intIn(o.iterations, 'iterations', PBKDF2_MIN_ITERATIONS, PBKDF2_MAX_ITERATIONS),
      };
    default:
      bad('kdf alg must be "argon2id" or "pbkdf2-sha256"');
  }
}

/**
 * PBKDF2-HMAC-SHA-256 (RFC 8018 §5.2) through WebCrypto. Internal: exported for the known-answer
 * tests; it enforces no minimum iteration count, deriveMasterKey does.
 */
export async function pbkdf2Sha256(
  password: Uint8Array,
  salt: Uint8Array,
  iterations: number,
  length: number,
): Promise<Uint8Array> {
  assertBytes(password, 'password');
  assertBytes(salt, 'salt');
  assertInteger(iterations, 'iterations', 1, PBKDF2_MAX_ITERATIONS);
  assertInteger(length, 'length', 1, 1024);
  const key = await globalThis.crypto.subtle.importKey('raw', asBufferSource(password), 'PBKDF2', false, [
    'deriveBits',
  ]);
  const bits = await globalThis.crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt: asBufferSource(salt), iterations },
    key,
    length * 8,
  );
  return new Uint8Array(bits);
}

/**
 * Argon2id (RFC 9106 §3.1, version 0x13) through hash-wasm. Internal: exported for the
 * known-answer tests, which pin the mapping of our parameter names onto hash-wasm's.
 */
export async function argon2idHash(
  password: Uint8Array,
  salt: Uint8Array,
  memoryKiB: number,
  iterations: number,
  parallelism: number,
  length: number,
): Promise<Uint8Array> {
  assertBytes(password, 'password');
  assertMinBytes(salt, 'salt', 8); // the reference implementation's ARGON2_MIN_SALT_LENGTH
  assertInteger(parallelism, 'parallelism', 1, 16);
  // RFC 9106 §3.1: m is at least 8*p KiB.
  assertInteger(memoryKiB, 'memoryKiB', 8 * parallelism, ARGON2_MAX_MEMORY_KIB);
  assertInteger(iterations, 'iterations', 1, 10);
  assertInteger(length, 'length', 4, 1024);
  return argon2id({
    password,
    salt,
    memorySize: memoryKiB,
    iterations,
    parallelism,
    hashLength: length,
    outputType: 'binary',
  });
}

/**
 * masterKey = KDF(NFKC(password), salt, params), 32 bytes (protocol.md "Key hierarchy").
 * NFKC so that the same password typed on another keyboard or OS (composed vs decomposed accents,
 * full-width digits) unlocks the same vault.
 */
export async function deriveMasterKey(
  password: string,
  salt: Uint8Array,
  params: KdfParams,
): Promise<Uint8Array> {
  assertString(password, 'password');
  assertMinBytes(salt, 'salt', SALT_MIN_BYTES);
  const p = validateKdfParams(params);
  const pw = utf8Encode(password.normalize('NFKC'));
  try {
    return p.alg === 'argon2id'
      ? await argon2idHash(pw, salt, p.memoryKiB, p.iterations, p.parallelism, MASTER_KEY_BYTES)
      : await pbkdf2Sha256(pw, salt, p.iterations, MASTER_KEY_BYTES);
  } finally {
    pw.fill(0);
  }
}
