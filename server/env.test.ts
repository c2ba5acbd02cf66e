import { describe, expect, it } from 'vitest';
import { EnvError, loadEnv } from './env.ts';

describe('loadEnv', () => {
  it('applies defaults, treating empty strings as unset', () => {
    expect(loadEnv({ DATABASE_URL: '', PORT: '' })).toEqual({
      PORT: 8787,
      HOST: '127.0.0.1',
      DATA_DIR: '.data/pglite',
      LOG_LEVEL: 'info',
      ACCESS_TOKEN_TTL_SECONDS: 900,
      AUTH_RATE_LIMIT_PER_MINUTE: 30,
    });
    expect(loadEnv({ PORT: '0' }).PORT).toBe(0);
  });

  it('names every bad variable', () => {
    const bad = () => loadEnv({ PORT: 'eighty', DATABASE_URL: 'http://db', SERVER_SECRET: 'short' });
    expect(bad).toThrow(EnvError);
    expect(bad).toThrow(/PORT: .*DATABASE_URL: .*SERVER_SECRET: must be at least 32 characters/);
  });
});
