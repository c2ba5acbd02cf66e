import { describe, expect, it } from 'vitest';
import { describeKdf, KDF_LEVELS, kdfForLevel, meetsKdfFloor, raiseToFloor } from './kdf-levels.ts';
import { DEFAULT_PASSWORD_POLICY } from './password-policy.ts';

const floor = DEFAULT_PASSWORD_POLICY.kdfFloor;
const pbkdf2 = (iterations: number) => ({ alg: 'pbkdf2-sha256' as const, iterations });
const argon2 = (memoryKiB: number, iterations = 3, parallelism = 4) => ({
  alg: 'argon2id' as const,
  memoryKiB,
  iterations,
  parallelism,
});

describe('KDF levels and the server floor', () => {
  it('meets the floor by memory and passes (Argon2id) or iterations (PBKDF2)', () => {
    expect(meetsKdfFloor(argon2(65_536), floor)).toBe(true);
    expect(meetsKdfFloor(argon2(65_536, 3, 1), floor)).toBe(true);
    expect(meetsKdfFloor(argon2(32_768), floor)).toBe(false);
    expect(meetsKdfFloor(argon2(65_536, 2), floor)).toBe(false);
    expect(meetsKdfFloor(pbkdf2(600_000), floor)).toBe(true);
    expect(meetsKdfFloor(pbkdf2(599_999), floor)).toBe(false);
  });

  it('raises each parameter to the floor and keeps the algorithm', () => {
    expect(raiseToFloor(argon2(32_768, 2, 4), floor)).toEqual(argon2(65_536, 3, 4));
    expect(raiseToFloor(pbkdf2(310_000), floor)).toEqual(pbkdf2(600_000));
    expect(raiseToFloor(argon2(262_144), floor)).toEqual(argon2(262_144));
  });

  it('maps a choice to parameters never below the floor', () => {
    const raised = { ...floor, argon2id: { memoryKiB: 98_304, iterations: 3, parallelism: 1 } };
    expect(kdfForLevel('keep', pbkdf2(600_000), floor)).toEqual(pbkdf2(600_000));
    expect(kdfForLevel('standard', pbkdf2(600_000), raised)).toEqual(argon2(98_304));
    expect(kdfForLevel('stronger', argon2(65_536), floor)).toEqual(KDF_LEVELS.stronger.params);
  });

  it('describes parameters in words', () => {
    expect(describeKdf(argon2(65_536))).toBe('Argon2id, 64 MiB, 3 passes');
    expect(describeKdf(pbkdf2(600_000))).toBe('PBKDF2-SHA-256, 600,000 iterations');
  });
});
