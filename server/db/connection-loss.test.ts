import { randomBytes, randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../e2e/support/server.ts';
import { b64u, envelope } from '../test-support/app.ts';
import { createTestDatabase, type TestDatabase } from '../test-support/db.ts';
import { APP_ROLE } from './client.ts';

/**
 * A real server process (server/main.ts) whose every database connection an operator ends
 * (pg_terminate_backend): the process stays up, logs no unhandled error, and the next requests are
 * answered — at worst a clean 503 while the pool reconnects. PostgreSQL only: PGlite is embedded in
 * the process and has no backends to end.
 */
describe.runIf(Boolean(process.env.DATABASE_URL))('losing the database connections (PostgreSQL)', () => {
  let testDb: TestDatabase;
  let server: RunningServer | undefined;
  let owner: postgres.Sql;
  const output: string[] = [];
  beforeAll(async () => {
    testDb = await createTestDatabase();
    if (!testDb.urls) throw new Error('PostgreSQL test database without URLs');
    owner = postgres(testDb.urls.owner, { onnotice: () => {}, max: 1 });
    server = await startServer({
      DATABASE_URL: testDb.urls.app,
      SERVER_SECRET: randomBytes(32).toString('hex'),
      DB_POOL_MAX: '3',
    });
    server.process.stdout?.on('data', (b: Buffer) => output.push(b.toString()));
    server.process.stderr?.on('data', (b: Buffer) => output.push(b.toString()));
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await owner?.end();
    await testDb?.dispose();
  });

  const register = (url: string) =>
    fetch(`${url}/v1/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        accountId: randomUUID(),
        email: `user-${randomUUID()}@example.com`,
        kdf: { alg: 'argon2id', memoryKiB: 65_536, iterations: 3, parallelism: 4 },
        salt: b64u(16),
        authKey: b64u(32),
        wrappedVaultKey: envelope(77),
      }),
    });

  it('stays up and answers again after its backends are terminated', async () => {
    if (!server) throw new Error('no server');
    // Fill the pool (and the push channel's LISTEN connection is open since start).
    const first = await Promise.all([register(server.url), register(server.url), register(server.url)]);
    expect(first.map((r) => r.status)).toEqual([201, 201, 201]);

    const ended = await owner`
      select pg_terminate_backend(pid) as ended from pg_stat_activity
      where datname = current_database() and usename = ${APP_ROLE}`;
    expect(ended.length).toBeGreaterThanOrEqual(2);
    await new Promise((resolve) => setTimeout(resolve, 500));

    const statuses: number[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      const res = await register(server.url);
      statuses.push(res.status);
      if (res.status === 201) break;
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('DATABASE_UNAVAILABLE');
      expect(res.headers.get('retry-after')).not.toBeNull();
    }
    expect(statuses.at(-1)).toBe(201);
    expect(server.process.exitCode).toBeNull();
    expect(server.process.signalCode).toBeNull();
    const log = output.join('');
    expect(log).not.toMatch(/unhandled|Unhandled/);
  }, 60_000);
});
