import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, asc, eq, isNull } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CliError } from './audit/cli.ts';
import type { AuditMeta } from './audit/record.ts';
import { openPglite } from './db/client.ts';
import { auditEvents, deviceSessions } from './db/schema.ts';
import { accountRefOf, endAccountSessions, NoSuchAccountError } from './operator-sessions.ts';
import type { PushHub } from './push/hub.ts';
import { loginResponse } from './routes/sessions-schema.ts';
import { createTestApp } from './test-support/app.ts';
import { createTestDatabase, type TestDatabase } from './test-support/db.ts';
import { readEvents, startPushHub } from './test-support/push.ts';
import { runEntry } from './test-support/run-process.ts';

let testDb: TestDatabase;
let scratch: string;
beforeAll(async () => {
  testDb = await createTestDatabase();
  scratch = await mkdtemp(join(tmpdir(), 'keyhold-sessions-end-'));
});
afterAll(async () => {
  await testDb?.dispose();
  await rm(scratch, { recursive: true, force: true });
});
beforeEach(() => testDb.truncate());

const hubs: PushHub[] = [];
afterEach(async () => {
  for (const hub of hubs.splice(0)) await hub.close();
});

const pull = '/v1/sync/changes?since=0';
const silent = pino({ level: 'silent' });

async function setup() {
  const hub = await startPushHub(testDb.database);
  hubs.push(hub);
  const t = createTestApp(testDb.database, { push: hub, authRateLimit: { limit: 10_000, windowMs: 60_000 } });
  const login = async (user: { email: string; authKey: string }) => {
    const res = await t.call('POST', '/v1/sessions', { body: { email: user.email, authKey: user.authKey } });
    expect(res.status).toBe(200);
    return loginResponse.parse(await res.json());
  };
  const meta = (): AuditMeta => ({ at: t.clock.now, requestId: null, ip: null, logger: silent });
  return { ...t, login, meta };
}

const errorOf = async (res: Response) => ({ status: res.status, ...((await res.json()) as object) });

const revokedEvents = (accountId: string) =>
  testDb.asOwner((db) =>
    db
      .select({ sessionId: auditEvents.sessionId, payload: auditEvents.payload, ip: auditEvents.ip })
      .from(auditEvents)
      .where(and(eq(auditEvents.accountId, accountId), eq(auditEvents.type, 'session.revoked')))
      .orderBy(asc(auditEvents.seq)),
  );

const liveCount = async (accountId: string) =>
  (
    await testDb.asOwner((db) =>
      db
        .select({ id: deviceSessions.id })
        .from(deviceSessions)
        .where(and(eq(deviceSessions.accountId, accountId), isNull(deviceSessions.revokedAt))),
    )
  ).length;

describe('endAccountSessions (npm run sessions:end)', () => {
  it('ends every live session of the account, each recorded, and leaves other accounts and ended sessions alone', async () => {
    const { signUp, login, call, meta } = await setup();
    const user = await signUp();
    const stranger = await signUp();
    const second = await login(user);
    const third = await login(user);
    // One session the user had already ended keeps its own reason.
    expect((await call('DELETE', '/v1/sessions/current', { token: third.accessToken })).status).toBe(204);

    const result = await endAccountSessions(testDb.database.db, { accountId: user.accountId }, meta());
    expect(result).toEqual({ accountId: user.accountId, ended: 2 });

    for (const token of [user.accessToken, second.accessToken]) {
      expect(await errorOf(await call('GET', pull, { token }))).toMatchObject({
        status: 401,
        error: { code: 'SESSION_ENDED', reason: 'operator' },
      });
    }
    expect(await errorOf(await call('GET', pull, { token: third.accessToken }))).toMatchObject({
      error: { code: 'SESSION_ENDED', reason: 'logout' },
    });
    // The refresh token is refused too: the device cannot renew its way back in.
    expect(
      await errorOf(
        await call('POST', '/v1/sessions/refresh', { body: { refreshToken: second.refreshToken } }),
      ),
    ).toMatchObject({ status: 401, error: { code: 'SESSION_ENDED', reason: 'operator' } });
    expect((await call('GET', pull, { token: stranger.accessToken })).status).toBe(200);

    const recorded = await revokedEvents(user.accountId);
    expect(recorded.map((e) => e.payload)).toEqual([
      { reason: 'logout' },
      { reason: 'operator' },
      { reason: 'operator' },
    ]);
    expect(new Set(recorded.slice(1).map((e) => e.sessionId))).toEqual(
      new Set([user.sessionId, second.sessionId]),
    );
    expect(recorded.slice(1).every((e) => e.ip === null)).toBe(true);

    // Again: nothing is live any more, nothing more is recorded.
    expect(await endAccountSessions(testDb.database.db, { accountId: user.accountId }, meta())).toEqual({
      accountId: user.accountId,
      ended: 0,
    });
    expect(await revokedEvents(user.accountId)).toHaveLength(3);
    // The user signs in again as usual.
    const again = await login(user);
    expect((await call('GET', pull, { token: again.accessToken })).status).toBe(200);
  });

  it('closes the sessions’ push streams with the reason', async () => {
    const { signUp, call, meta } = await setup();
    const user = await signUp();
    const res = await call('GET', '/v1/sync/events', { token: user.accessToken });
    expect(res.status).toBe(200);
    const stream = readEvents(res);
    expect((await stream.next())?.event).toBe('hello');
    await endAccountSessions(testDb.database.db, { accountId: user.accountId }, meta());
    expect(await stream.rest()).toEqual([{ event: 'bye', data: { reason: 'operator' } }]);
  });

  it('finds the account by its email as the server stores it, and changes nothing for an unknown one', async () => {
    const { signUp, call, meta } = await setup();
    const user = await signUp();
    const ref = accountRefOf({ email: `  ${user.email.toUpperCase()} ` });
    expect(await endAccountSessions(testDb.database.db, ref, meta())).toEqual({
      accountId: user.accountId,
      ended: 1,
    });
    const other = await signUp();
    for (const unknown of [{ email: `nobody-${randomUUID()}@example.com` }, { accountId: randomUUID() }]) {
      const refused = await endAccountSessions(testDb.database.db, unknown, meta()).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(NoSuchAccountError);
      expect((refused as Error).message).toBe(
        'email' in unknown ? 'no account has this email' : 'no account has this id',
      );
    }
    expect(await liveCount(other.accountId)).toBe(1);
    expect((await call('GET', pull, { token: other.accessToken })).status).toBe(200);
  });
});

