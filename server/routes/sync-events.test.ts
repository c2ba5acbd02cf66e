import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { type HttpBindings, serve } from '@hono/node-server';
import { eq, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppDeps } from '../app.ts';
import type { Database } from '../db/client.ts';
import { deviceSessions } from '../db/schema.ts';
import type { PushHub, PushHubOptions } from '../push/hub.ts';
import type { ChangeNotifier, NotifierListener } from '../push/notifier.ts';
import { createTestApp, envelope, testTokenHasher } from '../test-support/app.ts';
import { createTestDatabase, type TestDatabase } from '../test-support/db.ts';
import { boundSession, type DpopKey, dpopHeaders, dpopProof } from '../test-support/dpop.ts';
import { readEvents, startPushHub } from '../test-support/push.ts';
import { issueTokens } from '../tokens.ts';

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb.dispose());
beforeEach(() => testDb.truncate());

const hubs: PushHub[] = [];
afterEach(async () => {
  for (const hub of hubs.splice(0)) await hub.close();
});

const EVENTS = '/v1/sync/events';

async function setup(
  options: {
    database?: Database;
    hub?: Partial<Omit<PushHubOptions, 'db'>> & { notifier?: ChangeNotifier };
    app?: Partial<AppDeps>;
  } = {},
) {
  const database = options.database ?? testDb.database;
  const hub = await startPushHub(database, options.hub);
  hubs.push(hub);
  const t = createTestApp(database, { push: hub, ...options.app });
  const connect = async (token: string) => {
    const res = await t.call('GET', EVENTS, { token });
    expect(res.status).toBe(200);
    return readEvents(res);
  };
  const push = async (token: string, count = 1) => {
    const changes = Array.from({ length: count }, () => ({
      id: randomUUID(),
      baseRevision: 0,
      deleted: false,
      keyVersion: 1,
      ciphertext: envelope(),
    }));
    const res = await t.call('POST', '/v1/sync/push', { token, body: { changes } });
    expect(res.status).toBe(200);
    return ((await res.json()) as { revision: number }).revision;
  };
  const login = async (user: { email: string; authKey: string }) => {
    const res = await t.call('POST', '/v1/sessions', {
      body: { email: user.email, authKey: user.authKey, deviceName: 'second device' },
    });
    expect(res.status).toBe(200);
    return (await res.json()) as { accessToken: string; refreshToken: string };
  };
  return { ...t, hub, connect, push, login };
}

describe('GET /v1/sync/events', () => {
  it('streams hello, then changed within 2 s of a push; other accounts do not wake it', async () => {
    const { call, signUp, push, hub } = await setup();
    const alice = await signUp();
    const bob = await signUp();
    await push(alice.accessToken, 2);
    const res = await call('GET', EVENTS, { token: alice.accessToken });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-accel-buffering')).toBe('no');
    expect(res.headers.get('x-request-id')).toBeTruthy();
    const stream = readEvents(res);
    expect(await stream.next()).toEqual({ event: 'hello', data: { revision: 2, heartbeatMs: 20_000 } });
    expect(hub.size).toBe(1);

    // Bob's push (his revision 3) must not reach Alice's stream.
    await push(bob.accessToken, 3);
    expect(await stream.quietFor(300)).toBe(true);

    const started = Date.now();
    expect(await push(alice.accessToken)).toBe(3);
    expect(await stream.nextEvent()).toEqual({ event: 'changed', data: { revision: 3 } });
    expect(Date.now() - started).toBeLessThan(2_000);
    await stream.cancel();
  });

  it('does not notify for a push that changed nothing (conflict or idempotent retry)', async () => {
    const { signUp, push, connect, call } = await setup();
    const user = await signUp();
    await push(user.accessToken);
    const stream = await connect(user.accessToken);
    expect(await stream.next()).toMatchObject({ event: 'hello', data: { revision: 1 } });
    const conflict = await call('POST', '/v1/sync/push', {
      token: user.accessToken,
      body: {
        changes: [
          { id: randomUUID(), baseRevision: 9, deleted: false, keyVersion: 1, ciphertext: envelope() },
        ],
      },
    });
    expect(conflict.status).toBe(200);
    expect(await stream.quietFor(300)).toBe(true);
    await stream.cancel();
  });

  it('reaches a device connected to another server process on the same database', async () => {
    // PostgreSQL: a second pool and a second LISTEN connection to the same database. PGlite is
    // single-process, so the second app shares the client (but has its own hub and listener).
    const other = testDb.driver === 'postgres' ? await testDb.openAnother() : testDb.database;
    const one = await setup();
    const two = await setup({ database: other });
    const user = await one.signUp();
    const stream = await two.connect(user.accessToken);
    expect(await stream.next()).toMatchObject({ event: 'hello', data: { revision: 0 } });
    expect(two.hub.size).toBe(1);
    expect(one.hub.size).toBe(0);
    const started = Date.now();
    await one.push(user.accessToken, 2);
    expect(await stream.nextEvent()).toEqual({ event: 'changed', data: { revision: 2 } });
    expect(Date.now() - started).toBeLessThan(2_000);
    await stream.cancel();
  });

  it('sends a heartbeat every heartbeatMs', async () => {
    const { signUp, connect } = await setup({ hub: { heartbeatMs: 50 } });
    const user = await signUp();
    const stream = await connect(user.accessToken);
    expect(await stream.next()).toMatchObject({ event: 'hello', data: { heartbeatMs: 50 } });
    expect(await stream.next(1_000)).toEqual({ event: 'ping', data: {} });
    expect(await stream.next(1_000)).toEqual({ event: 'ping', data: {} });
    await stream.cancel();
  });
});

