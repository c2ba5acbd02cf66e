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
      AUDIT_RETENTION_DAYS: 365,
      AUDIT_CHECKPOINT_EVERY: 1000,
      AUDIT_CHECKPOINT_INTERVAL_SECONDS: 300,
    });
    expect(loadEnv({ PORT: '0' }).PORT).toBe(0);
  });

  it('names every bad variable', () => {
    const bad = () => loadEnv({ PORT: 'eighty', DATABASE_URL: 'http://db', SERVER_SECRET: 'short' });
    expect(bad).toThrow(EnvError);
    expect(bad).toThrow(/PORT: .*DATABASE_URL: .*SERVER_SECRET: must be at least 32 characters/);
  });
});

describe('loadEnv: numbers and the listening address', () => {
  it('takes PORT only as plain decimal digits from 0 to 65535', () => {
    expect(loadEnv({ PORT: '9234' }).PORT).toBe(9234);
    expect(loadEnv({ PORT: '65535' }).PORT).toBe(65535);
    for (const bad of ['0x2410', '9.234e3', '9234.0', ' 9234', '+9234', '-1', '65536', '08787', '1_000']) {
      expect(() => loadEnv({ PORT: bad }), bad).toThrow(/^Invalid environment variable\(s\): PORT: /);
    }
  });

  it('reads the other whole-number settings the same way', () => {
    expect(loadEnv({ ACCESS_TOKEN_TTL_SECONDS: '600' }).ACCESS_TOKEN_TTL_SECONDS).toBe(600);
    expect(() => loadEnv({ ACCESS_TOKEN_TTL_SECONDS: '6e2' })).toThrow(/ACCESS_TOKEN_TTL_SECONDS: /);
    expect(() => loadEnv({ AUTH_RATE_LIMIT_PER_MINUTE: '0x10' })).toThrow(/AUTH_RATE_LIMIT_PER_MINUTE: /);
    expect(() => loadEnv({ ACCESS_TOKEN_TTL_SECONDS: '29' })).toThrow(/ACCESS_TOKEN_TTL_SECONDS: /);
  });

  it('takes HOST as an IP address or a host name, nothing else', () => {
    for (const good of ['127.0.0.1', '0.0.0.0', '::', '::1', 'localhost', 'keyhold.internal']) {
      expect(loadEnv({ HOST: good }).HOST).toBe(good);
    }
    for (const bad of ['not a host!', 'http://localhost', '[::1]', 'host:8787', 'under_score']) {
      expect(() => loadEnv({ HOST: bad }), bad).toThrow(/^Invalid environment variable\(s\): HOST: /);
    }
  });
});
