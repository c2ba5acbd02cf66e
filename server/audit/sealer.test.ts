import { asc } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { auditCheckpoints } from '../db/schema.ts';
import { createTestApp } from '../test-support/app.ts';
import { createTestDatabase, type TestDatabase } from '../test-support/db.ts';
import { AuditSealer } from './sealer.ts';
import { generateSigningKey } from './signing.ts';

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb.dispose());
beforeEach(() => testDb.truncate());

const silent = pino({ level: 'silent' });
const checkpoints = () =>
  testDb.asOwner((db) => db.select().from(auditCheckpoints).orderBy(asc(auditCheckpoints.seq)));

describe(`audit checkpoints (${process.env.DATABASE_URL ? 'postgres' : 'pglite'})`, () => {
  it('signs the head after every N events of the process, and only when it moved', async () => {
    const sealer = new AuditSealer({
      db: testDb.database.db,
      key: generateSigningKey(),
      logger: silent,
      everyEvents: 4,
    });
    await sealer.start();
    const t = createTestApp(testDb.database, { onAuditEvent: sealer.noteEvent });
    await t.signUp(); // 2 events
    await t.signUp(); // 4 events: a checkpoint is due
    await vi.waitFor(async () => expect(await checkpoints()).toHaveLength(1));
    expect((await checkpoints())[0]).toMatchObject({ seq: 1, lastEventSeq: 4, keyId: sealer.keyId });
    expect(await sealer.checkpoint()).toBeNull();
    await t.signUp();
    expect(await sealer.checkpoint()).toMatchObject({ seq: 2, lastEventSeq: 6 });
    await sealer.close();
  });

  it('never signs the same head twice when processes race, and keeps the checkpoint chain contiguous', async () => {
    const t = createTestApp(testDb.database);
    const sealers = [generateSigningKey(), generateSigningKey()].map(
      (key) => new AuditSealer({ db: testDb.database.db, key, logger: silent }),
    );
    for (const s of sealers) await s.start();
    for (let round = 0; round < 3; round++) {
      await t.signUp();
      await Promise.all(sealers.map((s) => s.checkpoint()));
    }
    const list = await checkpoints();
    expect(list.map((c) => c.seq)).toEqual([1, 2, 3]);
    expect(list.map((c) => c.lastEventSeq)).toEqual([2, 4, 6]);
    for (const s of sealers) await s.close();
  });

  it('signs an empty log as an empty head when asked, and nothing on a second ask', async () => {
    const sealer = new AuditSealer({ db: testDb.database.db, key: generateSigningKey(), logger: silent });
    await sealer.start();
    expect(await sealer.checkpoint()).toMatchObject({ seq: 1, lastEventSeq: 0, headHash: '0'.repeat(64) });
    expect(await sealer.checkpoint()).toBeNull();
    await sealer.close();
  });
});