describe('event stream auth', () => {
  it('401 without a token, and a token in the query string does not count', async () => {
    const { call, signUp } = await setup();
    const user = await signUp();
    const bare = await call('GET', EVENTS);
    expect(bare.status).toBe(401);
    expect(bare.headers.get('www-authenticate')).toBe('DPoP algs="ES256"');
    expect(await bare.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    for (const name of ['access_token', 'token', 'authorization']) {
      const res = await call('GET', `${EVENTS}?${name}=${user.accessToken}`);
      expect(res.status).toBe(401);
    }
    const wrong = await call('GET', EVENTS, { token: 'x'.repeat(43) });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: { code: 'INVALID_TOKEN' } });
  });

  it('403 without the vault:read scope', async () => {
    const { call, signUp, clock, hub, defaultDpopKey } = await setup();
    const user = await signUp();
    const writeOnly = await testDb.asOwner(async (db) =>
      issueTokens(db, {
        hasher: testTokenHasher,
        accountId: user.accountId,
        sessionId: await boundSession(db, user.accountId, clock.now, (await defaultDpopKey()).jkt),
        scopes: ['vault:write', 'account'],
        now: clock.now,
        accessTtlSeconds: 900,
      }),
    );
    const res = await call('GET', EVENTS, { token: writeOnly.accessToken });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: 'FORBIDDEN_SCOPE' } });
    expect(hub.size).toBe(0);
  });

  it('closes the stream at once on logout; other sessions of the account stay open', async () => {
    const { signUp, connect, call, login, hub } = await setup();
    const user = await signUp();
    const other = await login(user);
    const stream = await connect(user.accessToken);
    const otherStream = await connect(other.accessToken);
    expect((await stream.next())?.event).toBe('hello');
    expect((await otherStream.next())?.event).toBe('hello');
    const started = Date.now();
    expect((await call('DELETE', '/v1/sessions/current', { token: user.accessToken })).status).toBe(204);
    expect(await stream.rest()).toEqual([{ event: 'bye', data: { reason: 'logout' } }]);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(hub.size).toBe(1);
    expect(await otherStream.quietFor(200)).toBe(true);
    // A revoked token cannot reconnect.
    expect((await call('GET', EVENTS, { token: user.accessToken })).status).toBe(401);
    await otherStream.cancel();
  });

  it('closes the stream when a rotated refresh token is reused (session revoked)', async () => {
    const { signUp, connect, call, clock } = await setup();
    const user = await signUp();
    const stream = await connect(user.accessToken);
    expect((await stream.next())?.event).toBe('hello');
    const body = { refreshToken: user.refreshToken };
    expect((await call('POST', '/v1/sessions/refresh', { body })).status).toBe(200);
    expect(await stream.quietFor(200)).toBe(true);
    // Past the grace window for a retried refresh (docs/sessions.md).
    clock.now = new Date(clock.now.getTime() + 31_000);
    expect((await call('POST', '/v1/sessions/refresh', { body })).status).toBe(401);
    expect(await stream.rest()).toEqual([{ event: 'bye', data: { reason: 'refresh-reuse' } }]);
  });

  it('closes the stream when its access token expires', async () => {
    const { signUp, connect, hub } = await setup({ app: { accessTokenTtlSeconds: 1 } });
    const user = await signUp();
    const stream = await connect(user.accessToken);
    const started = Date.now();
    expect((await stream.next())?.event).toBe('hello');
    expect(await stream.rest(3_000)).toEqual([{ event: 'bye', data: { reason: 'expired' } }]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(hub.size).toBe(0);
  });
});

