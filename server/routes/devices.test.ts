import { randomUUID } from 'node:crypto';
import { and, asc, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AppDeps } from '../app.ts';
import type { Database } from '../db/client.ts';
import { auditEvents, deviceSessions, tokens } from '../db/schema.ts';
import type { PushHub } from '../push/hub.ts';
import { createTestApp, envelope } from '../test-support/app.ts';
import { createTestDatabase, type TestDatabase } from '../test-support/db.ts';
import { readEvents, startPushHub } from '../test-support/push.ts';
import { deviceSessionsResponse, revokeOthersResponse } from './devices-schema.ts';
import { loginResponse, refreshResponse } from './sessions-schema.ts';

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

const DAY = 24 * 60 * 60 * 1000;
const pull = '/v1/sync/changes?since=0';

async function setup(options: { database?: Database; app?: Partial<AppDeps> } = {}) {
  const database = options.database ?? testDb.database;
  const hub = await startPushHub(database);
  hubs.push(hub);
  const t = createTestApp(database, {
    push: hub,
    authRateLimit: { limit: 10_000, windowMs: 60_000 },
    ...options.app,
  });
  /** A request as if from `ip` (the socket address auditMeta reads). */
  const callFrom = (ip: string, method: string, path: string, body?: unknown, token?: string) =>
    t.call(method, path, { ip, ...(body === undefined ? {} : { body }), ...(token ? { token } : {}) });
  const login = async (user: { email: string; authKey: string }, ip = '192.0.2.1') => {
    const res = await callFrom(ip, 'POST', '/v1/sessions', { email: user.email, authKey: user.authKey });
    expect(res.status).toBe(200);
    return loginResponse.parse(await res.json());
  };
  const list = async (token: string) => {
    const res = await t.call('GET', '/v1/sessions', { token });
    expect(res.status).toBe(200);
    return deviceSessionsResponse.parse(await res.json()).sessions;
  };
  const connect = async (token: string) => {
    const res = await t.call('GET', '/v1/sync/events', { token });
    expect(res.status).toBe(200);
    const stream = readEvents(res);
    expect((await stream.next())?.event).toBe('hello');
    return stream;
  };
  const advance = (ms: number) => {
    t.clock.now = new Date(t.clock.now.getTime() + ms);
  };
  return { ...t, hub, callFrom, login, list, connect, advance };
}

const sessionRow = async (id: string) => {
  const [row] = await testDb.asOwner((db) =>
    db.select().from(deviceSessions).where(eq(deviceSessions.id, id)),
  );
  return row;
};

const revokedEvents = (accountId: string) =>
  testDb.asOwner((db) =>
    db
      .select({ sessionId: auditEvents.sessionId, payload: auditEvents.payload })
      .from(auditEvents)
      .where(and(eq(auditEvents.accountId, accountId), eq(auditEvents.type, 'session.revoked')))
      .orderBy(asc(auditEvents.seq)),
  );

const errorOf = async (res: Response) => ({ status: res.status, ...((await res.json()) as object) });

