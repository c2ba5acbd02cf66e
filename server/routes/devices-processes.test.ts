import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../e2e/support/server.ts';
import { b64u, envelope } from '../test-support/app.ts';
import { createTestDatabase, type TestDatabase } from '../test-support/db.ts';
import { dpopFetch } from '../test-support/dpop.ts';
import { readEvents } from '../test-support/push.ts';
import { loginResponse } from './sessions-schema.ts';

/**
 * Two real server processes (server/main.ts) on one PostgreSQL database: a sign-in on one reaches the
 * other's streams, and a remote logout through one closes the device's stream on the other. PGlite is
 * embedded in one process, so this runs on PostgreSQL only (server/routes/devices.test.ts covers both).
 */
describe.runIf(Boolean(process.env.DATABASE_URL))('devices across two server processes', () => {
  let testDb: TestDatabase;
  const servers: RunningServer[] = [];
  beforeAll(async () => {
    testDb = await createTestDatabase();
    const app = testDb.urls?.app;
    if (!app) throw new Error('PostgreSQL test database without URLs');
    const env = { DATABASE_URL: app, SERVER_SECRET: randomBytes(32).toString('hex') };
    servers.push(...(await Promise.all([startServer(env), startServer(env)])));
  }, 120_000);
  afterAll(async () => {
    for (const server of servers.splice(0)) await server.stop();
    await testDb?.dispose();
  });

  const signed = dpopFetch();
  const call = (server: RunningServer, method: string, path: string, body?: unknown, token?: string) =>
    signed(`${server.url}${path}`, { method, body, token });

  it('a sign-in on one process reaches a stream on the other; remote logout closes the stream across them', async () => {
    const [one, two] = servers;
    if (!one || !two) throw new Error('two servers expected');
    const account = {
      accountId: randomUUID(),
      email: `user-${randomUUID()}@example.com`,
      kdf: { alg: 'argon2id', memoryKiB: 65_536, iterations: 3, parallelism: 4 },
      salt: b64u(16),
      authKey: b64u(32),
      wrappedVaultKey: envelope(77),
    };
    expect((await call(one, 'POST', '/v1/accounts', account)).status).toBe(201);
    const login = async (server: RunningServer) => {
      const res = await call(server, 'POST', '/v1/sessions', {
        email: account.email,
        authKey: account.authKey,
      });
      expect(res.status).toBe(200);
      return loginResponse.parse(await res.json());
    };
    const connect = async (server: RunningServer, token: string) => {
      const res = await call(server, 'GET', '/v1/sync/events', undefined, token);
      expect(res.status).toBe(200);
      const stream = readEvents(res);
      expect((await stream.next(5_000))?.event).toBe('hello');
      return stream;
    };

    const a = await login(one);
    const aStream = await connect(one, a.accessToken);
    const b = await login(two);
    expect(await aStream.nextEvent(5_000)).toEqual({
      event: 'session',
      data: { sessionId: b.sessionId, kind: 'signed-in' },
    });
    const bStream = await connect(two, b.accessToken);

    const started = Date.now();
    const ended = await call(one, 'DELETE', `/v1/sessions/${b.sessionId}`, undefined, a.accessToken);
    expect(ended.status).toBe(204);
    expect(await bStream.rest(5_000)).toEqual([{ event: 'bye', data: { reason: 'remote-logout' } }]);
    expect(Date.now() - started).toBeLessThan(2_000);
    const next = await call(two, 'GET', '/v1/sync/changes?since=0', undefined, b.accessToken);
    expect(next.status).toBe(401);
    expect(await next.json()).toMatchObject({ error: { code: 'SESSION_ENDED', reason: 'remote-logout' } });
    expect(await aStream.quietFor(200)).toBe(true);
    await aStream.cancel();
  }, 60_000);
});
