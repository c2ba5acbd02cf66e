import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp } from '../test-support/app.ts';
import { createTestDatabase, type TestDatabase } from '../test-support/db.ts';
import { auditEvents, errorOf, expectNoSecretInAudit, logInAgain } from '../test-support/key-lifecycle.ts';
import { activityResponse } from './activity-schema.ts';
import { type RecordExportRequest, recordExportResponse } from './vault-export-schema.ts';

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb.dispose());
beforeEach(() => testDb.truncate());

const driver = process.env.DATABASE_URL ? 'postgres' : 'pglite';

type TestApp = ReturnType<typeof createTestApp>;
const app = () => createTestApp(testDb.database, { authRateLimit: { limit: 1000, windowMs: 60_000 } });

const recordExport = (t: TestApp, token: string | undefined, body: unknown) =>
  t.call('POST', '/v1/accounts/current/exports', { ...(token ? { token } : {}), body });

const exportEvents = async (accountId?: string) =>
  (await auditEvents(testDb, accountId)).filter((e) => e.type === 'vault.exported');

async function activityOf(t: TestApp, token: string) {
  const res = await t.call('GET', '/v1/activity?limit=100', { token });
  expect(res.status).toBe(200);
  return activityResponse.parse(await res.json()).events;
}

describe(`POST /v1/accounts/current/exports (${driver})`, () => {
  it('records vault.exported with the format and item count, under the device session', async () => {
    const t = app();
    const user = await t.signUp();
    t.clock.now = new Date('2030-01-01T00:01:30.456Z');
    const body: RecordExportRequest = { format: 'keyhold', items: 120 };
    const res = await recordExport(t, user.accessToken, body);
    expect(res.status).toBe(201);
    expect(recordExportResponse.parse(await res.json())).toEqual({ recordedAt: '2030-01-01T00:01:30.456Z' });

    const events = await exportEvents(user.accountId);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      accountId: user.accountId,
      sessionId: user.sessionId,
      at: t.clock.now,
      payload: { format: 'keyhold', items: 120 },
    });
    // Exactly those two details: nothing else the client sent is kept.
    expect(Object.keys(events[0]?.payload ?? {}).sort()).toEqual(['format', 'items']);
  });

  it('records every export, each format, from 0 to 1,000,000 items', async () => {
    const t = app();
    const user = await t.signUp();
    const bodies: RecordExportRequest[] = [
      { format: 'json', items: 0 },
      { format: 'csv', items: 1_000_000 },
      { format: 'csv', items: 1_000_000 },
    ];
    for (const body of bodies) expect((await recordExport(t, user.accessToken, body)).status).toBe(201);
    expect((await exportEvents(user.accountId)).map((e) => e.payload)).toEqual(bodies);
  });

  it('keeps nothing but the format and count of a body with more in it', async () => {
    const t = app();
    const user = await t.signUp();
    const fileName = 'my-bank-passwords-export.csv';
    const res = await recordExport(t, user.accessToken, { format: 'csv', items: 3, fileName, items2: 9 });
    expect(res.status).toBe(201);
    const [event] = await exportEvents(user.accountId);
    expect(event?.payload).toEqual({ format: 'csv', items: 3 });
    await expectNoSecretInAudit(testDb, [fileName, user.accessToken, user.refreshToken]);
  });

  it('appears in the account activity, on this device, and never in another account', async () => {
    const t = app();
    const user = await t.signUp();
    const phone = await logInAgain(t, user, 'phone');
    const other = await t.signUp();
    expect((await recordExport(t, user.accessToken, { format: 'keyhold', items: 42 })).status).toBe(201);

    const [newest] = await activityOf(t, user.accessToken);
    expect(newest).toMatchObject({
      type: 'vault.exported',
      device: { sessionId: user.sessionId, current: true, ended: false },
      details: { format: 'keyhold', items: 42 },
    });
    // The account's other device sees it too, as another device's.
    const [seenByPhone] = await activityOf(t, phone.accessToken);
    expect(seenByPhone).toMatchObject({ type: 'vault.exported', device: { current: false } });
    // The other account sees none of it.
    const others = await activityOf(t, other.accessToken);
    expect(others.map((e) => e.type)).not.toContain('vault.exported');
    expect(await exportEvents(other.accountId)).toEqual([]);
  });

  it('needs a valid DPoP-bound device session', async () => {
    const t = app();
    const user = await t.signUp();
    const body = { format: 'json', items: 5 };
    expect(await errorOf(await recordExport(t, undefined, body))).toEqual({
      status: 401,
      code: 'UNAUTHENTICATED',
    });
    expect(
      await errorOf(
        await t.call('POST', '/v1/accounts/current/exports', {
          headers: { authorization: `Bearer ${user.accessToken}` },
          body,
        }),
      ),
    ).toEqual({ status: 401, code: 'INVALID_TOKEN' });
    // The right token with a proof by another key (a stolen token without the device's key).
    const res = await t.call('POST', '/v1/accounts/current/exports', {
      token: user.accessToken,
      dpop: await t.defaultDpopKey(),
      body,
    });
    expect(await errorOf(res)).toEqual({ status: 401, code: 'INVALID_DPOP_PROOF' });
    expect((await t.call('DELETE', '/v1/sessions/current', { token: user.accessToken })).status).toBe(204);
    expect(await errorOf(await recordExport(t, user.accessToken, body))).toEqual({
      status: 401,
      code: 'SESSION_ENDED',
    });
    expect(await exportEvents()).toEqual([]);
  });

  it('400 for a malformed body, naming the field; nothing is recorded', async () => {
    const t = app();
    const user = await t.signUp();
    const refused: [unknown, { status: number; code: string; field?: string }][] = [
      [
        { format: 'xml', items: 1 },
        { status: 400, code: 'VALIDATION', field: 'format' },
      ],
      [
        { format: 'KEYHOLD', items: 1 },
        { status: 400, code: 'VALIDATION', field: 'format' },
      ],
      [{ items: 1 }, { status: 400, code: 'VALIDATION', field: 'format' }],
      [{ format: 'csv' }, { status: 400, code: 'VALIDATION', field: 'items' }],
      [
        { format: 'csv', items: -1 },
        { status: 400, code: 'VALIDATION', field: 'items' },
      ],
      [
        { format: 'csv', items: 1.5 },
        { status: 400, code: 'VALIDATION', field: 'items' },
      ],
      [
        { format: 'csv', items: '3' },
        { status: 400, code: 'VALIDATION', field: 'items' },
      ],
      [
        { format: 'csv', items: 1_000_001 },
        { status: 400, code: 'VALIDATION', field: 'items' },
      ],
      [[], { status: 400, code: 'VALIDATION' }],
      ['{"format":', { status: 400, code: 'MALFORMED_JSON' }],
    ];
    for (const [body, error] of refused) {
      expect(await errorOf(await recordExport(t, user.accessToken, body)), JSON.stringify(body)).toEqual(
        error,
      );
    }
    expect(await exportEvents()).toEqual([]);
  });

  it('503 AUDIT_UNAVAILABLE when the event cannot be written: the device knows it was not recorded', async () => {
    const t = app();
    const user = await t.signUp();
    await testDb.asOwner((db) => db.execute(sql`revoke insert on audit_events from keyhold_app`));
    try {
      const res = await recordExport(t, user.accessToken, { format: 'keyhold', items: 1 });
      expect(await errorOf(res)).toEqual({ status: 503, code: 'AUDIT_UNAVAILABLE' });
    } finally {
      await testDb.asOwner((db) => db.execute(sql`grant insert on audit_events to keyhold_app`));
    }
    expect(await exportEvents()).toEqual([]);
  });
});