describe('event stream limits and lifecycle', () => {
  it('429 TOO_MANY_STREAMS beyond the per-session limit; other sessions are unaffected', async () => {
    const { signUp, connect, call, login } = await setup({ hub: { maxStreamsPerSession: 2 } });
    const user = await signUp();
    const streams = [await connect(user.accessToken), await connect(user.accessToken)];
    const refused = await call('GET', EVENTS, { token: user.accessToken });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('30');
    expect(await refused.json()).toMatchObject({
      error: { code: 'TOO_MANY_STREAMS', message: expect.stringContaining('2 open event streams') },
    });
    const other = await login(user);
    streams.push(await connect(other.accessToken));
    // Closing one frees its slot.
    await streams[0]?.cancel();
    await vi.waitFor(async () => {
      const again = await call('GET', EVENTS, { token: user.accessToken });
      expect(again.status).toBe(200);
      streams.push(readEvents(again));
    });
    for (const stream of streams.slice(1)) await stream.cancel();
  });

  it('429 beyond the global limit', async () => {
    const { signUp, connect, call, hub } = await setup({ hub: { maxStreams: 2 } });
    const a = await signUp();
    const b = await signUp();
    const streams = [await connect(a.accessToken), await connect(b.accessToken)];
    const refused = await call('GET', EVENTS, { token: a.accessToken });
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ error: { code: 'TOO_MANY_STREAMS' } });
    expect(hub.size).toBe(2);
    for (const stream of streams) await stream.cancel();
  });

  it('removes the subscriber when the client goes away (body cancelled or request aborted)', async () => {
    const { signUp, connect, app, hub, dpopKeyOf, clock } = await setup({ hub: { heartbeatMs: 20 } });
    const user = await signUp();
    const stream = await connect(user.accessToken);
    expect((await stream.next())?.event).toBe('hello');
    expect(hub.size).toBe(1);
    await stream.cancel();
    await vi.waitFor(() => expect(hub.size).toBe(0));

    const controller = new AbortController();
    const res = await app.request(EVENTS, {
      headers: await dpopHeaders(
        await dpopKeyOf(user.accessToken),
        'GET',
        `http://localhost${EVENTS}`,
        user.accessToken,
        clock.now,
      ),
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    expect(hub.size).toBe(1);
    controller.abort();
    await vi.waitFor(() => expect(hub.size).toBe(0));
  });

  it('frees the slot at once when the client goes away while the handler still reads the database', async () => {
    const { signUp, app, hub, dpopKeyOf, clock } = await setup();
    const user = await signUp();
    const controller = new AbortController();
    const add = hub.add.bind(hub);
    let sizeAfterAbort: number | undefined;
    // The client disconnects right after its stream took a slot, before the revision read answers.
    vi.spyOn(hub, 'add').mockImplementationOnce((subscriber) => {
      const result = add(subscriber);
      queueMicrotask(() => {
        controller.abort();
        sizeAfterAbort = hub.size;
      });
      return result;
    });
    const res = await app.request(EVENTS, {
      headers: await dpopHeaders(
        await dpopKeyOf(user.accessToken),
        'GET',
        `http://localhost${EVENTS}`,
        user.accessToken,
        clock.now,
      ),
      signal: controller.signal,
    });
    expect(sizeAfterAbort).toBe(0);
    // Nothing is started for a client that is gone: the body ends without a hello.
    expect(await readEvents(res).rest()).toEqual([]);
    expect(hub.size).toBe(0);
  });

  it('ends every stream with bye "shutdown" when the hub closes, and then refuses new ones', async () => {
    const { signUp, connect, call, hub } = await setup();
    const user = await signUp();
    const stream = await connect(user.accessToken);
    expect((await stream.next())?.event).toBe('hello');
    await hub.close();
    expect(await stream.rest()).toEqual([{ event: 'bye', data: { reason: 'shutdown' } }]);
    expect(hub.size).toBe(0);
    const refused = await call('GET', EVENTS, { token: user.accessToken });
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ error: { code: 'NOT_READY' } });
  });

  it('answers 503 NOT_READY when the server runs without a push hub', async () => {
    const { call, signUp } = createTestApp(testDb.database);
    const user = await signUp();
    const res = await call('GET', EVENTS, { token: user.accessToken });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: { code: 'NOT_READY' } });
  });
});

