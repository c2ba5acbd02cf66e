import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashAuthKey, SCRYPT_CONCURRENCY, scryptsRunning, verifyAuthKey } from './auth-hash.ts';

describe('auth key hashes', () => {
  it('verify the key they were made from and no other', async () => {
    const key = randomBytes(32);
    const stored = await hashAuthKey(key);
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifyAuthKey(key, stored)).toBe(true);
    expect(await verifyAuthKey(randomBytes(32), stored)).toBe(false);
    expect(await verifyAuthKey(key, 'bcrypt$whatever')).toBe(false);
  });

  it('never take more than part of the thread pool, however many sign-ins arrive at once', async () => {
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
});
