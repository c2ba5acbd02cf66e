import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../test-support/app.ts';
import { createTestDatabase, type TestDatabase } from '../test-support/db.ts';
import { createEmptyDatabase } from '../test-support/empty-db.ts';

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb.dispose());

const warnings = (logLines: string[]) =>
  logLines.map((line) => JSON.parse(line)).filter((line) => line.msg === 'readiness check failed');

describe('health', () => {
  it('GET /health/live → 200 ok', async () => {
    const { call } = createTestApp(testDb.database);
    const res = await call('GET', '/health/live');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('GET /health/ready → 200 while the database answers, 503 NOT_READY once it is closed', async () => {
    const another = await testDb.openAnother();
    const { call, logLines } = createTestApp(another);
    expect((await call('GET', '/health/ready')).status).toBe(200);
    await another.close();
    const res = await call('GET', '/health/ready');
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      error: { code: 'NOT_READY', message: 'The database is not reachable.' },
    });
    // The driver's error is described (type, code), never logged whole: its message can carry parameters.
    const [warning] = warnings(logLines);
    expect(warning.err.type).toEqual(expect.any(String));
    expect(warning.err).not.toHaveProperty('message');
    expect(warning.err).not.toHaveProperty('stack');
  });

  it('GET /health/ready → 503 NOT_READY on a database that was never migrated or was migrated by a newer build', async () => {
    const empty = await createEmptyDatabase();
    try {
      const { call, logLines } = createTestApp(empty.database);
      const unmigrated = await call('GET', '/health/ready');
      expect(unmigrated.status).toBe(503);
      expect(await unmigrated.json()).toEqual({
        error: {
          code: 'NOT_READY',
          message: 'The database is not ready: the database has not been migrated (run `npm run migrate`).',
        },
      });

      await empty.migrate();
      expect((await call('GET', '/health/ready')).status).toBe(200);

      await empty.execute(
        `insert into drizzle.__drizzle_migrations (hash, created_at) values ('newer', ${Date.UTC(2099, 0, 1)})`,
      );
      const newer = await call('GET', '/health/ready');
      expect(newer.status).toBe(503);
      expect(await newer.json()).toMatchObject({
        error: { code: 'NOT_READY', message: expect.stringContaining('migrated by a newer build') },
      });
      expect(warnings(logLines).map((line) => line.reason)).toEqual(['NOT_MIGRATED', 'NEWER_SCHEMA']);
    } finally {
      await empty.dispose();
    }
  });
});