describe('after the listener reconnects (notifications may have been lost)', () => {
  /** A notifier that never delivers on its own: the test decides when it "reconnects". */
  const silentNotifier = () => {
    const state: { listener?: NotifierListener } = {};
    const notifier: ChangeNotifier = {
      async start(listener) {
        state.listener = listener;
      },
      async close() {},
    };
    return { notifier, state };
  };

  it('tells each stream whose account moved on, and closes streams of sessions revoked meanwhile', async () => {
    const { notifier, state } = silentNotifier();
    const { signUp, connect, push, login, call, hub } = await setup({ hub: { notifier } });
    const alice = await signUp();
    const aliceOther = await login(alice);
    const bob = await signUp();
    const aliceStream = await connect(alice.accessToken);
    const otherStream = await connect(aliceOther.accessToken);
    const bobStream = await connect(bob.accessToken);
    for (const s of [aliceStream, otherStream, bobStream]) expect((await s.next())?.event).toBe('hello');

    await push(alice.accessToken, 2);
    expect((await call('DELETE', '/v1/sessions/current', { token: aliceOther.accessToken })).status).toBe(
      204,
    );
    // Lost: nothing arrived.
    expect(await aliceStream.quietFor(200)).toBe(true);
    expect(await otherStream.quietFor(50)).toBe(true);

    state.listener?.reconnected();
    expect(await aliceStream.nextEvent()).toEqual({ event: 'changed', data: { revision: 2 } });
    // Same account, so it hears of the change too, then is closed.
    expect(await otherStream.rest()).toEqual([
      { event: 'changed', data: { revision: 2 } },
      { event: 'bye', data: { reason: 'revoked' } },
    ]);
    // Bob's account did not move: no needless wake-up.
    expect(await bobStream.quietFor(200)).toBe(true);
    expect(hub.size).toBe(2);
    await aliceStream.cancel();
    await bobStream.cancel();
  });
});

describe.runIf(Boolean(process.env.DATABASE_URL))('PostgreSQL listener drop', () => {
  it('a stream still learns of a push made while its process was not listening', async () => {
    const { signUp, connect, push } = await setup();
    const user = await signUp();
    const stream = await connect(user.accessToken);
    expect((await stream.next())?.event).toBe('hello');
    const rows = (await testDb.asOwner((db) =>
      db.execute(
        sql`select pg_terminate_backend(pid) from pg_stat_activity
            where datname = current_database() and query ilike 'listen%'`,
      ),
    )) as unknown as unknown[];
    expect(rows).toHaveLength(1);
    // Most likely lands before the listener is back (its first retry waits 125-250 ms): lost as a
    // notification, recovered by the resync on reconnect.
    await push(user.accessToken, 2);
    expect(await stream.nextEvent(5_000)).toEqual({ event: 'changed', data: { revision: 2 } });
    await push(user.accessToken);
    expect(await stream.nextEvent()).toEqual({ event: 'changed', data: { revision: 3 } });
    await stream.cancel();
  });
});

/** The app behind a real listening socket, as server/main.ts runs it (@hono/node-server on port 0). */
async function listen(
  app: { fetch: (request: Request, env: HttpBindings) => Response | Promise<Response> },
  options: { beforeApp?: (env: HttpBindings) => Promise<void> } = {},
) {
  const server = serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch: async (request, env) => {
      const bindings = env as HttpBindings;
      await options.beforeApp?.(bindings);
      return app.fetch(request, bindings);
    },
  }) as Server;
  if (!server.listening) await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  servers.push(server);
  return port;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

