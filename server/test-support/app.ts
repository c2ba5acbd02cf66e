import { randomBytes, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { type AppDeps, createApp } from '../app.ts';
import type { Database } from '../db/client.ts';

export const b64u = (bytes: number) => randomBytes(bytes).toString('base64url');
export const envelope = (bytes = 64) => `k1.${b64u(bytes)}`;

/** A controllable clock, a log sink, and small helpers that speak the wire protocol through app.request(). */
export function createTestApp(database: Database, overrides: Partial<AppDeps> = {}) {
  const clock = { now: new Date('2030-01-01T00:00:00.000Z') };
  const logLines: string[] = [];
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk, _encoding, done) {
        logLines.push(String(chunk));
        done();
      },
    }),
  );
  const app = createApp({
    db: database.db,
    ping: database.ping,
    logger,
    secret: 'test-secret-0123456789abcdef0123456789',
    now: () => clock.now,
    ...overrides,
  });

  const call = (
    method: string,
    path: string,
    options: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
  ) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.body !== undefined) headers['content-type'] ??= 'application/json';
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const body =
      options.body === undefined
        ? undefined
        : typeof options.body === 'string'
          ? options.body
          : JSON.stringify(options.body);
    return app.request(path, { method, headers, body });
  };

  const registration = (email = `user-${randomUUID()}@example.com`) => ({
    accountId: randomUUID(),
    email,
    kdf: { alg: 'argon2id', memoryKiB: 65_536, iterations: 3, parallelism: 4 },
    salt: b64u(16),
    authKey: b64u(32),
    wrappedVaultKey: envelope(77),
  });

  /** Registers and logs in a fresh account; returns its credentials and tokens. */
  const signUp = async (email?: string) => {
    const account = registration(email);
    const registered = await call('POST', '/v1/accounts', { body: account });
    if (registered.status !== 201) throw new Error(`register failed: ${registered.status}`);
    const login = await call('POST', '/v1/sessions', {
      body: { email: account.email, authKey: account.authKey, deviceName: 'test device' },
    });
    if (login.status !== 200) throw new Error(`login failed: ${login.status}`);
    const tokens = (await login.json()) as { accessToken: string; refreshToken: string; accountId: string };
    return { ...account, ...tokens };
  };

  return { app, clock, logLines, call, registration, signUp };
}
