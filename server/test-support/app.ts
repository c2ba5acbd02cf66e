import { randomBytes, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { type AppDeps, createApp } from '../app.ts';
import type { Database } from '../db/client.ts';
import { Keyring, TokenHasher } from '../secrets/keyring.ts';
import { type DpopKey, dpopProof, newDpopKey, rememberTokenKeys } from './dpop.ts';

/** The server secret of every createTestApp (limit keys and device tokens derive from it). */
export const TEST_SECRET = 'test-secret-0123456789abcdef0123456789';

export const b64u = (bytes: number) => randomBytes(bytes).toString('base64url');

/** The keyring and token pepper of every test app: apps on one database accept each other's tokens. */
export const testKeyring = new Keyring('test-server-secret-0123456789abcdef0123456789');
export const testTokenHasher = new TokenHasher('test-token-pepper-0123456789abcdef0123456789');
export const envelope = (bytes = 64) => `k1.${b64u(bytes)}`;

/** Which DPoP key each token was issued to, across test apps (a token may be used on a second app). */
const keys = new Map<string, DpopKey>();

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
    secret: TEST_SECRET,
    keyring: testKeyring,
    tokenHasher: testTokenHasher,
    now: () => clock.now,
    ...overrides,
  });

  /*
   * DPoP as a device does it: each login (and recovery completion) signs with a new key; the tokens
   * of its reply, and of every refresh of them, are remembered with that key (in `keys`, shared by
   * every test app), and every call with a token sends a fresh proof by it. Unknown tokens are
   * signed with the app's own key.
   */
  let appKey: Promise<DpopKey> | undefined;
  const defaultKey = () => {
    appKey ??= newDpopKey();
    return appKey;
  };
  const keyFor = async (token: string): Promise<DpopKey> => keys.get(token) ?? defaultKey();
  const newSessionPaths = new Set(['/v1/sessions', '/v1/accounts/recovery/complete']);

  const call = async (
    method: string,
    path: string,
    options: {
      body?: unknown;
      token?: string;
      headers?: Record<string, string>;
      /** false: send no DPoP proof; a key: sign with it instead of the token's own. */
      dpop?: false | DpopKey;
      /** The socket address the request comes from (what auditMeta and the limits read). */
      ip?: string;
    } = {},
  ) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.body !== undefined) headers['content-type'] ??= 'application/json';
    if (options.token) headers.authorization = `DPoP ${options.token}`;
    const body =
      options.body === undefined
        ? undefined
        : typeof options.body === 'string'
          ? options.body
          : JSON.stringify(options.body);
    const bare = path.split('?')[0] ?? path;
    const tokenEndpoint = method === 'POST' && (newSessionPaths.has(bare) || bare === '/v1/sessions/refresh');
    let key: DpopKey | undefined;
    if (options.dpop !== false && headers.dpop === undefined && (options.token || tokenEndpoint)) {
      const refreshToken = (options.body as { refreshToken?: unknown } | undefined)?.refreshToken;
      key =
        options.dpop ||
        (options.token
          ? await keyFor(options.token)
          : newSessionPaths.has(bare)
            ? await newDpopKey()
            : await keyFor(typeof refreshToken === 'string' ? refreshToken : ''));
      headers.dpop = await dpopProof(key, {
        method,
        url: `http://localhost${path}`,
        at: clock.now,
        ...(options.token ? { accessToken: options.token } : {}),
      });
    }
    const socket =
      options.ip === undefined ? undefined : { incoming: { socket: { remoteAddress: options.ip } } };
    const res = await app.request(path, { method, headers, body }, socket);
    if (key && tokenEndpoint && res.status === 200) await rememberTokenKeys(keys, res, key);
    return res;
  };

  /** The DPoP key a token was issued to (the app's own key for tokens it did not see issued). */
  const dpopKeyOf = keyFor;

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
      body: { email: account.email, authKey: account.authKey },
    });
    if (login.status !== 200) throw new Error(`login failed: ${login.status}`);
    const tokens = (await login.json()) as {
      accessToken: string;
      refreshToken: string;
      accountId: string;
      sessionId: string;
    };
    return { ...account, ...tokens };
  };

  return { app, clock, logLines, call, registration, signUp, dpopKeyOf, defaultDpopKey: defaultKey };
}
