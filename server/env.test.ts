import { describe, expect, it } from 'vitest';
import { EnvError, loadEnv } from './env.ts';
import { DEFAULT_POLICY, policyFromEnv } from './policy.ts';

describe('loadEnv', () => {
  it('applies defaults, treating empty strings as unset', () => {
    expect(loadEnv({ DATABASE_URL: '', PORT: '' })).toEqual({
      PORT: 8787,
      HOST: '127.0.0.1',
      DATA_DIR: '.data/pglite',
      DB_POOL_MAX: 10,
      DB_CONNECT_TIMEOUT_SECONDS: 10,
      DB_IDLE_TIMEOUT_SECONDS: 300,
      DB_MAX_LIFETIME_SECONDS: 1800,
      DB_STATEMENT_TIMEOUT_MS: 30_000,
      DB_LOCK_TIMEOUT_MS: 2000,
      LOG_LEVEL: 'info',
      ACCESS_TOKEN_TTL_SECONDS: 900,
      SESSION_IDLE_DAYS: 14,
      SESSION_ABSOLUTE_DAYS: 30,
      SESSION_MAX_PER_ACCOUNT: 5,
      AUTH_RATE_LIMIT_PER_MINUTE: 30,
      AUDIT_RETENTION_DAYS: 365,
      AUDIT_CHECKPOINT_EVERY: 1000,
      AUDIT_CHECKPOINT_INTERVAL_SECONDS: 300,
      HOUSEKEEPING_INTERVAL_SECONDS: 600,
      PASSWORD_MIN_LENGTH: 12,
      PASSWORD_MIN_STRENGTH: 3,
      KDF_MIN_ARGON2_MEMORY_KIB: 65_536,
      KDF_MIN_ARGON2_ITERATIONS: 3,
      KDF_MIN_ARGON2_PARALLELISM: 1,
      KDF_MIN_PBKDF2_ITERATIONS: 600_000,
      DPOP_REQUIRE_NONCE: false,
      TRUST_PROXY: [],
      METRICS_HOST: '127.0.0.1',
    });
    expect(loadEnv({ PORT: '0' }).PORT).toBe(0);
  });

  it('reads TRUST_PROXY as addresses and CIDR ranges, and REDIS_URL as a redis URL', () => {
    expect(loadEnv({ TRUST_PROXY: '10.0.0.0/8, ::1,192.0.2.7' }).TRUST_PROXY).toEqual([
      '10.0.0.0/8',
      '::1',
      '192.0.2.7',
    ]);
    expect(() => loadEnv({ TRUST_PROXY: '10.0.0.0/8,proxy.local' })).toThrow(
      /TRUST_PROXY: must be comma-separated IP addresses or CIDR ranges/,
    );
    expect(() => loadEnv({ TRUST_PROXY: '10.0.0.0/40' })).toThrow(/TRUST_PROXY/);
    expect(loadEnv({ REDIS_URL: 'redis://127.0.0.1:6379' }).REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(() => loadEnv({ REDIS_URL: 'http://127.0.0.1:6379' })).toThrow(/REDIS_URL/);
  });

  it('names every bad variable', () => {
    const bad = () => loadEnv({ PORT: 'eighty', DATABASE_URL: 'http://db', SERVER_SECRET: 'short' });
    expect(bad).toThrow(EnvError);
    expect(bad).toThrow(/PORT: .*DATABASE_URL: .*SERVER_SECRET: must be at least 32 characters/);
  });
});

describe('loadEnv: the metrics listener', () => {
  it('is off unless METRICS_PORT is set (empty is unset); METRICS_HOST defaults to loopback', () => {
    expect(loadEnv({}).METRICS_PORT).toBeUndefined();
    expect(loadEnv({ METRICS_PORT: '' }).METRICS_PORT).toBeUndefined();
    expect(loadEnv({ METRICS_PORT: '9464' })).toMatchObject({
      METRICS_PORT: 9464,
      METRICS_HOST: '127.0.0.1',
    });
    expect(loadEnv({ METRICS_PORT: '1', METRICS_HOST: '10.0.0.5' })).toMatchObject({
      METRICS_PORT: 1,
      METRICS_HOST: '10.0.0.5',
    });
    expect(loadEnv({ METRICS_PORT: '65535', METRICS_HOST: '' }).METRICS_HOST).toBe('127.0.0.1');
  });

  it('takes METRICS_PORT only as decimal digits from 1 to 65535', () => {
    for (const bad of ['0', '65536', '0x2410', '9.4e3', ' 9464', '-1', 'metrics']) {
      expect(() => loadEnv({ METRICS_PORT: bad }), bad).toThrow(
        /^Invalid environment variable\(s\): METRICS_PORT: /,
      );
    }
  });

  it('refuses a METRICS_PORT equal to PORT, naming both', () => {
    expect(() => loadEnv({ PORT: '9464', METRICS_PORT: '9464' })).toThrow(
      /^Invalid environment variable\(s\): METRICS_PORT: must differ from PORT \(9464\)/,
    );
    expect(() => loadEnv({ METRICS_PORT: '8787' })).toThrow(/METRICS_PORT: must differ from PORT \(8787\)/);
    expect(loadEnv({ PORT: '0', METRICS_PORT: '9464' }).METRICS_PORT).toBe(9464);
  });

  it('refuses a METRICS_HOST that is no address or host name', () => {
    for (const bad of ['http://127.0.0.1', '127.0.0.1:9464', '[::1]']) {
      expect(() => loadEnv({ METRICS_PORT: '9464', METRICS_HOST: bad }), bad).toThrow(
        /METRICS_HOST: must be an IP address/,
      );
    }
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

  it('reads HOUSEKEEPING_INTERVAL_SECONDS as a whole number of seconds from 10 to 86400', () => {
    expect(loadEnv({ HOUSEKEEPING_INTERVAL_SECONDS: '10' }).HOUSEKEEPING_INTERVAL_SECONDS).toBe(10);
    expect(loadEnv({ HOUSEKEEPING_INTERVAL_SECONDS: '86400' }).HOUSEKEEPING_INTERVAL_SECONDS).toBe(86_400);
    for (const bad of ['9', '86401', '6e2', '600.0', '-600']) {
      expect(() => loadEnv({ HOUSEKEEPING_INTERVAL_SECONDS: bad }), bad).toThrow(
        /^Invalid environment variable\(s\): HOUSEKEEPING_INTERVAL_SECONDS: /,
      );
    }
  });

  it('reads the database pool settings as whole numbers in range, 0 only where it means "none"', () => {
    const env = loadEnv({
      DB_POOL_MAX: '40',
      DB_CONNECT_TIMEOUT_SECONDS: '5',
      DB_IDLE_TIMEOUT_SECONDS: '0',
      DB_MAX_LIFETIME_SECONDS: '600',
      DB_STATEMENT_TIMEOUT_MS: '0',
      DB_LOCK_TIMEOUT_MS: '500',
    });
    expect(env).toMatchObject({
      DB_POOL_MAX: 40,
      DB_CONNECT_TIMEOUT_SECONDS: 5,
      DB_IDLE_TIMEOUT_SECONDS: 0,
      DB_MAX_LIFETIME_SECONDS: 600,
      DB_STATEMENT_TIMEOUT_MS: 0,
      DB_LOCK_TIMEOUT_MS: 500,
    });
    const bad: Record<string, string> = {
      DB_POOL_MAX: '0',
      DB_CONNECT_TIMEOUT_SECONDS: '0',
      DB_IDLE_TIMEOUT_SECONDS: '-1',
      DB_MAX_LIFETIME_SECONDS: '59',
      DB_STATEMENT_TIMEOUT_MS: '1e4',
      // 0 would be PostgreSQL's "wait forever": the one thing this setting exists to prevent.
      DB_LOCK_TIMEOUT_MS: '0',
    };
    for (const [name, value] of Object.entries(bad)) {
      expect(() => loadEnv({ [name]: value }), name).toThrow(
        new RegExp(`^Invalid environment variable\\(s\\): ${name}: `),
      );
    }
    expect(() => loadEnv({ DB_POOL_MAX: '1001' })).toThrow(/DB_POOL_MAX: must be at most 1000/);
  });

  it('reads the session limits as whole days and a whole count', () => {
    expect(
      loadEnv({ SESSION_IDLE_DAYS: '7', SESSION_ABSOLUTE_DAYS: '90', SESSION_MAX_PER_ACCOUNT: '1' }),
    ).toMatchObject({ SESSION_IDLE_DAYS: 7, SESSION_ABSOLUTE_DAYS: 90, SESSION_MAX_PER_ACCOUNT: 1 });
    for (const [name, bad] of [
      ['SESSION_IDLE_DAYS', '0'],
      ['SESSION_IDLE_DAYS', '1.5'],
      ['SESSION_ABSOLUTE_DAYS', '3651'],
      ['SESSION_ABSOLUTE_DAYS', 'thirty'],
      ['SESSION_MAX_PER_ACCOUNT', '0'],
      ['SESSION_MAX_PER_ACCOUNT', '1001'],
    ] as const) {
      expect(() => loadEnv({ [name]: bad }), `${name}=${bad}`).toThrow(new RegExp(`${name}: `));
    }
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

describe('loadEnv: the password policy', () => {
  it('defaults to the policy the extension assumes of a server without one', () => {
    expect(policyFromEnv(loadEnv({}))).toEqual(DEFAULT_POLICY);
  });

  it('reads every setting as a decimal whole number within what the extension can follow', () => {
    const env = loadEnv({
      PASSWORD_MIN_LENGTH: '16',
      PASSWORD_MIN_STRENGTH: '4',
      KDF_MIN_ARGON2_MEMORY_KIB: '131072',
      KDF_MIN_ARGON2_ITERATIONS: '4',
      KDF_MIN_ARGON2_PARALLELISM: '2',
      KDF_MIN_PBKDF2_ITERATIONS: '1000000',
      PASSWORD_REMINDER_DAYS: '365',
    });
    expect(policyFromEnv(env)).toEqual({
      passwordMinLength: 16,
      passwordMinStrength: 4,
      kdfFloor: {
        argon2id: { memoryKiB: 131_072, iterations: 4, parallelism: 2 },
        pbkdf2Iterations: 1_000_000,
      },
      passwordReminderDays: 365,
    });
  });

  it('leaves the reminder off when PASSWORD_REMINDER_DAYS is unset or empty', () => {
    expect(policyFromEnv(loadEnv({ PASSWORD_REMINDER_DAYS: '' })).passwordReminderDays).toBeNull();
  });

  it('names a setting out of range or not in decimal digits', () => {
    const bad: Record<string, string[]> = {
      PASSWORD_MIN_LENGTH: ['7', '129', '1e2', '0x10'],
      PASSWORD_MIN_STRENGTH: ['5', '-1', '3.0'],
      KDF_MIN_ARGON2_MEMORY_KIB: ['19455', '1048577', '64k'],
      KDF_MIN_ARGON2_ITERATIONS: ['0', '11'],
      KDF_MIN_ARGON2_PARALLELISM: ['0', '17'],
      KDF_MIN_PBKDF2_ITERATIONS: ['599999', '10000001', '6e5'],
      PASSWORD_REMINDER_DAYS: ['0', '3651', 'never'],
    };
    for (const [name, values] of Object.entries(bad)) {
      for (const value of values) {
        expect(() => loadEnv({ [name]: value }), `${name}=${value}`).toThrow(
          new RegExp(`^Invalid environment variable\\(s\\): ${name}: `),
        );
      }
    }
  });
});
