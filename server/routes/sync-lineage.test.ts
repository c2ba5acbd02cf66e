import { randomUUID } from 'node:crypto';
import { desc } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESTORE_REVISION_GAP, startNewLineage } from '../db/lineage.ts';
import { auditEvents } from '../db/schema.ts';
import { createTestApp, envelope } from '../test-support/app.ts';
import { createTestDatabase, type TestDatabase } from '../test-support/db.ts';
import { changesResponse, LINEAGE_HEADER, pushResponse } from './sync-schema.ts';

/** The restore lineage on the wire (docs/protocol.md, "Restore lineage"). */

const body = () => ({
  changes: [{ id: randomUUID(), baseRevision: 0, deleted: false, keyVersion: 1, ciphertext: envelope() }],
});

describe('a database never restored', () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(() => testDb.dispose());

  it('sends no lineage, accepts pushes claiming none or nothing, and refuses another one', async () => {
    const t = createTestApp(testDb.database);
    const { accessToken: token } = await t.signUp();
    const pulled = changesResponse.parse(
      await (await t.call('GET', '/v1/sync/changes?since=0', { token })).json(),
    );
    expect(pulled.lineage).toBeUndefined();
    for (const headers of [{}, { [LINEAGE_HEADER]: 'none' }] as Record<string, string>[]) {
      const res = await t.call('POST', '/v1/sync/push', { token, body: body(), headers });
      expect(res.status).toBe(200);
    }
    const refused = await t.call('POST', '/v1/sync/push', {
      token,
      body: body(),
      headers: { [LINEAGE_HEADER]: randomUUID() },
    });
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ error: { code: 'LINEAGE_CHANGED' } });
    const after = changesResponse.parse(
      await (await t.call('GET', '/v1/sync/changes?since=0', { token })).json(),
    );
    expect(after.items).toHaveLength(2);
  });
});

describe('a restored database', () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(() => testDb.dispose());

  it('announces its lineage, hands out revisions above the floor, and refuses pushes from before it', async () => {
    const t = createTestApp(testDb.database);
    const { accessToken: token } = await t.signUp();
    const id = randomUUID();
    const lineage = await testDb.asOwner((owner) => startNewLineage(owner, id));
    expect(lineage).toEqual({ id, floor: RESTORE_REVISION_GAP });
    const [restoredEvent] = await testDb.asOwner((owner) =>
      owner.select().from(auditEvents).orderBy(desc(auditEvents.seq)).limit(1),
    );
    expect(restoredEvent).toMatchObject({
      type: 'database.restored',
      accountId: null,
      ip: null,
      payload: { lineage: id, revisionFloor: RESTORE_REVISION_GAP },
    });

    const pulled = changesResponse.parse(
      await (await t.call('GET', '/v1/sync/changes?since=0', { token })).json(),
    );
    expect(pulled).toMatchObject({ revision: lineage.floor, lineage });
    const stale = await t.call('POST', '/v1/sync/push', {
      token,
      body: body(),
      headers: { [LINEAGE_HEADER]: 'none' },
    });
    expect(stale.status).toBe(409);
    const ok = await t.call('POST', '/v1/sync/push', {
      token,
      body: body(),
      headers: { [LINEAGE_HEADER]: id },
    });
    expect(ok.status).toBe(200);
    expect(pushResponse.parse(await ok.json()).revision).toBe(lineage.floor + 1);
  });
});
