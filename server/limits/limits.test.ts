import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RawQuery } from '../db/client.ts';
import { Keyring } from '../secrets/keyring.ts';
import { b64u, createTestApp, testKeyring } from '../test-support/app.ts';
import { createTestDatabase, type TestDatabase } from '../test-support/db.ts';
import { dpopProof, newDpopKey } from '../test-support/dpop.ts';
import { auditEvents } from '../test-support/key-lifecycle.ts';
import { limitsOn } from '../test-support/limits.ts';
import { AuthLimits, DEFAULT_LIMITS } from './auth-limits.ts';
import { issueDeviceToken, verifyDeviceToken } from './keys.ts';
import { postgresLimitStore, redisLimitStore } from './store.ts';

/**
 * The limits through the app (docs/sessions.md, "Rate limits and lockout"): unknown emails like real
 * ones, device tokens against lockout abuse, fail closed, IPv6 /64 and X-Forwarded-For. The
 * cross-process proofs are in cross-process.test.ts.
 */
let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb.dispose());
beforeEach(() => testDb.truncate());

type TestApp = ReturnType<typeof createTestApp>;

const deviceKey = newDpopKey();

/** A request as if from `ip` (the socket's peer), with optional headers and a DPoP proof, as clients send. */
const from = async (t: TestApp, ip: string, method: string, path: string, body?: unknown, headers = {}) =>
  t.app.request(
    path,
    {
      method,
      headers: {
        'content-type': 'application/json',
        dpop: await dpopProof(await deviceKey, { method, url: `http://localhost${path}`, at: t.clock.now }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    },
    { incoming: { socket: { remoteAddress: ip } } },
  );

const login = (t: TestApp, email: string, authKey: string, ip = '203.0.113.1', deviceToken?: string) =>
  from(t, ip, 'POST', '/v1/sessions', {
    email,
    authKey,
    deviceName: 'd',
    ...(deviceToken && { deviceToken }),
  });

const codeOf = async (res: Response) =>
  `${res.status} ${((await res.json()) as { error?: { code: string } }).error?.code ?? 'ok'}`;

describe(`unknown emails behave like real ones (${process.env.DATABASE_URL ? 'postgres' : 'pglite'})`, () => {
  it('answers 7 failed logins with the same codes, Retry-After and roughly the same time', async () => {
    const t = createTestApp(testDb.database);
    const real = await t.signUp();
    const unknown = `nobody-${randomUUID()}@example.com`;
    const run = async (email: string) => {
      const answers: { code: string; retryAfter: string | null; ms: number }[] = [];
      for (let i = 0; i < 7; i++) {
        const started = performance.now();
        const res = await login(t, email, b64u(32));
        const ms = performance.now() - started;
        answers.push({ code: await codeOf(res), retryAfter: res.headers.get('retry-after'), ms });
      }
      return answers;
    };
    const [a, b] = [await run(real.email), await run(unknown)];
    const expected = [...Array(5).fill('401 INVALID_CREDENTIALS'), '429 RATE_LIMITED', '429 RATE_LIMITED'];
    expect(a.map((x) => x.code)).toEqual(expected);
    expect(b.map((x) => x.code)).toEqual(expected);
    expect(a.map((x) => x.retryAfter)).toEqual(b.map((x) => x.retryAfter));
    // The 4th and 5th guesses wait 1 s and 2 s before they are checked, whoever owns the email.
    for (const run of [a, b]) {
      expect(run[3]?.ms).toBeGreaterThanOrEqual(950);
      expect(run[4]?.ms).toBeGreaterThanOrEqual(1950);
    }
    // Roughly the same time in total (scrypt and the delays dominate); not a tight bound.
    const total = (xs: typeof a) => xs.reduce((sum, x) => sum + x.ms, 0);
    expect(Math.abs(total(a) - total(b))).toBeLessThan(0.25 * total(a));
    // Both locks are recorded alike (the unknown one on no account).
    const events = await auditEvents(testDb);
    const locked = events.filter((e) => e.type === 'account.locked');
    expect(locked.map((e) => e.accountId)).toEqual([real.accountId, null]);
    expect(locked.map((e) => e.payload.failedAttempts)).toEqual([5, 5]);
  });

  it('answers prelogin for an unknown email with plausible, stable KDF parameters', async () => {
    const t = createTestApp(testDb.database);
    const real = await t.signUp();
    const ask = async (email: string) =>
      (await (await from(t, '203.0.113.1', 'POST', '/v1/accounts/prelogin', { email })).json()) as {
        kdf: Record<string, unknown>;
        salt: string;
      };
    const known = await ask(real.email);
    const unknown = await ask('nobody@example.com');
    expect(Object.keys(unknown.kdf).sort()).toEqual(Object.keys(known.kdf).sort());
    expect(unknown.kdf).toEqual(known.kdf); // the extension's default parameters, as registered here
    expect(Buffer.from(unknown.salt, 'base64url')).toHaveLength(Buffer.from(known.salt, 'base64url').length);
    expect(await ask('NOBODY@example.com ')).toEqual(unknown);
  });
});

describe('device tokens: a lock triggered elsewhere does not keep the owner out', () => {
  it('logs in with a valid device token while the email is locked; wrong keys with it are limited', async () => {
    const t = createTestApp(testDb.database, { limits: limitsOn(testDb.database, { delayBaseMs: 0 }) });
    const user = await t.signUp();
    const first = await login(t, user.email, user.authKey);
    const { deviceToken } = (await first.json()) as { deviceToken: string };
    expect(verifyDeviceToken(testKeyring, user.email, deviceToken)).not.toBeNull();
    // An attacker from many addresses locks the email.
    for (let i = 0; i < 6; i++) await login(t, user.email, b64u(32), `198.51.100.${i + 1}`);
    expect(await codeOf(await login(t, user.email, user.authKey))).toBe('429 RATE_LIMITED');
    // The owner's device gets in with its token.
    expect(await codeOf(await login(t, user.email, user.authKey, '203.0.113.9', deviceToken))).toBe('200 ok');
    // A forged token, or a token for another email, is ignored: the email's lock applies.
    const forged = `${deviceToken.slice(0, 23)}${b64u(32).slice(0, 43)}`;
    const otherEmail = issueDeviceToken(testKeyring, 'someone-else@example.com');
    for (const token of [forged, otherEmail, 'not a token']) {
      expect(await codeOf(await login(t, user.email, user.authKey, '203.0.113.9', token))).toBe(
        '429 RATE_LIMITED',
      );
    }
    // Wrong keys with the token are refused and counted on the token: after 5 it is distrusted.
    for (let i = 0; i < 5; i++) {
      expect(await codeOf(await login(t, user.email, b64u(32), '203.0.113.9', deviceToken))).toBe(
        '401 INVALID_CREDENTIALS',
      );
    }
    expect(await codeOf(await login(t, user.email, user.authKey, '203.0.113.9', deviceToken))).toBe(
      '429 RATE_LIMITED',
    );
    const locks = (await auditEvents(testDb, user.accountId)).filter((e) => e.type === 'account.locked');
    expect(locks.map((e) => e.payload.key ?? 'email')).toEqual(['email', 'device-token']);
  });

  it('accepts only tokens issued for that email by this server', () => {
    const token = issueDeviceToken(testKeyring, 'a@example.com');
    expect(verifyDeviceToken(testKeyring, 'a@example.com', token)).toBe(token.split('.')[0]);
    expect(verifyDeviceToken(testKeyring, 'b@example.com', token)).toBeNull();
    const other = new Keyring('another-secret-0123456789abcdef0123456789');
    expect(verifyDeviceToken(other, 'a@example.com', token)).toBeNull();
    // After a rotation (the old secret is the previous one) it still verifies.
    const rotated = new Keyring(
      'another-secret-0123456789abcdef0123456789',
      'test-server-secret-0123456789abcdef0123456789',
    );
    expect(verifyDeviceToken(rotated, 'a@example.com', token)).not.toBeNull();
    expect(verifyDeviceToken(testKeyring, 'a@example.com', `${token}x`)).toBeNull();
    expect(verifyDeviceToken(testKeyring, 'a@example.com', '')).toBeNull();
  });

  it('refuses a malformed device token field with 400 VALIDATION', async () => {
    const t = createTestApp(testDb.database);
    const res = await from(t, '203.0.113.1', 'POST', '/v1/sessions', {
      email: 'a@example.com',
      authKey: b64u(32),
      deviceName: 'd',
      deviceToken: 'x'.repeat(201),
    });
    expect(await res.json()).toMatchObject({ error: { code: 'VALIDATION', field: 'deviceToken' } });
  });
});

describe('fail closed: without its limit store, sign-in pauses and the vault keeps working', () => {
  const broken: RawQuery = () => Promise.reject(new Error('connection refused'));
  const hanging: RawQuery = () => new Promise(() => {});

  const expectPaused = async (t: TestApp, token: string) => {
    const paths: [string, unknown][] = [
      ['/v1/accounts', t.registration()],
      ['/v1/accounts/prelogin', { email: 'a@example.com' }],
      ['/v1/sessions', { email: 'a@example.com', authKey: b64u(32), deviceName: 'd' }],
      ['/v1/sessions/refresh', { refreshToken: 'x' }],
      ['/v1/accounts/recovery', { email: 'a@example.com', recoveryAuthKey: b64u(32) }],
    ];
    for (const [path, body] of paths) {
      const res = await from(t, '203.0.113.1', 'POST', path, body);
      expect(res.status, path).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(await res.json()).toMatchObject({
        error: { code: 'LIMITS_UNAVAILABLE', message: expect.stringMatching(/^Sign-in is paused/) },
      });
    }
    // Signed-in devices read and sync as before.
    const pull = await t.call('GET', '/v1/sync/changes?since=0', { token });
    expect(pull.status).toBe(200);
  };

  it('answers 503 LIMITS_UNAVAILABLE when the database store fails or does not answer', async () => {
    const good = createTestApp(testDb.database);
    const user = await good.signUp();
    for (const query of [broken, hanging]) {
      const limits = new AuthLimits(postgresLimitStore(query), { ...DEFAULT_LIMITS, storeTimeoutMs: 200 });
      await expectPaused(createTestApp(testDb.database, { limits }), user.accessToken);
    }
  });

  it('answers 503 LIMITS_UNAVAILABLE when Redis is down, and never checks a guess', async () => {
    const good = createTestApp(testDb.database);
    const user = await good.signUp();
    const limits = new AuthLimits(redisLimitStore('redis://127.0.0.1:1', pino({ level: 'silent' })), {
      ...DEFAULT_LIMITS,
      storeTimeoutMs: 500,
    });
    const t = createTestApp(testDb.database, { limits });
    try {
      await expectPaused(t, user.accessToken);
      // A signed-in re-auth needs the limits too: refused before the password is looked at.
      const res = await t.call('DELETE', '/v1/accounts/current', {
        token: user.accessToken,
        body: { authKey: user.authKey },
      });
      expect(res.status).toBe(503);
      expect((await auditEvents(testDb, user.accountId)).map((e) => e.type)).not.toContain('account.deleted');
    } finally {
      await limits.close();
    }
  });
});

describe('per-client budgets: IPv6 /64 and X-Forwarded-For', () => {
  const prelogin = async (t: TestApp, ip: string, headers: Record<string, string> = {}) =>
    (await from(t, ip, 'POST', '/v1/accounts/prelogin', { email: 'a@example.com' }, headers)).status;

  it('counts a whole IPv6 /64 as one client', async () => {
    const t = createTestApp(testDb.database, { authRateLimit: { limit: 2, windowMs: 60_000 } });
    expect(await prelogin(t, '2001:db8:1:2::1')).toBe(200);
    expect(await prelogin(t, '2001:db8:1:2:ffff:eeee:dddd:2')).toBe(200);
    expect(await prelogin(t, '2001:db8:1:2::3')).toBe(429);
    expect(await prelogin(t, '2001:db8:1:3::1')).toBe(200);
    expect(await prelogin(t, '203.0.113.1')).toBe(200);
  });

  it('ignores a spoofed X-Forwarded-For without TRUST_PROXY: the socket peer is counted and recorded', async () => {
    const t = createTestApp(testDb.database, { authRateLimit: { limit: 2, windowMs: 60_000 } });
    for (const spoof of ['198.51.100.1', '198.51.100.2']) {
      expect(await prelogin(t, '203.0.113.5', { 'x-forwarded-for': spoof })).toBe(200);
    }
    const limited = await from(
      t,
      '203.0.113.5',
      'POST',
      '/v1/accounts/prelogin',
      { email: 'a@example.com' },
      {
        'x-forwarded-for': '198.51.100.3',
      },
    );
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^([1-5]?[0-9]|60)$/);
    const [event] = (await auditEvents(testDb)).filter((e) => e.type === 'rate.limited');
    expect(event).toMatchObject({
      ip: '203.0.113.5',
      payload: { reason: 'ip', route: '/v1/accounts/prelogin' },
    });
  });

  it('with TRUST_PROXY, counts and records the forwarded client, right-most untrusted hop', async () => {
    const t = createTestApp(testDb.database, {
      authRateLimit: { limit: 2, windowMs: 60_000 },
      trustProxy: ['10.0.0.0/8'],
    });
    const via = (xff: string) => prelogin(t, '10.0.0.1', { 'x-forwarded-for': xff });
    expect(await via('192.0.2.7')).toBe(200);
    // The client's own left part changes nothing: still 192.0.2.7, through a second proxy.
    expect(await via('6.6.6.6, 192.0.2.7, 10.0.0.2')).toBe(200);
    expect(await via('7.7.7.7, 192.0.2.7')).toBe(429);
    // Another client behind the same proxy has its own budget.
    expect(await via('192.0.2.8')).toBe(200);
    // A peer that is not a trusted proxy is counted itself.
    expect(await prelogin(t, '203.0.113.5', { 'x-forwarded-for': '192.0.2.99' })).toBe(200);
    const events = (await auditEvents(testDb)).filter((e) => e.type === 'rate.limited');
    expect(events.map((e) => e.ip)).toEqual(['192.0.2.7']);
  });
});