describe('sign-in records the device', () => {
  it('login answers the session id, stores where from and when, and ignores deviceName', async () => {
    const { signUp, callFrom, list, clock } = await setup();
    const user = await signUp();
    const res = await callFrom('203.0.113.7', 'POST', '/v1/sessions', {
      email: user.email,
      authKey: user.authKey,
      deviceName: 'a name the server must not keep',
    });
    expect(res.status).toBe(200);
    const reply = loginResponse.parse(await res.json());
    const row = await sessionRow(reply.sessionId);
    expect(row).toMatchObject({
      accountId: user.accountId,
      createdAt: clock.now,
      lastSeenAt: clock.now,
      createdIp: '203.0.113.7',
      lastIp: '203.0.113.7',
      deviceName: null,
      nameCiphertext: null,
      revokedAt: null,
    });
    const sessions = await list(reply.accessToken);
    expect(sessions).toHaveLength(2);
    expect(sessions.find((s) => s.current)).toEqual({
      id: reply.sessionId,
      name: null,
      createdAt: clock.now.toISOString(),
      lastSeenAt: clock.now.toISOString(),
      createdIp: '203.0.113.7',
      lastIp: '203.0.113.7',
      current: true,
      expiresAt: new Date(clock.now.getTime() + 14 * DAY).toISOString(),
    });
    expect(sessions.find((s) => !s.current)?.id).toBe(user.sessionId);
  });

  it('last seen moves at most once a minute per session, with the address of that use', async () => {
    const { signUp, login, callFrom, advance, clock } = await setup();
    const user = await signUp();
    const device = await login(user, '198.51.100.1');
    const signedInAt = clock.now;
    advance(30_000);
    expect((await callFrom('198.51.100.2', 'GET', pull, undefined, device.accessToken)).status).toBe(200);
    // Fresh (under a minute): no write.
    expect(await sessionRow(device.sessionId)).toMatchObject({
      lastSeenAt: signedInAt,
      lastIp: '198.51.100.1',
    });
    advance(31_000);
    expect((await callFrom('198.51.100.3', 'GET', pull, undefined, device.accessToken)).status).toBe(200);
    expect(await sessionRow(device.sessionId)).toMatchObject({
      lastSeenAt: clock.now,
      lastIp: '198.51.100.3',
      createdIp: '198.51.100.1',
    });
    // A refresh is a use too (written by the refresh itself).
    advance(10 * 60_000);
    const refreshed = await callFrom('198.51.100.4', 'POST', '/v1/sessions/refresh', {
      refreshToken: device.refreshToken,
    });
    expect(refreshed.status).toBe(200);
    expect(await sessionRow(device.sessionId)).toMatchObject({
      lastSeenAt: clock.now,
      lastIp: '198.51.100.4',
    });
  });
});

