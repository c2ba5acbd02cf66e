import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../test-support/app.ts';
import { createTestDatabase, type TestDatabase } from '../test-support/db.ts';
import {
  DEFAULT_POLICY,
  MIN_CLIENT_PROTOCOL_VERSION,
  metaResponse,
  PROTOCOL_VERSION,
  type ServerPolicy,
} from './meta-schema.ts';

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb.dispose());

describe('meta', () => {
  it('GET /v1/meta → 200, says it is Keyhold and which protocol versions it speaks, without a token', async () => {
    const { call } = createTestApp(testDb.database);
    const res = await call('GET', '/v1/meta');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = await res.json();
    expect(body).toEqual({
      service: 'keyhold',
      protocol: { version: PROTOCOL_VERSION, minClientVersion: MIN_CLIENT_PROTOCOL_VERSION },
      policy: {
        passwordMinLength: 12,
        passwordMinStrength: 3,
        kdfFloor: {
          argon2id: { memoryKiB: 65_536, iterations: 3, parallelism: 1 },
          pbkdf2Iterations: 600_000,
        },
        passwordReminderDays: null,
      },
    });
    expect(metaResponse.safeParse(body).success).toBe(true);
  });

  it("publishes the operator's policy as configured", async () => {
    const policy: ServerPolicy = {
      passwordMinLength: 16,
      passwordMinStrength: 4,
      kdfFloor: {
        argon2id: { memoryKiB: 131_072, iterations: 4, parallelism: 2 },
        pbkdf2Iterations: 1_000_000,
      },
      passwordReminderDays: 365,
    };
    const { call } = createTestApp(testDb.database, { policy });
    const body = metaResponse.parse(await (await call('GET', '/v1/meta')).json());
    expect(body.policy).toEqual(policy);
  });

  it('a client reads a server without a policy (older than the key lifecycle) as the default policy', () => {
    const older = { service: 'keyhold', protocol: { version: 1, minClientVersion: 1 } };
    expect(metaResponse.parse(older).policy).toEqual(DEFAULT_POLICY);
  });

  it('a client refuses a policy it could not follow (a KDF floor beyond what it runs)', () => {
    const greedy = {
      service: 'keyhold',
      protocol: { version: 1, minClientVersion: 1 },
      policy: {
        ...DEFAULT_POLICY,
        kdfFloor: {
          ...DEFAULT_POLICY.kdfFloor,
          argon2id: { memoryKiB: 8_388_608, iterations: 3, parallelism: 1 },
        },
      },
    };
    expect(metaResponse.safeParse(greedy).success).toBe(false);
  });
});
