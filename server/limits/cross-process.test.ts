import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { b64u, createTestApp } from '../test-support/app.ts';
import { createTestDatabase, type TestDatabase } from '../test-support/db.ts';
import { dpopProof, newDpopKey } from '../test-support/dpop.ts';
import { type ServerProcess, startServerProcess } from '../test-support/run-process.ts';

/**
 * A brute force spread over two server processes is limited as one: the counters live in the shared
 * store (PostgreSQL, or Redis with REDIS_URL), not in a process. PGlite is embedded — one process
 * owns it — so on that driver the database case runs two apps on the one database, and the Redis
 * case runs two real processes, each with its own embedded database, sharing only Redis.
 */
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECRET = `cross-process-${randomBytes(16).toString('hex')}`;

let testDb: TestDatabase;
const servers: ServerProcess[] = [];
const dirs: string[] = [];
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  await testDb.dispose();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

type Send = (path: string, body: unknown, headers?: Record<string, string>) => Promise<Response>;

/** Every sign-in carries a DPoP proof (docs/sessions.md): without one it is refused before it counts. */
const proofFor = async (url: string, at?: Date) => ({
  dpop: await dpopProof(await deviceKey, { method: 'POST', url, ...(at && { at }) }),
});
const deviceKey = newDpopKey();

const overHttp =
  (url: string): Send =>
  async (route, body, headers = {}) =>
    fetch(`${url}${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await proofFor(`${url}${route}`)), ...headers },
      body: JSON.stringify(body),
    });

/** Two servers on the one store: real processes, or (PGlite without Redis) two apps in this one. */
async function twoServers(env: Record<string, string>): Promise<[Send, Send]> {
  if (!env.REDIS_URL && testDb.driver === 'pglite') {
    const apps = [0, 1].map(() =>
      createTestApp(testDb.database, {
        authRateLimit: { limit: 4, windowMs: 60_000 },
        trustProxy: ['127.0.0.1'],
      }),
    );
    return apps.map(
      (t): Send =>
        async (route, body, headers = {}) =>
          Promise.resolve(
            t.app.request(
              route,
              {
                method: 'POST',
                headers: {
                  'content-type': 'application/json',
                  ...(await proofFor(`http://localhost${route}`, t.clock.now)),
                  ...headers,
                },
                body: JSON.stringify(body),
              },
              { incoming: { socket: { remoteAddress: '127.0.0.1' } } },
            ),
          ),
    ) as [Send, Send];
  }
  const started: ServerProcess[] = [];
  for (let i = 0; i < 2; i++) {
    let database: Record<string, string>;
    if (testDb.urls) database = { DATABASE_URL: testDb.urls.app };
    else {
      const dir = await mkdtemp(path.join(tmpdir(), 'keyhold-limits-'));
      dirs.push(dir);
      database = { DATA_DIR: dir };
    }
    // One after the other: the first stores the server secret the second then reads.
    const server = await startServerProcess({ ...database, SERVER_SECRET: SECRET, ...env });
    servers.push(server);
    started.push(server);
  }
  return started.map((server) => overHttp(server.url)) as [Send, Send];
}

/** Sent at once, so the processes race on the shared counter: sorted statuses. */
const statusesOf = async (responses: Promise<Response>[]) =>
  (await Promise.all(responses)).map((res) => res.status).sort();

/** 7 wrong logins alternating between the servers, one at a time: the 6th and 7th are refused. */
async function bruteForce([a, b]: [Send, Send], email: string, headers: Record<string, string> = {}) {
  const statuses: number[] = [];
  for (let i = 0; i < 7; i++) {
    const send = i % 2 === 0 ? a : b;
    statuses.push(
      (await send('/v1/sessions', { email, authKey: b64u(32), deviceName: 'd' }, headers)).status,
    );
  }
  return statuses;
}

describe(`two server processes, one limit (${process.env.DATABASE_URL ? 'postgres' : 'pglite'})`, () => {
  it('limits a brute force spread over two processes as one (database store)', async () => {
    const servers = await twoServers({ AUTH_RATE_LIMIT_PER_MINUTE: '4', TRUST_PROXY: '127.0.0.1' });
    const real = createTestApp(testDb.database).registration();
    expect((await servers[0]('/v1/accounts', real, { 'x-forwarded-for': '192.0.2.200' })).status).toBe(201);
    // Each login from its own address: only the per-email count is shared here.
    let n = 0;
    const [a, b] = servers;
    const fresh =
      (send: Send): Send =>
      (route, body) =>
        send(route, body, { 'x-forwarded-for': `192.0.2.${++n}` });
    expect(await bruteForce([fresh(a), fresh(b)], real.email)).toEqual([401, 401, 401, 401, 401, 429, 429]);
    expect(await bruteForce([fresh(b), fresh(a)], `nobody-${randomUUID()}@example.com`)).toEqual([
      401, 401, 401, 401, 401, 429, 429,
    ]);
    // The per-IP budget (4 a minute) is shared too: 3 more from the registering address pass, then none.
    const ip = { 'x-forwarded-for': '192.0.2.200' };
    const prelogins = [a, b, a, b, a].map((send) => send('/v1/accounts/prelogin', { email: real.email }, ip));
    expect(await statusesOf(prelogins)).toEqual([200, 200, 200, 429, 429]);
  }, 120_000);

  it('limits a brute force spread over two processes as one (Redis store)', async () => {
    const [a, b] = await twoServers({ REDIS_URL, AUTH_RATE_LIMIT_PER_MINUTE: '4', TRUST_PROXY: '127.0.0.1' });
    // Redis outlives the test: fresh emails and addresses on every run.
    const address = () => `2001:db8:${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}::1`;
    const fresh =
      (send: Send): Send =>
      (route, body) =>
        send(route, body, { 'x-forwarded-for': address() });
    expect(await bruteForce([fresh(a), fresh(b)], `nobody-${randomUUID()}@example.com`)).toEqual([
      401, 401, 401, 401, 401, 429, 429,
    ]);
    const ip = { 'x-forwarded-for': address() };
    const prelogins = [a, b, a, b, a, b].map((send) =>
      send('/v1/accounts/prelogin', { email: 'a@example.com' }, ip),
    );
    expect(await statusesOf(prelogins)).toEqual([200, 200, 200, 200, 429, 429]);
  }, 120_000);
});