describe('device routes', () => {
  it('lists only live sessions of the account, most recently seen first', async () => {
    const { signUp, login, list, advance, call } = await setup();
    const user = await signUp();
    const stranger = await signUp();
    advance(120_000);
    const b = await login(user);
    advance(120_000);
    const c = await login(user);
    expect((await call('DELETE', '/v1/sessions/current', { token: c.accessToken })).status).toBe(204);
    advance(120_000);
    expect((await call('GET', pull, { token: user.accessToken })).status).toBe(200);
    const sessions = await list(user.accessToken);
    expect(sessions.map((s) => s.id)).toEqual([user.sessionId, b.sessionId]);
    expect(sessions.map((s) => s.current)).toEqual([true, false]);
    expect(sessions.map((s) => s.id)).not.toContain(stranger.sessionId);
  });

  it('PUT /current/name stores the sealed name; bad names are refused', async () => {
    const { signUp, list, call } = await setup();
    const user = await signUp();
    const name = envelope(90);
    const put = await call('PUT', '/v1/sessions/current/name', { token: user.accessToken, body: { name } });
    expect(put.status).toBe(204);
    expect((await list(user.accessToken))[0]?.name).toBe(name);
    for (const bad of [{}, { name: 'My laptop' }, { name: `k1.${'A'.repeat(2100)}` }, { name: 7 }]) {
      const res = await call('PUT', '/v1/sessions/current/name', { token: user.accessToken, body: bad });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'VALIDATION', field: 'name' } });
    }
    expect((await list(user.accessToken))[0]?.name).toBe(name);
    // The activity list carries the same sealed name for the session's events.
    const activity = (await (await call('GET', '/v1/activity', { token: user.accessToken })).json()) as {
      events: Array<{ type: string; device: { name: string | null } | null }>;
    };
    expect(activity.events.find((e) => e.type === 'login.succeeded')?.device?.name).toBe(name);
    expect((await call('PUT', '/v1/sessions/current/name', { body: { name } })).status).toBe(401);
  });

  it('DELETE /:id ends another device at its very next request, recorded with who did it', async () => {
    const { signUp, login, call } = await setup();
    const user = await signUp();
    const other = await login(user);
    const res = await call('DELETE', `/v1/sessions/${other.sessionId}`, { token: user.accessToken });
    expect(res.status).toBe(204);
    expect(await errorOf(await call('GET', pull, { token: other.accessToken }))).toMatchObject({
      status: 401,
      error: { code: 'SESSION_ENDED', reason: 'remote-logout', message: expect.any(String) },
    });
    const refresh = await call('POST', '/v1/sessions/refresh', {
      body: { refreshToken: other.refreshToken },
    });
    expect(await errorOf(refresh)).toMatchObject({
      status: 401,
      error: { code: 'SESSION_ENDED', reason: 'remote-logout' },
    });
    expect((await call('GET', pull, { token: user.accessToken })).status).toBe(200);
    expect(await sessionRow(other.sessionId)).toMatchObject({ revokedReason: 'remote-logout' });
    expect(await revokedEvents(user.accountId)).toEqual([
      { sessionId: other.sessionId, payload: { reason: 'remote-logout', by: user.sessionId } },
    ]);
    // Ended already: no longer a live session to end.
    const again = await call('DELETE', `/v1/sessions/${other.sessionId}`, { token: user.accessToken });
    expect(await errorOf(again)).toMatchObject({ status: 404, error: { code: 'NOT_FOUND' } });
  });

  it('DELETE /:id refuses its own id, unknown ids and other accounts’ sessions', async () => {
    const { signUp, call } = await setup();
    const user = await signUp();
    const stranger = await signUp();
    const own = await call('DELETE', `/v1/sessions/${user.sessionId}`, { token: user.accessToken });
    expect(await errorOf(own)).toMatchObject({ status: 400, error: { code: 'VALIDATION', field: 'id' } });
    for (const id of [randomUUID(), stranger.sessionId, 'not-a-uuid', `${user.sessionId}x`]) {
      const res = await call('DELETE', `/v1/sessions/${id}`, { token: user.accessToken });
      expect(await errorOf(res)).toMatchObject({ status: 404, error: { code: 'NOT_FOUND' } });
    }
    expect((await call('GET', pull, { token: stranger.accessToken })).status).toBe(200);
    expect((await call('DELETE', `/v1/sessions/${stranger.sessionId}`)).status).toBe(401);
  });

  it('POST /revoke-others ends every other session of the account and keeps the caller', async () => {
    const { signUp, login, call } = await setup();
    const user = await signUp();
    const stranger = await signUp();
    const others = [await login(user), await login(user)];
    const res = await call('POST', '/v1/sessions/revoke-others', { token: user.accessToken });
    expect(res.status).toBe(200);
    expect(revokeOthersResponse.parse(await res.json())).toEqual({ ended: 2 });
    for (const other of others) {
      expect(await errorOf(await call('GET', pull, { token: other.accessToken }))).toMatchObject({
        error: { code: 'SESSION_ENDED', reason: 'others-logged-out' },
      });
    }
    expect((await call('GET', pull, { token: user.accessToken })).status).toBe(200);
    expect((await call('GET', pull, { token: stranger.accessToken })).status).toBe(200);
    const recorded = await revokedEvents(user.accountId);
    expect(recorded).toHaveLength(2);
    expect(recorded.map((e) => e.payload)).toEqual([
      { reason: 'others-logged-out', by: user.sessionId },
      { reason: 'others-logged-out', by: user.sessionId },
    ]);
    const none = await call('POST', '/v1/sessions/revoke-others', { token: user.accessToken });
    expect(await none.json()).toEqual({ ended: 0 });
  });

  it('the device routes need a token', async () => {
    const { signUp, call } = await setup();
    await signUp();
    for (const [method, path] of [
      ['GET', '/v1/sessions'],
      ['POST', '/v1/sessions/revoke-others'],
      ['DELETE', `/v1/sessions/${randomUUID()}`],
    ] as const) {
      expect(await errorOf(await call(method, path))).toMatchObject({
        status: 401,
        error: { code: 'UNAUTHENTICATED' },
      });
    }
  });
});