describe('accountRefOf', () => {
  it('takes exactly one of --email and --account, each checked', () => {
    const id = randomUUID();
    expect(accountRefOf({ account: ` ${id.toUpperCase()} ` })).toEqual({ accountId: id });
    expect(accountRefOf({ email: 'Alice@Example.COM' })).toEqual({ email: 'alice@example.com' });
    const message = (values: Parameters<typeof accountRefOf>[0]) => {
      try {
        accountRefOf(values);
      } catch (error) {
        expect(error).toBeInstanceOf(CliError);
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    expect(message({})).toMatch(/^name the account with one of --email and --account; usage: /);
    expect(message({ email: 'a@example.com', account: id })).toMatch(/^name the account with one of/);
    expect(message({ email: 'not an address' })).toMatch(/^--email: not an email address; usage: /);
    expect(message({ account: 'alice' })).toMatch(/^--account: not an account id \(a UUID\); usage: /);
    expect(message({ account: `${id}0` })).toMatch(/^--account: not an account id/);
  });
});

describe('the sessions:end command', () => {
  it('ends the sessions, prints the audit lines and a summary, and exits 2 with one line when it cannot', async () => {
    // Its own database, which the command opens as the owner: PostgreSQL's, or an embedded one on disk.
    const urls = testDb.urls;
    const path = join(scratch, 'pglite');
    const database = urls ? testDb.database : await openPglite(path);
    const env = urls
      ? { DATABASE_URL: urls.app, DATABASE_OWNER_URL: urls.owner, DATA_DIR: join(scratch, 'unused') }
      : { DATABASE_URL: '', DATABASE_OWNER_URL: '', DATA_DIR: path };
    const t = createTestApp(database);
    const user = await t.signUp();
    const bystander = await t.signUp();
    if (!urls) await database.close();

    const done = await runEntry('server/sessions-end.ts', env, 60_000, ['--email', user.email]);
    expect(done.code).toBe(0);
    const lines = done.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.at(-1)).toEqual({
      ok: true,
      accountId: user.accountId,
      ended: 1,
      reason: 'operator',
      at: expect.any(String),
    });
    expect(lines.slice(0, -1)).toEqual([
      expect.objectContaining({
        logType: 'audit',
        type: 'session.revoked',
        accountId: user.accountId,
        sessionId: user.sessionId,
        payload: { reason: 'operator' },
      }),
    ]);

    const unknown = await runEntry('server/sessions-end.ts', env, 60_000, ['--account', randomUUID()]);
    expect(unknown).toMatchObject({
      code: 2,
      lines: ['sessions:end: no account has this id; nothing changed'],
    });
    const usage = await runEntry('server/sessions-end.ts', env, 60_000, ['--user', 'x']);
    expect(usage.code).toBe(2);
    expect(usage.lines).toHaveLength(1);
    expect(usage.lines[0]).toMatch(/^sessions:end: Unknown option '--user'.*; usage: npm run sessions:end/);

    const reopened = urls ? testDb.database : await openPglite(path);
    try {
      const after = createTestApp(reopened);
      expect(await errorOf(await after.call('GET', pull, { token: user.accessToken }))).toMatchObject({
        error: { code: 'SESSION_ENDED', reason: 'operator' },
      });
      expect((await after.call('GET', pull, { token: bystander.accessToken })).status).toBe(200);
    } finally {
      if (!urls) await reopened.close();
    }
  });
});
