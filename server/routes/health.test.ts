import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../test-support/app.ts';
import { createTestDatabase, type TestDatabase } from '../test-support/db.ts';

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb.dispose());

describe('health', () => {
  it('GET /health/live → 200 ok', async () => {
    const { call } = createTestApp(testDb.database);
    const res = await call('GET', '/health/live');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('GET /health/ready → 200 while the database answers, 503 NOT_READY once it is closed', async () => {
    const another = await testDb.openAnother();
    const { call } = createTestApp(another);
    expect((await call('GET', '/health/ready')).status).toBe(200);
    await another.close();
    const res = await call('GET', '/health/ready');
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: { code: 'NOT_READY' } });
  });
});