describe('expiry', () => {
  it('a session unused for the idle limit ends at its next use, recorded as idle', async () => {
    const { signUp, call, advance } = await setup();
    const user = await signUp();
    advance(13 * DAY);
    const early = await call('POST', '/v1/sessions/refresh', { body: { refreshToken: user.refreshToken } });
    expect(early.status).toBe(200);
    const fresh = refreshResponse.parse(await early.json());
    advance(14 * DAY);
    const late = await call('POST', '/v1/sessions/refresh', { body: { refreshToken: fresh.refreshToken } });
    expect(await errorOf(late)).toMatchObject({
      status: 401,
      error: { code: 'SESSION_ENDED', reason: 'idle' },
    });
    expect(await sessionRow(user.sessionId)).toMatchObject({ revokedReason: 'idle' });
    expect(await revokedEvents(user.accountId)).toEqual([
      { sessionId: user.sessionId, payload: { reason: 'idle' } },
    ]);
  });

  it('a session used every day still ends at the absolute limit; no refresh token outlives it', async () => {
    const { signUp, call, advance, clock } = await setup({ app: { accessTokenTtlSeconds: 3 * 86_400 } });
    const user = await signUp();
    const signedInAt = clock.now.getTime();
    let refreshToken = user.refreshToken;
    let accessToken = user.accessToken;
    for (let day = 1; day < 30; day++) {
      advance(DAY - 1000);
      const res = await call('POST', '/v1/sessions/refresh', { body: { refreshToken } });
      expect(res.status).toBe(200);
      ({ refreshToken, accessToken } = refreshResponse.parse(await res.json()));
    }
    const refreshRows = await testDb.asOwner((db) =>
      db.select({ expiresAt: tokens.expiresAt }).from(tokens).where(eq(tokens.kind, 'refresh')),
    );
    for (const row of refreshRows) expect(row.expiresAt.getTime()).toBeLessThanOrEqual(signedInAt + 30 * DAY);
    expect((await call('GET', pull, { token: accessToken })).status).toBe(200);
    advance(DAY + 60_000);
    expect(await errorOf(await call('GET', pull, { token: accessToken }))).toMatchObject({
      status: 401,
      error: { code: 'SESSION_ENDED', reason: 'absolute' },
    });
    expect(await revokedEvents(user.accountId)).toEqual([
      { sessionId: user.sessionId, payload: { reason: 'absolute' } },
    ]);
  });

  it('limits come from AppDeps (SESSION_IDLE_DAYS / SESSION_ABSOLUTE_DAYS)', async () => {
    const { signUp, call, advance, list } = await setup({
      app: { sessionLimits: { idleDays: 2, absoluteDays: 3, maxPerAccount: 5 } },
    });
    const user = await signUp();
    expect((await list(user.accessToken))[0]?.expiresAt).toBe('2030-01-03T00:00:00.000Z');
    advance(2 * DAY);
    const res = await call('POST', '/v1/sessions/refresh', { body: { refreshToken: user.refreshToken } });
    expect(await errorOf(res)).toMatchObject({ error: { code: 'SESSION_ENDED', reason: 'idle' } });
  });
});

describe('the per-account cap', () => {
  it('a sign-in beyond the cap ends the least recently seen session, recorded', async () => {
    const { signUp, login, call, advance, list } = await setup({
      app: { sessionLimits: { idleDays: 14, absoluteDays: 30, maxPerAccount: 3 } },
    });
    const user = await signUp();
    advance(120_000);
    const b = await login(user);
    advance(120_000);
    const c = await login(user);
    // The first session is used again: now the second is the least recently seen.
    advance(120_000);
    expect((await call('GET', pull, { token: user.accessToken })).status).toBe(200);
    advance(120_000);
    const d = await login(user);
    expect(await errorOf(await call('GET', pull, { token: b.accessToken }))).toMatchObject({
      error: { code: 'SESSION_ENDED', reason: 'session-cap' },
    });
    const live = await list(d.accessToken);
    expect(live.map((s) => s.id).sort()).toEqual([user.sessionId, c.sessionId, d.sessionId].sort());
    expect(await revokedEvents(user.accountId)).toEqual([
      { sessionId: b.sessionId, payload: { reason: 'session-cap', by: d.sessionId } },
    ]);
  });

  it('sessions already past a limit end as such first, and do not cost a live one its place', async () => {
    const { signUp, login, call, advance } = await setup({
      app: { sessionLimits: { idleDays: 1, absoluteDays: 30, maxPerAccount: 2 } },
    });
    const user = await signUp();
    advance(DAY + 1);
    const b = await login(user);
    const c = await login(user);
    expect((await call('GET', pull, { token: b.accessToken })).status).toBe(200);
    expect((await call('GET', pull, { token: c.accessToken })).status).toBe(200);
    expect(await revokedEvents(user.accountId)).toEqual([
      { sessionId: user.sessionId, payload: { reason: 'idle' } },
    ]);
  });
});