/** A bare TCP client speaking HTTP/1.1, so a test controls exactly how the connection ends. */
async function rawClient(
  port: number,
  t: { dpopKeyOf: (token: string) => Promise<DpopKey>; clock: { now: Date } },
) {
  const socket = connect({ host: '127.0.0.1', port });
  socket.setEncoding('latin1');
  let received = '';
  socket.on('data', (chunk: string) => {
    received += chunk;
  });
  socket.on('error', () => {});
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await once(socket, 'connect');
  const send = async (method: string, path: string, token: string) => {
    const key = await t.dpopKeyOf(token);
    const proof = await dpopProof(key, {
      method,
      url: `http://127.0.0.1${path}`,
      accessToken: token,
      at: t.clock.now,
    });
    socket.write(
      `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: DPoP ${token}\r\nDPoP: ${proof}\r\n\r\n`,
    );
  };
  const waitFor = (text: string, timeoutMs = 2_000) =>
    vi.waitFor(() => expect(received).toContain(text), { timeout: timeoutMs, interval: 5 });
  return { socket, send, waitFor, ended, received: () => received };
}

async function sessionIdOf(accountId: string) {
  const [row] = await testDb.asOwner((db) =>
    db.select({ id: deviceSessions.id }).from(deviceSessions).where(eq(deviceSessions.accountId, accountId)),
  );
  if (!row) throw new Error('no session');
  return row.id;
}

describe('HEAD /v1/sync/events', () => {
  it('answers what GET would, with no body and without taking a stream slot', async () => {
    const { call, signUp, hub, connect } = await setup({ hub: { maxStreamsPerSession: 2 } });
    const user = await signUp();
    const sessionId = await sessionIdOf(user.accountId);
    for (let i = 0; i < 5; i++) {
      const res = await call('HEAD', EVENTS, { token: user.accessToken });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(res.headers.get('x-accel-buffering')).toBe('no');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await res.text()).toBe('');
      expect(hub.size).toBe(0);
      expect(hub.sessionStreams(sessionId)).toBe(0);
    }
    expect((await call('HEAD', EVENTS)).status).toBe(401);
    const streams = [await connect(user.accessToken), await connect(user.accessToken)];
    // The session is full now: HEAD says so (as GET would) and still takes nothing.
    const full = await call('HEAD', EVENTS, { token: user.accessToken });
    expect(full.status).toBe(429);
    expect(full.headers.get('retry-after')).toBe('30');
    expect(hub.size).toBe(2);
    for (const stream of streams) await stream.cancel();
  });

  it('answers 503 like GET when the server runs without a push hub', async () => {
    const { call, signUp } = createTestApp(testDb.database);
    const user = await signUp();
    const res = await call('HEAD', EVENTS, { token: user.accessToken });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
  });
});

