import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { StartupError } from '../startup-error.ts';
import { assertStrongSecret, secretWeakness } from './strength.ts';

describe('secretWeakness', () => {
  it('passes random values of 32 characters and more, as the generators print them', async () => {
    for (let i = 0; i < 2; i++) {
      for (const value of [
        randomBytes(16).toString('hex'), // openssl rand -hex 16: 32 characters, 128 bits
        randomBytes(24).toString('base64'), // openssl rand -base64 24
        randomBytes(32).toString('base64'), // openssl rand -base64 32
        randomBytes(32).toString('base64url'), // what the server generates
        randomBytes(32).toString('hex'),
      ]) {
        expect(await secretWeakness(value), value.length.toString()).toBeNull();
      }
    }
  }, 60_000);

  it('refuses fewer than 32 characters, even random ones', async () => {
    expect(await secretWeakness(randomBytes(15).toString('hex'))).toBe('short');
    expect(await secretWeakness('')).toBe('short');
  });

  it('refuses repeated characters and short repeated patterns', async () => {
    expect(await secretWeakness('a'.repeat(64))).toBe('repetitive');
    expect(await secretWeakness('abc123'.repeat(8))).toBe('repetitive');
    // Enough distinct characters, but one short pattern over and over: zxcvbn's repeat matcher.
    expect(await secretWeakness('0123456789ab'.repeat(4))).toBe('guessable');
  });

  it('refuses dictionary words, names and dates however long', async () => {
    expect(await secretWeakness('passwordpasswordpasswordpassword1')).toBe('repetitive');
    expect(await secretWeakness('Administrator-Password-2024-December!')).toBe('guessable');
    expect(await secretWeakness('mysupersecretserverkeyfor2024production')).toBe('guessable');
    expect(await secretWeakness('keyhold-server-secret-0123456789abcdef')).toBe('guessable');
  });

  it('refuses a low-entropy phrase of common words', async () => {
    expect(await secretWeakness('correct horse battery staple correct horse')).toBe('guessable');
    expect(await secretWeakness('CorrectHorseBatteryStapleIsMySecretKey1')).toBe('guessable');
  });
});

describe('assertStrongSecret', () => {
  it('names the variable and the rule, never the value', async () => {
    const cases = [
      ['SERVER_SECRET', 'short-but-secret', /^SERVER_SECRET: weak secret, shorter than 32 characters; /],
      [
        'TOKEN_PEPPER_FILE',
        'z'.repeat(40),
        /^TOKEN_PEPPER_FILE: weak secret, fewer than 10 distinct characters/,
      ],
      [
        'PRELOGIN_SEED',
        'correct horse battery staple correct horse',
        /^PRELOGIN_SEED: weak secret, too guessable/,
      ],
    ] as const;
    for (const [setting, value, message] of cases) {
      const refusal = await assertStrongSecret(setting, value).then(
        () => null,
        (error: unknown) => error,
      );
      expect(refusal).toBeInstanceOf(StartupError);
      const error = refusal as StartupError;
      expect(error.setting).toBe(setting);
      expect(error.code).toBe('WEAK_SECRET');
      expect(error.message).toMatch(message);
      expect(error.message).not.toContain(value);
      for (const word of value.split(' ')) expect(error.message).not.toContain(word.slice(0, 6));
    }
    await expect(
      assertStrongSecret('SERVER_SECRET', randomBytes(32).toString('base64url')),
    ).resolves.toBeUndefined();
  });
});
