import { randomBytes } from 'node:crypto';
import { getPriority } from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  HASHING_NICENESS,
  hashAuthKey,
  hashingNiceness,
  SCRYPT_CONCURRENCY,
  scryptsRunning,
  verifyAuthKey,
} from './auth-hash.ts';

describe('auth key hashes', () => {
  it('verify the key they were made from and no other', async () => {
    const key = randomBytes(32);
    const stored = await hashAuthKey(key);
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifyAuthKey(key, stored)).toBe(true);
    expect(await verifyAuthKey(randomBytes(32), stored)).toBe(false);
    expect(await verifyAuthKey(key, 'bcrypt$whatever')).toBe(false);
  });

  it('run at most SCRYPT_CONCURRENCY at once, however many sign-ins arrive', async () => {
    const keys = Array.from({ length: 6 }, () => randomBytes(32));
    let most = 0;
    const watch = setInterval(() => {
      most = Math.max(most, scryptsRunning());
    }, 1);
    try {
      const hashes = await Promise.all(keys.map((key) => hashAuthKey(key)));
      const checks = await Promise.all(keys.map((key, i) => verifyAuthKey(key, hashes[i] ?? '')));
      expect(checks).toEqual(keys.map(() => true));
    } finally {
      clearInterval(watch);
    }
    expect(most).toBe(SCRYPT_CONCURRENCY);
    expect(scryptsRunning()).toBe(0);
  });

  it('run on threads of lower priority than the requests, leaving the process at its own', async () => {
    const before = getPriority();
    await hashAuthKey(randomBytes(32));
    const threads = await hashingNiceness();
    expect(threads.length).toBeGreaterThan(0);
    // Linux keeps a niceness per thread: the hashing threads lowered theirs, nobody else's.
    for (const niceness of threads) expect(niceness).toBe(HASHING_NICENESS);
    expect(getPriority()).toBe(before);
  });

  it('answer a hash that cannot be computed with an error, and keep hashing', async () => {
    const key = randomBytes(32);
    // N must be a power of two: scrypt refuses, the thread answers with the error and stays.
    await expect(verifyAuthKey(key, 'scrypt$3$8$1$c2FsdA$aGFzaA')).rejects.toThrow(/^scrypt failed: /);
    const stored = await hashAuthKey(key);
    expect(await verifyAuthKey(key, stored)).toBe(true);
  });
});
