import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../test-support/app.ts';
import { createTestDatabase, type TestDatabase } from '../test-support/db.ts';
import { MIN_CLIENT_PROTOCOL_VERSION, metaResponse, PROTOCOL_VERSION } from './meta-schema.ts';

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb.dispose());

describe('meta', () => {
  it('GET /v1/meta → 200, says it is Keyhold and which protocol versions it speaks, without a token', async () => {
    const { call } = createTestApp(testDb.database);
    const res = await call('GET', '/v1/meta');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = await res.json();
    expect(body).toEqual({
      service: 'keyhold',
      protocol: { version: PROTOCOL_VERSION, minClientVersion: MIN_CLIENT_PROTOCOL_VERSION },
    });
    expect(metaResponse.safeParse(body).success).toBe(true);
  });
});