describe('push channel', () => {
  it("a device's stream hears another device sign in and name itself; remote logout closes the other's stream", async () => {
    const { signUp, login, connect, call } = await setup();
    const user = await signUp();
    const stranger = await signUp();
    const a = await connect(user.accessToken);
    const strangerStream = await connect(stranger.accessToken);
    const b = await login(user);
    expect(await a.nextEvent()).toEqual({
      event: 'session',
      data: { sessionId: b.sessionId, kind: 'signed-in' },
    });
    const bStream = await connect(b.accessToken);
    const put = await call('PUT', '/v1/sessions/current/name', {
      token: b.accessToken,
      body: { name: envelope() },
    });
    expect(put.status).toBe(204);
    expect(await a.nextEvent()).toEqual({
      event: 'session',
      data: { sessionId: b.sessionId, kind: 'named' },
    });
    // Not told of itself; other accounts hear nothing.
    expect(await bStream.quietFor(200)).toBe(true);
    expect(await strangerStream.quietFor(50)).toBe(true);

    const started = Date.now();
    expect((await call('DELETE', `/v1/sessions/${b.sessionId}`, { token: user.accessToken })).status).toBe(
      204,
    );
    expect(await bStream.rest()).toEqual([{ event: 'bye', data: { reason: 'remote-logout' } }]);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await a.quietFor(200)).toBe(true);
    await a.cancel();
    await strangerStream.cancel();
  });

  it('works across two server processes on the same database', async () => {
    // PostgreSQL: a second pool and LISTEN connection. PGlite is single-process: shared client, own hub.
    const other = testDb.driver === 'postgres' ? await testDb.openAnother() : testDb.database;
    const one = await setup();
    const two = await setup({ database: other });
    const user = await one.signUp();
    const a = await one.connect(user.accessToken);
    const b = await two.login(user);
    expect(await a.nextEvent()).toEqual({
      event: 'session',
      data: { sessionId: b.sessionId, kind: 'signed-in' },
    });
    const bStream = await two.connect(b.accessToken);
    expect(two.hub.size).toBe(1);
    const res = await one.call('DELETE', `/v1/sessions/${b.sessionId}`, { token: user.accessToken });
    expect(res.status).toBe(204);
    expect(await bStream.rest()).toEqual([{ event: 'bye', data: { reason: 'remote-logout' } }]);
    expect((await two.call('GET', pull, { token: b.accessToken })).status).toBe(401);
    await a.cancel();
  });

  it('revoke-others and account deletion close streams with their reason', async () => {
    const { signUp, login, connect, call } = await setup();
    const user = await signUp();
    const b = await login(user);
    const bStream = await connect(b.accessToken);
    expect((await call('POST', '/v1/sessions/revoke-others', { token: user.accessToken })).status).toBe(200);
    expect(await bStream.rest()).toEqual([{ event: 'bye', data: { reason: 'others-logged-out' } }]);

    const c = await login(user);
    const cStream = await connect(c.accessToken);
    const deleted = await call('DELETE', '/v1/accounts/current', {
      token: user.accessToken,
      body: { authKey: user.authKey },
    });
    expect(deleted.status).toBe(204);
    expect(await cStream.rest()).toEqual([{ event: 'bye', data: { reason: 'account-deleted' } }]);
    // The rows went with the account: its tokens are simply unknown now.
    expect(await errorOf(await call('GET', pull, { token: c.accessToken }))).toMatchObject({
      error: { code: 'INVALID_TOKEN' },
    });
  });
});
