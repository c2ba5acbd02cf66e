import { describe, expect, it } from 'vitest';
import { utf8Encode } from './encoding.ts';
import { CryptoError } from './errors.ts';
import {
  argon2idHash,
  DEFAULT_KDF,
  deriveMasterKey,
  PBKDF2_MIN_ITERATIONS,
  pbkdf2Sha256,
  validateKdfParams,
} from './kdf.ts';
import { ARGON2ID_VECTORS } from './test/argon2id-phc.ts';
import { bytesToHex } from './test/hex.ts';
import { PBKDF2_SHA256_VECTORS } from './test/rfc7914-pbkdf2.ts';

describe('pbkdf2Sha256 (RFC 7914 §11 vectors)', () => {
  it.each(PBKDF2_SHA256_VECTORS)('P=$password S=$salt c=$iterations', async (v) => {
    const dk = await pbkdf2Sha256(utf8Encode(v.password), utf8Encode(v.salt), v.iterations, v.length);
    expect(bytesToHex(dk)).toBe(v.dk);
  });
});

describe('argon2idHash (phc-winner-argon2 reference vectors)', () => {
  it.each(ARGON2ID_VECTORS)('t=$iterations m=$memoryKiB p=$parallelism', async (v) => {
    const out = await argon2idHash(
      utf8Encode(v.password),
      utf8Encode(v.salt),
      v.memoryKiB,
      v.iterations,
      v.parallelism,
      v.length,
    );
    expect(bytesToHex(out)).toBe(v.hash);
  });
});

describe('validateKdfParams', () => {
  it('accepts the default and the PBKDF2 floor, returning only known fields', () => {
    expect(validateKdfParams(DEFAULT_KDF)).toEqual(DEFAULT_KDF);
    expect(validateKdfParams({ alg: 'pbkdf2-sha256', iterations: PBKDF2_MIN_ITERATIONS, extra: 1 })).toEqual({
      alg: 'pbkdf2-sha256',
      iterations: 600_000,
    });
  });

  it.each([
    ['null', null],
    ['a string', 'argon2id'],
    ['an unknown alg', { alg: 'scrypt', iterations: 1 }],
    ['PBKDF2 below 600,000', { alg: 'pbkdf2-sha256', iterations: 599_999 }],
    ['PBKDF2 with a fractional count', { alg: 'pbkdf2-sha256', iterations: 600_000.5 }],
    ['PBKDF2 as a numeric string', { alg: 'pbkdf2-sha256', iterations: '600000' }],
    ['Argon2id below 19 MiB', { ...DEFAULT_KDF, memoryKiB: 19_455 }],
    ['Argon2id above 1 GiB', { ...DEFAULT_KDF, memoryKiB: 1_048_577 }],
    ['Argon2id with t=0', { ...DEFAULT_KDF, iterations: 0 }],
    ['Argon2id with t=11', { ...DEFAULT_KDF, iterations: 11 }],
    ['Argon2id with p=0', { ...DEFAULT_KDF, parallelism: 0 }],
    ['Argon2id with p=17', { ...DEFAULT_KDF, parallelism: 17 }],
    ['Argon2id with a missing field', { alg: 'argon2id', memoryKiB: 65_536, iterations: 3 }],
  ])('rejects %s with BAD_INPUT', (_, params) => {
    try {
      validateKdfParams(params);
      expect.unreachable('validateKdfParams accepted bad params');
    } catch (e) {
      expect(e).toBeInstanceOf(CryptoError);
      expect((e as CryptoError).code).toBe('BAD_INPUT');
    }
  });
});

describe('deriveMasterKey', () => {
  const salt = new Uint8Array(16).fill(9);

  it('refuses weak parameters before doing any work', async () => {
    await expect(
      deriveMasterKey('pw', salt, { alg: 'pbkdf2-sha256', iterations: 1000 }),
    ).rejects.toMatchObject({
      code: 'BAD_INPUT',
    });
  });

  it('refuses salts shorter than 16 bytes and non-string passwords', async () => {
    await expect(deriveMasterKey('pw', new Uint8Array(15), DEFAULT_KDF)).rejects.toThrow(RangeError);
    await expect(deriveMasterKey(1 as unknown as string, salt, DEFAULT_KDF)).rejects.toThrow(TypeError);
  });

  // Slow (PBKDF2 at 600,000 iterations, ~0.4 s).
  it('NFKC-normalises the password, then runs PBKDF2-SHA-256 over its UTF-8 bytes', async () => {
    // U+FB01 LATIN SMALL LIGATURE FI decomposes to "fi" under NFKC (UAX #15).
    const key = await deriveMasterKey('\ufb01le', salt, {
      alg: 'pbkdf2-sha256',
      iterations: PBKDF2_MIN_ITERATIONS,
    });
    expect(key).toHaveLength(32);
    expect(key).toEqual(await pbkdf2Sha256(utf8Encode('file'), salt, PBKDF2_MIN_ITERATIONS, 32));
  });
});
