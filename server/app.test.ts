import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from './test-support/app.ts';
import { createTestDatabase, type TestDatabase } from './test-support/db.ts';

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
    const { call, registration, logLines } = createTestApp(broken);
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
