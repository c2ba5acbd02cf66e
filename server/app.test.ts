import { once } from 'node:events';
import { type AddressInfo, connect } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp } from './test-support/app.ts';
import { createTestDatabase, type TestDatabase } from './test-support/db.ts';
import { limitsOn } from './test-support/limits.ts';

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb.dispose());

describe('app-wide behaviour', () => {
  it('answers an unknown route with a 404 JSON error', async () => {
    const { call } = createTestApp(testDb.database);
    for (const [method, path] of [
      ['GET', '/nope'],
      ['POST', '/v1/items'],
      ['PUT', '/v1/sessions'],
    ] as const) {
      const res = await call(method, path);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    }
  });

  it('logs a database failure without the query parameters (no emails, hashes or ciphertexts)', async () => {
    const broken = await testDb.openAnother();
    await broken.close();
    // The limits' store stays up (else the route fails closed with 503 before touching the database).
    const { call, registration, logLines } = createTestApp(broken, { limits: limitsOn(testDb.database) });
    const account = registration('leaky.secret.person@example.com');
    const res = await call('POST', '/v1/accounts', { body: account });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: { code: 'INTERNAL', message: 'Internal server error.' } });
    const logged = logLines.join('\n');
    expect(logged).toContain('unhandled error');
    for (const secret of [account.email, account.authKey, account.wrappedVaultKey, account.salt]) {
      expect(logged).not.toContain(secret);
    }
  });

  it('never sends CORS headers: not on a cross-origin request, not on a preflight', async () => {
    const { call } = createTestApp(testDb.database);
    const simple = await call('POST', '/v1/accounts/prelogin', {
      body: { email: 'a@example.com' },
      headers: { origin: 'https://evil.example' },
    });
    expect(simple.status).toBe(200);
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await call('OPTIONS', '/v1/sync/push', {
      headers: {
        origin: 'https://evil.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(preflight.status).toBe(204);
    for (const [name] of preflight.headers) expect(name).not.toMatch(/^access-control-/);
  });

  it('marks responses no-store and echoes a well-formed X-Request-Id', async () => {
    const { call } = createTestApp(testDb.database);
    const res = await call('GET', '/health/live', { headers: { 'x-request-id': 'abc-123' } });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-request-id')).toBe('abc-123');
    const error = await call('GET', '/nope', { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(error.headers.get('cache-control')).toBe('no-store');
    expect(error.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('logs one line per request with id, method, path, status and latency — never secrets', async () => {
    const { call, signUp, logLines } = createTestApp(testDb.database);
    const user = await signUp();
    await call('GET', '/v1/sync/changes?since=0', {
      token: user.accessToken,
      headers: { 'x-request-id': 'r-1' },
    });
    const line = logLines.map((l) => JSON.parse(l)).find((l) => l.reqId === 'r-1');
    expect(line).toMatchObject({ msg: 'request', method: 'GET', path: '/v1/sync/changes', status: 200 });
    expect(typeof line.ms).toBe('number');
    const all = logLines.join('\n');
    for (const secret of [
      user.authKey,
      user.accessToken,
      user.refreshToken,
      user.wrappedVaultKey,
      user.email,
    ]) {
      expect(all).not.toContain(secret);
    }
  });
});

/** Writes `request` on a raw socket; closes it after `abandonAfterMs` if given. Resolves with what came back. */
function sendRaw(port: number, request: string, abandonAfterMs?: number): Promise<string> {
  return new Promise((resolve) => {
    let answer = '';
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(request);
      if (abandonAfterMs !== undefined) setTimeout(() => socket.destroy(), abandonAfterMs);
    });
    socket.on('data', (chunk) => {
      answer += chunk;
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve(answer));
  });
}

describe('request bodies a client breaks or abandons', () => {
  it('are logged as client errors (400, 499), not as unhandled 500s, and the server serves on', async () => {
    const { app, logLines } = createTestApp(testDb.database);
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    const consoleError = vi.spyOn(console, 'error');
    try {
      await once(server, 'listening');
      const { port } = server.address() as AddressInfo;
      const head = (id: string, framing: string) =>
        `POST /v1/accounts/prelogin HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n` +
        `X-Request-Id: ${id}\r\n${framing}\r\n\r\n`;

      // A chunk-size line that is not hex: node answers 400 itself and closes the connection.
      const broken = await sendRaw(
        port,
        `${head('bad-chunk', 'Transfer-Encoding: chunked')}zz\r\n{}\r\n0\r\n\r\n`,
      );
      expect(broken).toMatch(/^HTTP\/1\.1 400 /);
      // Content-Length 1000, then gone after 10 bytes (read by the JSON validator).
      await sendRaw(port, `${head('abandoned', 'Content-Length: 1000')}{"email":`, 20);
      // Gone in the middle of a chunk (read by the body size limit, which buffers chunked bodies).
      await sendRaw(port, `${head('abandoned-chunked', 'Transfer-Encoding: chunked')}40\r\n{"email":`, 20);

      const entries = () => logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
      await vi.waitFor(() => expect(entries().filter((e) => e.msg === 'request')).toHaveLength(3));
      const statusOf = (reqId: string) =>
        entries().find((e) => e.reqId === reqId && e.msg === 'request')?.status;
      expect(statusOf('bad-chunk')).toBe(400);
      expect(statusOf('abandoned')).toBe(499);
      expect(statusOf('abandoned-chunked')).toBe(499);
      expect(entries().filter((e) => Number(e.level) >= 50)).toEqual([]);
      expect(consoleError).not.toHaveBeenCalled();

      const res = await fetch(`http://127.0.0.1:${port}/v1/accounts/prelogin`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'after@example.com' }),
      });
      expect(res.status).toBe(200);
    } finally {
      consoleError.mockRestore();
      server.close();
    }
  });
});