describe('event streams over a real socket (@hono/node-server)', () => {
  it('ten HEADs hold no slot: a GET afterwards (on the same connection) still gets a stream', async () => {
    const { app, signUp, hub, dpopKeyOf, clock } = await setup();
    const user = await signUp();
    const sessionId = await sessionIdOf(user.accountId);
    const port = await listen(app);
    const client = await rawClient(port, { dpopKeyOf, clock });
    for (let i = 0; i < 10; i++) await client.send('HEAD', EVENTS, user.accessToken);
    await vi.waitFor(() => expect(client.received().match(/\r\n\r\n/g)).toHaveLength(10));
    const statuses = client.received().match(/^HTTP\/1\.1 \d+/gm);
    expect(statuses).toEqual(Array.from({ length: 10 }, () => 'HTTP/1.1 200'));
    expect(client.received()).toContain('content-type: text/event-stream');
    expect(hub.sessionStreams(sessionId)).toBe(0);
    // Keep-alive: the HEAD answers were framed without a body, so the next answer parses.
    await client.send('GET', EVENTS, user.accessToken);
    await client.waitFor('event: hello');
    expect(client.received().match(/^HTTP\/1\.1 \d+/gm)).toHaveLength(11);
    expect(hub.sessionStreams(sessionId)).toBe(1);
    client.socket.destroy();
    await vi.waitFor(() => expect(hub.size).toBe(0));
  });

  const endings = {
    'closes its socket after hello': async (client: RawClient) => {
      await client.waitFor('event: hello');
      client.socket.destroy();
    },
    'resets (RST) while heartbeats are being written': async (client: RawClient) => {
      await client.waitFor('event: ping');
      client.socket.resetAndDestroy();
    },
    'destroys the socket right after sending the request': async (client: RawClient) => {
      client.socket.destroy();
    },
  } satisfies Record<string, (client: RawClient) => Promise<void>>;

  it.each(Object.keys(endings) as (keyof typeof endings)[])(
    'frees every slot when the client %s',
    async (ending) => {
      const { app, signUp, hub, dpopKeyOf, clock } = await setup({ hub: { heartbeatMs: 10 } });
      const user = await signUp();
      const sessionId = await sessionIdOf(user.accountId);
      const port = await listen(app);
      for (let round = 0; round < 3; round++) {
        const clients = await Promise.all(
          Array.from({ length: 5 }, () => rawClient(port, { dpopKeyOf, clock })),
        );
        for (const client of clients) await client.send('GET', EVENTS, user.accessToken);
        await Promise.all(clients.map((client) => endings[ending](client)));
        await Promise.all(clients.map((client) => client.ended));
        await vi.waitFor(() => {
          expect(hub.size).toBe(0);
          expect(hub.sessionStreams(sessionId)).toBe(0);
        });
      }
    },
  );

  it('frees the slot when the client is gone before the app answers (before hello)', async () => {
    const { app, signUp, hub, dpopKeyOf, clock, logLines } = await setup();
    const user = await signUp();
    const sessionId = await sessionIdOf(user.accountId);
    // The request is read, then the app only runs once the connection has closed.
    const port = await listen(app, { beforeApp: ({ outgoing }) => once(outgoing, 'close').then(() => {}) });
    const clients = await Promise.all(Array.from({ length: 5 }, () => rawClient(port, { dpopKeyOf, clock })));
    for (const client of clients) {
      await client.send('GET', EVENTS, user.accessToken);
      await vi.waitFor(() => expect(client.socket.bytesWritten).toBeGreaterThan(0));
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (const client of clients) client.socket.destroy();
    // Every handler ran to the point of opening its stream, then saw the client was gone.
    await vi.waitFor(() =>
      expect(logLines.filter((line) => line.includes('"stream_closed"'))).toHaveLength(5),
    );
    expect(logLines.filter((line) => line.includes('"reason":"disconnected"'))).toHaveLength(5);
    expect(hub.size).toBe(0);
    expect(hub.sessionStreams(sessionId)).toBe(0);
  });

  it('frees the slot when the client half-closes its side after the request', async () => {
    const { app, signUp, hub, dpopKeyOf, clock } = await setup();
    const user = await signUp();
    const port = await listen(app);
    const client = await rawClient(port, { dpopKeyOf, clock });
    await client.send('GET', EVENTS, user.accessToken);
    await client.waitFor('event: hello');
    expect(hub.size).toBe(1);
    client.socket.end();
    await vi.waitFor(() => expect(hub.size).toBe(0));
  });

  it('a client that never reads keeps its slot only until its token expires', async () => {
    const { app, signUp, hub, dpopKeyOf, clock } = await setup({
      hub: { heartbeatMs: 5 },
      app: { accessTokenTtlSeconds: 1 },
    });
    const user = await signUp();
    const port = await listen(app);
    const client = await rawClient(port, { dpopKeyOf, clock });
    client.socket.pause();
    await client.send('GET', EVENTS, user.accessToken);
    await vi.waitFor(() => expect(hub.size).toBe(1));
    await vi.waitFor(() => expect(hub.size).toBe(0), { timeout: 4_000 });
    client.socket.destroy();
  });

  it('ends every socket stream on hub shutdown and frees every slot', async () => {
    const { app, signUp, hub, dpopKeyOf, clock } = await setup();
    const user = await signUp();
    const port = await listen(app);
    const clients = await Promise.all(Array.from({ length: 3 }, () => rawClient(port, { dpopKeyOf, clock })));
    for (const client of clients) await client.send('GET', EVENTS, user.accessToken);
    for (const client of clients) await client.waitFor('event: hello');
    await hub.close();
    expect(hub.size).toBe(0);
    for (const client of clients) await client.waitFor('"reason":"shutdown"');
  });
});

type RawClient = Awaited<ReturnType<typeof rawClient>>;
