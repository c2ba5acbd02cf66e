import { randomUUID } from 'node:crypto';
import { asc, eq, sql } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  accounts,
  auditCheckpoints,
  auditEvents,
  auditHead,
  auditSigningKeys,
  deviceSessions,
  tokens,
} from '../db/schema.ts';
import { activityResponse } from '../routes/activity-schema.ts';
import { CONFLICT_STORM } from '../routes/sync.ts';
import { REFRESH_GRACE_MS } from '../session-limits.ts';
import { b64u, createTestApp, envelope } from '../test-support/app.ts';
import { createTestDatabase, type TestDatabase } from '../test-support/db.ts';
import type { ChainedEvent } from './chain.ts';
import { AuditSealer } from './sealer.ts';
import { generateSigningKey } from './signing.ts';
import { verifyChain } from './verify.ts';

/**
 * What the audit log records, driven through the real routes: each security event once, with its
 * account, session and request id, in the transaction of its action — and nothing of an action
 * when its event cannot be written.
 */

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb.dispose());
beforeEach(() => testDb.truncate());

const events = () =>
  testDb.asOwner((db) => db.select().from(auditEvents).orderBy(asc(auditEvents.seq))) as Promise<
    ChainedEvent[]
  >;
const types = async () => (await events()).map((e) => e.type);

/** Every chain recomputed and checked, as `npm run audit:verify` does. */
async function verifyAll(key = generateSigningKey()) {
  const sealer = new AuditSealer({ db: testDb.database.db, key, logger: pino({ level: 'silent' }) });
  await sealer.start();
  await sealer.checkpoint();
  await sealer.close();
  return testDb.asOwner(async (db) => {
    const [head] = await db.select().from(auditHead);
    const rows = (await db.select().from(auditEvents).orderBy(asc(auditEvents.seq))) as ChainedEvent[];
    async function* stream() {
      yield* rows;
    }
    return verifyChain({
      keys: await db.select().from(auditSigningKeys),
      checkpoints: await db.select().from(auditCheckpoints).orderBy(asc(auditCheckpoints.seq)),
      head: head ?? { lastEventSeq: 0, hash: '', prunedThroughSeq: 0, prunedThroughHash: '' },
      events: stream(),
    });
  });
}

