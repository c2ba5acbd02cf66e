import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokens } from '../db/schema.ts';
import { b64u, envelope } from '../test-support/app.ts';
import { createTestDatabase, type TestDatabase } from '../test-support/db.ts';
import { dpopFetch } from '../test-support/dpop.ts';
import { type ServerProcess, startServerProcess } from '../test-support/run-process.ts';

/**
 * Rotating TOKEN_PEPPER and SERVER_SECRET on two server processes sharing one PostgreSQL, one
 * process at a time, while clients keep using their tokens (docs/operations/secret-rotation.md, "Rotating server
 * secrets"): 1. every process also accepts the new values; 2. every process issues under the new
 * values and still accepts the old; 3. the old values are dropped.
 */
const postgresUrl = process.env.DATABASE_URL;
const secret = () => randomBytes(32).toString('base64url');

describe.skipIf(!postgresUrl)('rotating the server secrets without downtime (two processes)', () => {
  let testDb: TestDatabase;
  const running = new Set<ServerProcess>();
  const everyLine: string[] = [];

  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(async () => {
    for (const server of running) await server.stop();
    await testDb?.dispose();
  });

  const start = async (secrets: Record<string, string>) => {
    const server = await startServerProcess({ DATABASE_URL: testDb.urls?.app, ...secrets });
    running.add(server);
    return server;
  };
  const stop = async (server: ServerProcess) => {
    await server.stop();
    running.delete(server);
    everyLine.push(...server.lines);
  };

  const signed = dpopFetch();
  const call = async (
    server: ServerProcess,
    method: string,
    path: string,
    body?: unknown,
    token?: string,
  ) => {
    const res = await signed(`${server.url}${path}`, { method, body, token });
    return { status: res.status, json: (await res.json().catch(() => null)) as Record<string, unknown> };
  };
  type Tokens = { accessToken: string; refreshToken: string };
  const signUp = async (server: ServerProcess) => {
    const account = {
      accountId: randomUUID(),
      email: `user-${randomUUID()}@example.com`,
      kdf: { alg: 'argon2id', memoryKiB: 65_536, iterations: 3, parallelism: 4 },
      salt: b64u(16),
      authKey: b64u(32),
      wrappedVaultKey: envelope(77),
    };
    expect((await call(server, 'POST', '/v1/accounts', account)).status).toBe(201);
    const login = await call(server, 'POST', '/v1/sessions', {
      email: account.email,
      authKey: account.authKey,
      deviceName: 'rotation test',
    });
    expect(login.status).toBe(200);
    return { email: account.email, tokens: login.json as unknown as Tokens };
  };
  const pull = (server: ServerProcess, t: Tokens) =>
    call(server, 'GET', '/v1/sync/changes', undefined, t.accessToken);
  const refresh = async (server: ServerProcess, t: Tokens) => {
    const res = await call(server, 'POST', '/v1/sessions/refresh', { refreshToken: t.refreshToken });
    expect(res.status).toBe(200);
    return res.json as unknown as Tokens;
  };
  const prelogin = async (server: ServerProcess, email: string) => {
    const res = await call(server, 'POST', '/v1/accounts/prelogin', { email });
    expect(res.status).toBe(200);
    return res.json;
  };
  const storedHashes = () =>
    testDb.asOwner(
      async (db) => new Set((await db.select({ hash: tokens.hash }).from(tokens)).map((r) => r.hash)),
    );
  const peppered = (pepper: string, token: string) =>
    createHmac('sha256', pepper).update(token).digest('hex');

  it('keeps every client signed in through the rotation; afterwards only the old values stop working', async () => {
    const old = { TOKEN_PEPPER: secret(), SERVER_SECRET: secret() };
    const next = { TOKEN_PEPPER: secret(), SERVER_SECRET: secret() };
    const acceptNext = {
      ...old,
      TOKEN_PEPPER_PREVIOUS: next.TOKEN_PEPPER,
      SERVER_SECRET_PREVIOUS: next.SERVER_SECRET,
    };
    const issueNext = {
      ...next,
      TOKEN_PEPPER_PREVIOUS: old.TOKEN_PEPPER,
      SERVER_SECRET_PREVIOUS: old.SERVER_SECRET,
    };

    let a = await start(old);
    let b = await start(old);
    // Two devices sign in under the old pepper; one of them will refresh during the rotation.
    const refreshing = await signUp(a);
    const idle = await signUp(b);
    // And one device signs in and is never used again until the old values are gone.
    const never = await signUp(b);
    const unknown = `nobody-${randomUUID()}@example.com`;
    const answers = { unknown: await prelogin(a, unknown), real: await prelogin(a, refreshing.email) };
    expect(answers.unknown).not.toEqual(answers.real);
    expect(await storedHashes()).toContain(peppered(old.TOKEN_PEPPER, refreshing.tokens.accessToken));
    const samePrelogin = async (server: ServerProcess) => {
      expect(await prelogin(server, unknown)).toEqual(answers.unknown);
      expect(await prelogin(server, refreshing.email)).toEqual(answers.real);
    };

    // 1. Roll: every process learns the new values (accepted, not yet used), one at a time.
    await stop(a);
    a = await start(acceptNext);
    for (const server of [a, b]) expect((await pull(server, refreshing.tokens)).status).toBe(200);
    await stop(b);
    b = await start(acceptNext);
    for (const server of [a, b]) {
      expect((await pull(server, idle.tokens)).status).toBe(200);
      await samePrelogin(server);
    }

    // 2. Roll: the new values become current, the old ones stay accepted.
    await stop(a);
    a = await start(issueNext);
    // b has not rolled yet: the old access token works on both; a refresh on a issues under the new pepper…
    for (const server of [a, b]) expect((await pull(server, refreshing.tokens)).status).toBe(200);
    const rotated = await refresh(a, refreshing.tokens);
    const stored = await storedHashes();
    expect(stored).toContain(peppered(next.TOKEN_PEPPER, rotated.accessToken));
    expect(stored).toContain(peppered(next.TOKEN_PEPPER, rotated.refreshToken));
    expect(stored).not.toContain(peppered(old.TOKEN_PEPPER, rotated.accessToken));
    // …which b, still issuing under the old one, already accepts.
    expect((await pull(b, rotated)).status).toBe(200);
    await samePrelogin(a);
    await stop(b);
    b = await start(issueNext);
    for (const server of [a, b]) {
      expect((await pull(server, rotated)).status).toBe(200);
      expect((await pull(server, idle.tokens)).status).toBe(200);
      await samePrelogin(server);
    }
    // A refresh token issued under the old pepper still refreshes, on the other process too.
    const idleRotated = await refresh(b, idle.tokens);
    expect((await pull(a, idleRotated)).status).toBe(200);

    // 3. Once every token has been refreshed (or the refresh-token lifetime has passed): drop the old values.
    const late = await signUp(a); // under the new pepper
    await stop(a);
    await stop(b);
    a = await start(next);
    b = await start(next);
    for (const server of [a, b]) {
      expect((await pull(server, rotated)).status).toBe(200);
      expect((await pull(server, late.tokens)).status).toBe(200);
      expect((await pull(server, idleRotated)).status).toBe(200);
      await samePrelogin(server);
    }
    // Tokens issued under the old pepper and never refreshed are refused on every process.
    for (const server of [a, b]) {
      expect((await pull(server, never.tokens)).status).toBe(401);
      expect((await pull(server, idle.tokens)).status).toBe(401);
    }
    const refused = await call(b, 'POST', '/v1/sessions/refresh', {
      refreshToken: never.tokens.refreshToken,
    });
    expect(refused.status).toBe(401);
    const fresh = await signUp(b);
    expect((await pull(a, fresh.tokens)).status).toBe(200);

    for (const server of [a, b]) await stop(server);
    // No value of any secret, nor any token, reached a log line.
    const values = [...Object.values(old), ...Object.values(next)];
    for (const line of everyLine) {
      for (const value of values) expect(line).not.toContain(value);
    }
    // Every start logged where its secrets came from, and whether a rotation was in progress.
    const sources = everyLine.filter((line) => line.includes('"msg":"listening"'));
    expect(sources.length).toBe(8);
    expect(sources[0]).toContain(
      '"secrets":{"serverSecret":"env","tokenPepper":"env","preloginSeed":"stored","rotating":false}',
    );
    expect(sources[2]).toContain('"rotating":true');
  }, 180_000);
});
