import { and, asc, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { auditEvents, deviceSessions, tokens } from '../db/schema.ts';
import { REFRESH_GRACE_MS } from '../session-limits.ts';
import { b64u, createTestApp, testTokenHasher } from '../test-support/app.ts';
import { createTestDatabase, type TestDatabase } from '../test-support/db.ts';
import { boundSession } from '../test-support/dpop.ts';
import { limitsOn } from '../test-support/limits.ts';
import { issueTokens } from '../tokens.ts';
import { loginResponse, refreshResponse } from './sessions-schema.ts';

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb.dispose());
beforeEach(() => testDb.truncate());

const pull = '/v1/sync/changes?since=0';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('POST /v1/sessions (login)', () => {
  it('returns tokens, the wrapped vault key, its version, KDF parameters and no rotation', async () => {
    const { call, registration, clock } = createTestApp(testDb.database);
    const account = registration();
    await call('POST', '/v1/accounts', { body: account });
    const res = await call('POST', '/v1/sessions', {
      body: { email: account.email, authKey: account.authKey, deviceName: 'laptop' },
    });
    expect(res.status).toBe(200);
    const body = loginResponse.parse(await res.json());
    expect(body).toMatchObject({
      accountId: account.accountId,
      wrappedVaultKey: account.wrappedVaultKey,
      kdf: account.kdf,
      salt: account.salt,
      accessExpiresAt: new Date(clock.now.getTime() + 900_000).toISOString(),
      keyVersion: 1,
      rotation: null,
    });
    expect(body.accessToken).not.toBe(body.refreshToken);
    // Only hashes are stored.
    const stored = await testDb.asOwner((db) =>
      db.select({ hash: tokens.hash, scopes: tokens.scopes }).from(tokens),
    );
    expect(stored.map((t) => t.hash)).not.toContain(body.accessToken);
    expect(stored[0]?.scopes).toEqual(['vault:read', 'vault:write', 'account']);
    expect((await call('GET', pull, { token: body.accessToken })).status).toBe(200);
  });

  it('answers a wrong password and an unknown email with the same 401 INVALID_CREDENTIALS', async () => {
    const { call, registration } = createTestApp(testDb.database);
    const account = registration();
    await call('POST', '/v1/accounts', { body: account });
    const wrong = await call('POST', '/v1/sessions', {
      body: { email: account.email, authKey: b64u(32), deviceName: 'd' },
    });
    const unknown = await call('POST', '/v1/sessions', {
      body: { email: 'nobody@example.com', authKey: b64u(32), deviceName: 'd' },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const [w, u] = [await wrong.json(), await unknown.json()];
    expect(w).toEqual(u);
    expect(w).toMatchObject({ error: { code: 'INVALID_CREDENTIALS' } });
  });

  it('locks an account after 5 consecutive failures, with a growing window, and resets on success', async () => {
    // Locks of 1 s instead of 60 s (the store's clock is the real one); the same doubling.
    const { call, registration } = createTestApp(testDb.database, {
      limits: limitsOn(testDb.database, { lockBaseSeconds: 1 }),
    });
    const account = registration();
    await call('POST', '/v1/accounts', { body: account });
    const attempt = (authKey: string) =>
      call('POST', '/v1/sessions', { body: { email: account.email, authKey, deviceName: 'd' } });
    for (let i = 0; i < 5; i++) expect((await attempt(b64u(32))).status).toBe(401);
    const locked = await attempt(account.authKey);
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toBe('1');
    expect(await locked.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });

    await sleep(1100);
    expect((await attempt(b64u(32))).status).toBe(401); // the first failure after a lock locks again, twice as long
    const again = await attempt(account.authKey);
    expect(again.status).toBe(429);
    expect(again.headers.get('retry-after')).toBe('2');

    await sleep(2100);
    expect((await attempt(account.authKey)).status).toBe(200);
    // The success reset the counter: one more failure does not lock.
    expect((await attempt(b64u(32))).status).toBe(401);
    expect((await attempt(account.authKey)).status).toBe(200);
  });

  it('checks at most 5 guesses even when 40 arrive at once', async () => {
    const { call, registration } = createTestApp(testDb.database, {
      authRateLimit: { limit: 1000, windowMs: 60_000 },
    });
    const account = registration();
    await call('POST', '/v1/accounts', { body: account });
    const results = await Promise.all(
      Array.from({ length: 40 }, () =>
        call('POST', '/v1/sessions', { body: { email: account.email, authKey: b64u(32), deviceName: 'd' } }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(35);
  });

  it('names the missing field', async () => {
    const { call } = createTestApp(testDb.database);
    const res = await call('POST', '/v1/sessions', { body: { email: 'a@example.com' } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'VALIDATION', field: 'authKey' } });
  });
});

describe('access tokens', () => {
  it('401 UNAUTHENTICATED without a token, 401 INVALID_TOKEN for an unknown one', async () => {
    const { call } = createTestApp(testDb.database);
    const none = await call('GET', pull);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('DPoP algs="ES256"');
    expect(await none.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    const bogus = await call('GET', pull, { token: b64u(32) });
    expect(bogus.status).toBe(401);
    expect(await bogus.json()).toMatchObject({ error: { code: 'INVALID_TOKEN' } });
    const basic = await call('GET', pull, { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(await basic.json()).toMatchObject({ error: { code: 'INVALID_TOKEN' } });
  });

  it('rejects an expired access token', async () => {
    const { call, signUp, clock } = createTestApp(testDb.database);
    const user = await signUp();
    clock.now = new Date(clock.now.getTime() + 899_000);
    expect((await call('GET', pull, { token: user.accessToken })).status).toBe(200);
    clock.now = new Date(clock.now.getTime() + 1_000);
    const expired = await call('GET', pull, { token: user.accessToken });
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ error: { code: 'INVALID_TOKEN' } });
  });

  it('never accepts a refresh token as an access token', async () => {
    const { call, signUp } = createTestApp(testDb.database);
    const user = await signUp();
    expect((await call('GET', pull, { token: user.refreshToken })).status).toBe(401);
  });

  it('403 FORBIDDEN_SCOPE when the token lacks the route scope', async () => {
    const { call, signUp, clock, defaultDpopKey } = createTestApp(testDb.database);
    const user = await signUp();
    const readOnly = await testDb.asOwner(async (db) =>
      issueTokens(db, {
        hasher: testTokenHasher,
        accountId: user.accountId,
        sessionId: await boundSession(db, user.accountId, clock.now, (await defaultDpopKey()).jkt),
        scopes: ['vault:read'],
        now: clock.now,
        accessTtlSeconds: 900,
      }),
    );
    expect((await call('GET', pull, { token: readOnly.accessToken })).status).toBe(200);
    const push = await call('POST', '/v1/sync/push', {
      token: readOnly.accessToken,
      body: { changes: [] },
    });
    expect(push.status).toBe(403);
    expect(await push.json()).toMatchObject({ error: { code: 'FORBIDDEN_SCOPE' } });
    const logout = await call('DELETE', '/v1/sessions/current', { token: readOnly.accessToken });
    expect(logout.status).toBe(403);
  });
});

describe('POST /v1/sessions/refresh', () => {
  it('rotates: new pair works, old refresh token is marked used', async () => {
    const { call, signUp } = createTestApp(testDb.database);
    const user = await signUp();
    const res = await call('POST', '/v1/sessions/refresh', { body: { refreshToken: user.refreshToken } });
    expect(res.status).toBe(200);
    const next = refreshResponse.parse(await res.json());
    expect(next.refreshToken).not.toBe(user.refreshToken);
    expect((await call('GET', pull, { token: next.accessToken })).status).toBe(200);
    const again = await call('POST', '/v1/sessions/refresh', { body: { refreshToken: next.refreshToken } });
    expect(again.status).toBe(200);
  });

  it('reuse of a rotated refresh token after the grace window ends the whole device session', async () => {
    const { call, signUp, clock } = createTestApp(testDb.database);
    const user = await signUp();
    const rotated = refreshResponse.parse(
      await (
        await call('POST', '/v1/sessions/refresh', { body: { refreshToken: user.refreshToken } })
      ).json(),
    );
    clock.now = new Date(clock.now.getTime() + REFRESH_GRACE_MS + 1);
    const reuse = await call('POST', '/v1/sessions/refresh', { body: { refreshToken: user.refreshToken } });
    expect(reuse.status).toBe(401);
    expect(await reuse.json()).toMatchObject({ error: { code: 'SESSION_ENDED', reason: 'refresh-reuse' } });
    // Every token of the session is now dead, including the legitimately rotated ones.
    const pulled = await call('GET', pull, { token: rotated.accessToken });
    expect(pulled.status).toBe(401);
    expect(await pulled.json()).toMatchObject({ error: { code: 'SESSION_ENDED', reason: 'refresh-reuse' } });
    expect((await call('GET', pull, { token: user.accessToken })).status).toBe(401);
    const stolen = await call('POST', '/v1/sessions/refresh', {
      body: { refreshToken: rotated.refreshToken },
    });
    expect(stolen.status).toBe(401);
    const [session] = await testDb.asOwner((db) => db.select().from(deviceSessions));
    expect(session?.revokedAt).not.toBeNull();
    expect(session?.revokedReason).toBe('refresh-reuse');
    const events = await testDb.asOwner((db) =>
      db
        .select({ type: auditEvents.type, payload: auditEvents.payload })
        .from(auditEvents)
        .where(eq(auditEvents.sessionId, user.sessionId))
        .orderBy(asc(auditEvents.seq)),
    );
    expect(events.slice(-2)).toEqual([
      { type: 'refresh.reused', payload: {} },
      { type: 'session.revoked', payload: { reason: 'refresh-reuse' } },
    ]);
  });

  it('a refresh retried after its answer was lost gets a new pair; the lost one is dropped later', async () => {
    const { call, signUp, clock } = createTestApp(testDb.database);
    const user = await signUp();
    const body = { refreshToken: user.refreshToken };
    const lost = refreshResponse.parse(await (await call('POST', '/v1/sessions/refresh', { body })).json());
    clock.now = new Date(clock.now.getTime() + REFRESH_GRACE_MS);
    const retried = await call('POST', '/v1/sessions/refresh', { body });
    expect(retried.status).toBe(200);
    const kept = refreshResponse.parse(await retried.json());
    expect(kept.refreshToken).not.toBe(lost.refreshToken);
    expect((await call('GET', pull, { token: kept.accessToken })).status).toBe(200);
    // The device goes on with the answer it got: its next refresh works and revokes the lost sibling.
    clock.now = new Date(clock.now.getTime() + 60_000);
    const next = await call('POST', '/v1/sessions/refresh', { body: { refreshToken: kept.refreshToken } });
    expect(next.status).toBe(200);
    const dropped = await call('POST', '/v1/sessions/refresh', { body: { refreshToken: lost.refreshToken } });
    expect(dropped.status).toBe(401);
    expect(await dropped.json()).toMatchObject({ error: { code: 'INVALID_TOKEN' } });
    // Presenting a dropped sibling is no reuse: the session lives on.
    const latest = refreshResponse.parse(await next.json());
    expect((await call('GET', pull, { token: latest.accessToken })).status).toBe(200);
  });

  for (const stored of ['first', 'second'] as const) {
    it(`two refreshes sent at once both succeed, and the ${stored} answer refreshes next`, async () => {
      const { call, signUp, clock } = createTestApp(testDb.database);
      const user = await signUp();
      const body = { refreshToken: user.refreshToken };
      const answers = await Promise.all([
        call('POST', '/v1/sessions/refresh', { body }),
        call('POST', '/v1/sessions/refresh', { body }),
      ]);
      expect(answers.map((a) => a.status)).toEqual([200, 200]);
      const [first, second] = await Promise.all(
        answers.map(async (a) => refreshResponse.parse(await a.json())),
      );
      if (!first || !second) throw new Error('two answers expected');
      expect(first.refreshToken).not.toBe(second.refreshToken);
      const kept = stored === 'first' ? first : second;
      clock.now = new Date(clock.now.getTime() + 15 * 60_000);
      const next = await call('POST', '/v1/sessions/refresh', { body: { refreshToken: kept.refreshToken } });
      expect(next.status).toBe(200);
      const after = refreshResponse.parse(await next.json());
      expect((await call('GET', pull, { token: after.accessToken })).status).toBe(200);
      const [session] = await testDb.asOwner((db) => db.select().from(deviceSessions));
      expect(session?.revokedAt).toBeNull();
      // At most one fork lives: the other answer's refresh token was revoked by that refresh.
      const live = await testDb.asOwner((db) =>
        db
          .select({ hash: tokens.hash })
          .from(tokens)
          .where(and(eq(tokens.kind, 'refresh'), isNull(tokens.usedAt), isNull(tokens.revokedAt))),
      );
      expect(live).toHaveLength(1);
    });
  }

  it('grace is for the most recently used token only: an older one ends the session', async () => {
    const { call, signUp } = createTestApp(testDb.database);
    const user = await signUp();
    const second = refreshResponse.parse(
      await (
        await call('POST', '/v1/sessions/refresh', { body: { refreshToken: user.refreshToken } })
      ).json(),
    );
    expect(
      (await call('POST', '/v1/sessions/refresh', { body: { refreshToken: second.refreshToken } })).status,
    ).toBe(200);
    // Within 30 s of its use, but a later token was used since: a copy, not a retry.
    const replay = await call('POST', '/v1/sessions/refresh', { body: { refreshToken: user.refreshToken } });
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({ error: { code: 'SESSION_ENDED', reason: 'refresh-reuse' } });
  });

  it('401 INVALID_TOKEN for an unknown or expired refresh token', async () => {
    const { call, signUp, clock } = createTestApp(testDb.database, {
      sessionLimits: { idleDays: 60, absoluteDays: 90, maxPerAccount: 5 },
    });
    const user = await signUp();
    expect((await call('POST', '/v1/sessions/refresh', { body: { refreshToken: b64u(32) } })).status).toBe(
      401,
    );
    clock.now = new Date(clock.now.getTime() + 31 * 24 * 3600 * 1000);
    const expired = await call('POST', '/v1/sessions/refresh', { body: { refreshToken: user.refreshToken } });
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ error: { code: 'INVALID_TOKEN' } });
  });
});

describe('DELETE /v1/sessions/current', () => {
  it('revokes the session: its tokens fail on the very next request; other sessions live on', async () => {
    const { call, signUp } = createTestApp(testDb.database);
    const user = await signUp();
    const other = (await (
      await call('POST', '/v1/sessions', {
        body: { email: user.email, authKey: user.authKey, deviceName: 'phone' },
      })
    ).json()) as { accessToken: string };
    const res = await call('DELETE', '/v1/sessions/current', { token: user.accessToken });
    expect(res.status).toBe(204);
    expect((await call('GET', pull, { token: user.accessToken })).status).toBe(401);
    expect(
      (await call('POST', '/v1/sessions/refresh', { body: { refreshToken: user.refreshToken } })).status,
    ).toBe(401);
    expect((await call('GET', pull, { token: other.accessToken })).status).toBe(200);
    const revoked = await testDb.asOwner((db) =>
      db.select({ revokedAt: tokens.revokedAt }).from(tokens).where(eq(tokens.accountId, user.accountId)),
    );
    expect(revoked.filter((t) => t.revokedAt !== null)).toHaveLength(2);
  });
});