describe(`audit trail (${process.env.DATABASE_URL ? 'postgres' : 'pglite'})`, () => {
  it('records sign-up, sign-in, failures, lockout and logout with who, which session and which request', async () => {
    const t = createTestApp(testDb.database, { authRateLimit: { limit: 1000, windowMs: 60_000 } });
    const user = await t.signUp();
    const wrong = { email: user.email, authKey: b64u(32), deviceName: 'guesser' };
    for (let i = 0; i < 5; i++)
      expect((await t.call('POST', '/v1/sessions', { body: wrong })).status).toBe(401);
    expect((await t.call('POST', '/v1/sessions', { body: wrong })).status).toBe(429);
    const unknown = { email: 'nobody@example.com', authKey: b64u(32), deviceName: 'x' };
    expect(
      (await t.call('POST', '/v1/sessions', { body: unknown, headers: { 'x-request-id': 'req-unknown-1' } }))
        .status,
    ).toBe(401);
    expect((await t.call('DELETE', '/v1/sessions/current', { token: user.accessToken })).status).toBe(204);

    const log = await events();
    expect(log.map((e) => e.type)).toEqual([
      'account.created',
      'login.succeeded',
      'login.failed',
      'login.failed',
      'login.failed',
      'login.failed',
      'login.failed',
      'account.locked',
      'rate.limited',
      'login.failed',
      'session.revoked',
    ]);
    const [created, signedIn] = log;
    expect(created).toMatchObject({ accountId: user.accountId, sessionId: null, accountSeq: 1 });
    const [session] = await testDb.asOwner((db) => db.select().from(deviceSessions));
    expect(signedIn).toMatchObject({ accountId: user.accountId, sessionId: session?.id, accountSeq: 2 });
    expect(log[2]).toMatchObject({ payload: { reason: 'wrong-key' }, accountId: user.accountId });
    expect(log[7]).toMatchObject({ type: 'account.locked', payload: { failedAttempts: 5 } });
    expect(log[8]).toMatchObject({ payload: { reason: 'account-locked', retryAfterSeconds: 60 } });
    expect(log[9]).toMatchObject({
      accountId: null,
      accountSeq: null,
      requestId: 'req-unknown-1',
      payload: { reason: 'unknown-account' },
    });
    expect(log.at(-1)).toMatchObject({ payload: { reason: 'logout' }, sessionId: session?.id });
    expect(log.every((e) => typeof e.requestId === 'string' && e.requestId.length > 0)).toBe(true);

    // Nothing secret went in: no auth key, token, email or ciphertext anywhere in the events.
    const dump = JSON.stringify(log);
    for (const secret of [
      user.authKey,
      wrong.authKey,
      user.accessToken,
      user.refreshToken,
      user.email,
      unknown.email,
    ]) {
      expect(dump).not.toContain(secret);
    }
    expect(await verifyAll()).toMatchObject({ ok: true, events: log.length, accounts: 1 });
  });

  it('sends each committed event to the log as one JSON line of its own type', async () => {
    const t = createTestApp(testDb.database);
    await t.signUp();
    const lines = t.logLines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((l) => l.logType === 'audit');
    expect(lines.map((l) => l.type)).toEqual(['account.created', 'login.succeeded']);
    expect(lines[0]).toMatchObject({ seq: 1, msg: 'audit' });
    expect(typeof lines[0]?.hash).toBe('string');
  });

  it('records refresh-token reuse, the session it ended, and an expired token once', async () => {
    const t = createTestApp(testDb.database);
    const user = await t.signUp();
    const refresh = (refreshToken: string) =>
      t.call('POST', '/v1/sessions/refresh', { body: { refreshToken } });
    const first = (await (await refresh(user.refreshToken)).json()) as { accessToken: string };
    // Past the grace for a lost or doubled refresh (docs/sessions.md): a reuse now ends the session.
    t.clock.now = new Date(t.clock.now.getTime() + REFRESH_GRACE_MS + 1000);
    expect((await refresh(user.refreshToken)).status).toBe(401);
    expect((await types()).slice(-2)).toEqual(['refresh.reused', 'session.revoked']);

    const other = await t.signUp();
    t.clock.now = new Date(t.clock.now.getTime() + 3_600_000);
    for (let i = 0; i < 3; i++) {
      expect((await t.call('GET', '/v1/sync/changes', { token: other.accessToken })).status).toBe(401);
    }
    const expired = (await events()).filter((e) => e.type === 'token.expired');
    expect(expired).toHaveLength(1);
    expect(expired[0]).toMatchObject({ accountId: other.accountId, payload: { kind: 'access' } });
    // A revoked token is not "expired": it records nothing more.
    expect((await t.call('GET', '/v1/sync/changes', { token: first.accessToken })).status).toBe(401);
    expect((await events()).filter((e) => e.type === 'token.expired')).toHaveLength(1);
  });

  it('records the first refusal of an IP rate-limit window, not the whole flood', async () => {
    const t = createTestApp(testDb.database, { authRateLimit: { limit: 2, windowMs: 60_000 } });
    for (let i = 0; i < 6; i++)
      await t.call('POST', '/v1/accounts/prelogin', { body: { email: 'a@example.com' } });
    const limited = (await events()).filter((e) => e.type === 'rate.limited');
    expect(limited).toHaveLength(1);
    expect(limited[0]).toMatchObject({
      accountId: null,
      payload: { reason: 'ip', route: '/v1/accounts/prelogin' },
    });
  });

  it('records refused pushes with the code and field, and a push made of conflicts', async () => {
    const t = createTestApp(testDb.database);
    const user = await t.signUp();
    const push = (changes: unknown) =>
      t.call('POST', '/v1/sync/push', { token: user.accessToken, body: { changes } });
    expect((await push([{ id: 'not-a-uuid' }])).status).toBe(400);
    const [refused] = (await events()).filter((e) => e.type === 'push.refused');
    expect(refused).toMatchObject({
      accountId: user.accountId,
      payload: { code: 'VALIDATION', field: 'changes.0.id' },
    });

    const stale = Array.from({ length: CONFLICT_STORM }, () => ({
      id: randomUUID(),
      baseRevision: 7,
      deleted: false,
      keyVersion: 1,
      ciphertext: envelope(),
    }));
    expect((await push(stale)).status).toBe(200);
    const [storm] = (await events()).filter((e) => e.type === 'push.conflict-storm');
    expect(storm).toMatchObject({ payload: { changes: CONFLICT_STORM, conflicts: CONFLICT_STORM } });
  });

  it('records an account deletion, which ends every session; the history stays', async () => {
    const t = createTestApp(testDb.database);
    const user = await t.signUp();
    const del = (authKey: string) =>
      t.call('DELETE', '/v1/accounts/current', { token: user.accessToken, body: { authKey } });
    expect((await del(b64u(32))).status).toBe(401);
    expect(await testDb.asOwner((db) => db.select().from(accounts))).toHaveLength(1);
    expect((await del(user.authKey)).status).toBe(204);
    expect((await t.call('GET', '/v1/sync/changes', { token: user.accessToken })).status).toBe(401);
    expect(await testDb.asOwner((db) => db.select().from(accounts))).toHaveLength(0);
    expect(await testDb.asOwner((db) => db.select().from(tokens))).toHaveLength(0);
    const log = await events();
    expect(log.at(-1)).toMatchObject({
      type: 'account.deleted',
      accountId: user.accountId,
      payload: { sessionsEnded: 1 },
    });
    expect(await verifyAll()).toMatchObject({ ok: true });
  });

  describe('fails closed', () => {
    const breakAuditLog = () =>
      testDb.asOwner((db) => db.execute(sql`revoke insert on audit_events from keyhold_app`));
    const mendAuditLog = () =>
      testDb.asOwner((db) => db.execute(sql`grant insert on audit_events to keyhold_app`));

    it('refuses a sign-in whose event cannot be written, and keeps no session or token', async () => {
      const t = createTestApp(testDb.database);
      const user = await t.signUp();
      const before = await testDb.asOwner(async (db) => ({
        sessions: (await db.select().from(deviceSessions)).length,
        tokens: (await db.select().from(tokens)).length,
      }));
      await breakAuditLog();
      try {
        const res = await t.call('POST', '/v1/sessions', {
          body: { email: user.email, authKey: user.authKey, deviceName: 'second' },
        });
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toBe('5');
        expect(await res.json()).toMatchObject({ error: { code: 'AUDIT_UNAVAILABLE' } });
        const register = await t.call('POST', '/v1/accounts', { body: t.registration() });
        expect(register.status).toBe(503);
      } finally {
        await mendAuditLog();
      }
      const after = await testDb.asOwner(async (db) => ({
        sessions: (await db.select().from(deviceSessions)).length,
        tokens: (await db.select().from(tokens)).length,
      }));
      expect(after).toEqual(before);
      expect(await testDb.asOwner((db) => db.select().from(accounts))).toHaveLength(1);
      expect(await types()).toEqual(['account.created', 'login.succeeded']);
      const logged = t.logLines.map((l) => JSON.parse(l) as { level: number; event?: string });
      expect(logged.some((l) => l.event === 'audit_write_failed' && l.level === 50)).toBe(true);
      // The log and the chain carry on once the table is writable again.
      expect(
        (
          await t.call('POST', '/v1/sessions', {
            body: { email: user.email, authKey: user.authKey, deviceName: 'x' },
          })
        ).status,
      ).toBe(200);
      expect(await verifyAll()).toMatchObject({ ok: true, events: 3 });
    });

    it('refuses a logout whose event cannot be written: the session stays valid', async () => {
      const t = createTestApp(testDb.database);
      const user = await t.signUp();
      await breakAuditLog();
      try {
        expect((await t.call('DELETE', '/v1/sessions/current', { token: user.accessToken })).status).toBe(
          503,
        );
      } finally {
        await mendAuditLog();
      }
      expect((await t.call('GET', '/v1/sync/changes', { token: user.accessToken })).status).toBe(200);
      const [session] = await testDb.asOwner((db) =>
        db.select().from(deviceSessions).where(eq(deviceSessions.accountId, user.accountId)),
      );
      expect(session?.revokedAt).toBeNull();
    });
  });

  it('shows an account its own activity, newest first, paged, with its devices', async () => {
    const t = createTestApp(testDb.database);
    const user = await t.signUp();
    const other = await t.signUp();
    for (let i = 0; i < 3; i++) {
      await t.call('POST', '/v1/sessions', {
        body: { email: user.email, authKey: b64u(32), deviceName: 'x' },
      });
    }
    const page = async (query: string) => {
      const res = await t.call('GET', `/v1/activity${query}`, { token: user.accessToken });
      expect(res.status).toBe(200);
      return activityResponse.parse(await res.json());
    };
    const first = await page('?limit=2');
    expect(first.events.map((e) => [e.seq, e.type])).toEqual([
      [5, 'login.failed'],
      [4, 'login.failed'],
    ]);
    expect(first.next).toBe(4);
    const rest = await page(`?before=${first.next}&limit=10`);
    expect(rest.events.map((e) => e.type)).toEqual(['login.failed', 'login.succeeded', 'account.created']);
    expect(rest.next).toBeNull();
    expect(rest.events[1]?.device).toMatchObject({ current: true, ended: false });
    // Never another account's events.
    const all = JSON.stringify([first, rest]);
    expect(all).not.toContain(other.accountId);
    expect((await t.call('GET', '/v1/activity?limit=0', { token: user.accessToken })).status).toBe(400);
  });

  it('publishes every checkpoint key at a well-known route', async () => {
    const t = createTestApp(testDb.database);
    const [k1, k2] = [generateSigningKey(), generateSigningKey()];
    for (const key of [k1, k2])
      await new AuditSealer({ db: testDb.database.db, key, logger: pino({ level: 'silent' }) }).start();
    const res = await t.call('GET', '/.well-known/keyhold-audit-keys');
    expect(res.status).toBe(200);
    const { keys } = (await res.json()) as { keys: Array<{ kid: string; kty: string; crv: string }> };
    // Keys are never removed (old checkpoints must keep verifying); earlier tests' keys are here too.
    expect(keys.map((k) => k.kid)).toEqual(expect.arrayContaining([k1.keyId, k2.keyId]));
    expect(keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519' });
  });
});
