import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asc, type SQL, sql } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Database, type Db, openPglite, openPostgres } from '../db/client.ts';
import { auditEvents, auditHead } from '../db/schema.ts';
import { b64u, createTestApp } from '../test-support/app.ts';
import { createTestDatabase, type TestDatabase, truncateAll } from '../test-support/db.ts';
import { messageOf, runEntry } from '../test-support/run-process.ts';
import {
  type ChainedEvent,
  chainEvent,
  checkpointHash,
  GENESIS_HASH,
  type SignedCheckpoint,
} from './chain.ts';
import { EVENT_PAGE, withDatabaseLog } from './database-log.ts';
import { checkpointLine, eventLine, headLine, keyLine, openExport, writeExport } from './export-format.ts';
import { AuditSealer } from './sealer.ts';
import { generateSigningKey, publicRecord, type SigningKey, signCheckpoint } from './signing.ts';
import { parseTrustedKeys } from './trusted-keys.ts';
import { verifyChain } from './verify.ts';

/*
 * The verifier and the export against a log the real app wrote (register, logins, failed logins)
 * and the sealer signed, then tampered with the way the database's owner could: with the
 * append-only trigger switched off for the length of the tampering transaction.
 */

const logger = pino({ level: 'silent' });
const DAY = 86_400_000;

let testDb: TestDatabase;
let scratch: string;
beforeAll(async () => {
  testDb = await createTestDatabase();
  scratch = await mkdtemp(join(tmpdir(), 'keyhold-audit-verify-'));
});
afterEach(() => testDb.truncate());
afterAll(async () => {
  await testDb?.dispose();
  await rm(scratch, { recursive: true, force: true });
});

type App = ReturnType<typeof createTestApp>;
type AsOwner = TestDatabase['asOwner'];

/** Seven events: two registrations and their logins, a wrong key, an unknown email, a second login. */
async function driveApp(t: App) {
  const a = await t.signUp();
  const b = await t.signUp();
  const wrong = await t.call('POST', '/v1/sessions', {
    body: { email: a.email, authKey: b64u(32), deviceName: 'attacker' },
  });
  expect(wrong.status).toBe(401);
  const unknown = await t.call('POST', '/v1/sessions', {
    body: { email: `nobody-${b64u(4)}@example.com`, authKey: b64u(32), deviceName: 'attacker' },
  });
  expect(unknown.status).toBe(401);
  const again = await t.call('POST', '/v1/sessions', {
    body: { email: b.email, authKey: b.authKey, deviceName: 'second device' },
  });
  expect(again.status).toBe(200);
}

/** A sealer with its key published, as a server process starts one. */
async function startSealer(database: Database, options: { key?: SigningKey; now?: () => Date } = {}) {
  const sealer = new AuditSealer({
    db: database.db,
    key: options.key ?? generateSigningKey(),
    logger,
    ...(options.now ? { now: options.now } : {}),
  });
  await sealer.start();
  await sealer.close(); // stops the timer: the tests call checkpoint() themselves
  return sealer;
}

/** 7 events, checkpoint 1 (through 7), 7 events, checkpoint 2 (through 14), 7 events unsigned. */
async function writeLog(database: Database, t: App = createTestApp(database)) {
  const sealer = await startSealer(database);
  await driveApp(t);
  expect(await sealer.checkpoint()).toMatchObject({ seq: 1, lastEventSeq: 7 });
  await driveApp(t);
  expect(await sealer.checkpoint()).toMatchObject({ seq: 2, lastEventSeq: 14 });
  await driveApp(t);
  return { t, sealer };
}

const verifyAs = (asOwner: AsOwner, keys?: ReturnType<typeof publicRecord>[]) =>
  asOwner((db) => withDatabaseLog(db, (log) => verifyChain({ ...log, keys: keys ?? log.keys })));

const verifyDb = (keys?: ReturnType<typeof publicRecord>[]) => verifyAs(testDb.asOwner, keys);

/** What the owner can do: switch the append-only trigger off, change rows, switch it back on. */
const tamperAs = (asOwner: AsOwner, ...statements: SQL[]) =>
  asOwner(async (db) => {
    await db.execute(sql`alter table audit_events disable trigger audit_events_append_only`);
    for (const statement of statements) await db.execute(statement);
    await db.execute(sql`alter table audit_events enable trigger audit_events_append_only`);
  });

const tamper = (...statements: SQL[]) => tamperAs(testDb.asOwner, ...statements);

const allEvents = (asOwner: AsOwner = testDb.asOwner): Promise<ChainedEvent[]> =>
  asOwner((db) => db.select().from(auditEvents).orderBy(asc(auditEvents.seq)));

/** Recomputes every link after an edit, as an attacker who knows the scheme would. */
function rechain(events: readonly ChainedEvent[]): ChainedEvent[] {
  let head = { seq: 0, hash: GENESIS_HASH };
  const accounts = new Map<string, { accountSeq: number; hash: string }>();
  return events.map((event) => {
    const { seq: _s, hash: _h, prevHash: _p, accountSeq: _a, accountPrevHash: _ap, ...input } = event;
    const next = chainEvent(input, head, event.accountId ? (accounts.get(event.accountId) ?? null) : null);
    head = { seq: next.seq, hash: next.hash };
    if (event.accountId) accounts.set(event.accountId, { accountSeq: next.accountSeq ?? 0, hash: next.hash });
    return next;
  });
}

/** Replaces the whole log (events and head) with `events`, as the owner. */
const rewriteLog = (events: readonly ChainedEvent[]) => {
  const last = events.at(-1);
  return tamper(
    sql`delete from audit_events`,
    ...events.map(
      (e) => sql`insert into audit_events values (${e.seq}, ${e.at.toISOString()}, ${e.type}, ${e.accountId},
        ${e.sessionId}, ${e.requestId}, ${e.ip}, ${JSON.stringify(e.payload)}::jsonb, ${e.accountSeq},
        ${e.accountPrevHash}, ${e.prevHash}, ${e.hash})`,
    ),
    sql`update audit_head set last_event_seq = ${last?.seq ?? 0}, hash = ${last?.hash ?? GENESIS_HASH}`,
  );
};

describe('audit:verify against the database', () => {
  it('accepts the log the app wrote: events, accounts, checkpoints and the unsigned tail', async () => {
    await writeLog(testDb.database);
    const events = await allEvents();
    expect(events.map((e) => e.type).slice(0, 7)).toEqual([
      'account.created',
      'login.succeeded',
      'account.created',
      'login.succeeded',
      'login.failed',
      'login.failed',
      'login.succeeded',
    ]);
    expect(await verifyDb()).toEqual({
      ok: true,
      events: 21,
      accounts: 6,
      checkpoints: 2,
      unsignedTail: 7,
      problem: null,
    });
  });

  it('names an edited event', async () => {
    await writeLog(testDb.database);
    await tamper(sql`update audit_events set ip = '203.0.113.9' where seq = 5`);
    const report = await verifyDb();
    expect(report.ok).toBe(false);
    expect(report.problem).toEqual({
      eventSeq: 5,
      message: 'event 5 (login.failed) was altered: its fields no longer match its hash',
    });
  });

  it('finds an edit whose hashes were recomputed through the head: the signed checkpoint differs', async () => {
    await writeLog(testDb.database);
    const events = await allEvents();
    const edited = events.map((e) => (e.seq === 5 ? { ...e, payload: { reason: 'rate-limited' } } : e));
    await rewriteLog(rechain(edited));
    const report = await verifyDb();
    expect(report.problem).toMatchObject({ eventSeq: 7, checkpointSeq: 1 });
    expect(report.problem?.message).toBe(
      'checkpoint 1 signed a different hash for event 7: the event or the chain before it changed',
    );
  });

  it('finds an event deleted from the middle', async () => {
    await writeLog(testDb.database);
    await tamper(sql`delete from audit_events where seq = 10`);
    const report = await verifyDb();
    expect(report.problem).toEqual({
      eventSeq: 11,
      message: 'event 11 follows event 9: event 10 is missing',
    });
  });

  it('finds events removed from the end after the last checkpoint: the head remembers', async () => {
    await writeLog(testDb.database);
    await tamper(sql`delete from audit_events where seq > 18`);
    const report = await verifyDb();
    expect(report.problem).toEqual({
      eventSeq: 19,
      message: 'the log ends at event 18, but its head records event 21: events were removed from the end',
    });
  });

  it('finds events removed back past a checkpoint even with the head rewritten to match', async () => {
    await writeLog(testDb.database);
    const events = await allEvents();
    await rewriteLog(events.slice(0, 12));
    expect((await verifyDb()).problem?.message).toBe(
      'the log ends at event 12, but checkpoint 2 signed events up to 14: events were removed from the end',
    );
  });

  it('accepts an empty log, with and without a checkpoint of it', async () => {
    expect(await verifyDb()).toEqual({
      ok: true,
      events: 0,
      accounts: 0,
      checkpoints: 0,
      unsignedTail: 0,
      problem: null,
    });
    const sealer = await startSealer(testDb.database);
    expect(await sealer.checkpoint()).toMatchObject({ seq: 1, lastEventSeq: 0 });
    expect(await verifyDb()).toMatchObject({ ok: true, events: 0, checkpoints: 1 });
  });

  it('accepts checkpoints signed before and after a key rotation; pinning only the new key refuses the old', async () => {
    const t = createTestApp(testDb.database);
    const before = await startSealer(testDb.database);
    await driveApp(t);
    await before.checkpoint();
    const after = await startSealer(testDb.database);
    await driveApp(t);
    await after.checkpoint();
    const checkpoints = await testDb.asOwner((db) => withDatabaseLog(db, async (log) => log.checkpoints));
    expect(checkpoints.map((c) => c.keyId)).toEqual([before.keyId, after.keyId]);
    expect(await verifyDb()).toMatchObject({ ok: true, events: 14, checkpoints: 2 });

    const served = await (await t.call('GET', '/.well-known/keyhold-audit-keys')).text();
    expect(await verifyDb(parseTrustedKeys(served))).toMatchObject({ ok: true });
    const onlyNew = parseTrustedKeys(served).filter((k) => k.keyId === after.keyId);
    expect((await verifyDb(onlyNew)).problem?.message).toBe(
      `checkpoint 1 is signed by unknown key ${before.keyId}`,
    );
  });

  it('accepts the log after retention pruned old events up to a checkpoint', async () => {
    const t = createTestApp(testDb.database);
    const start = t.clock.now.getTime();
    const sealer = await startSealer(testDb.database, { now: () => t.clock.now });
    await driveApp(t); // 1–7, day 0
    await sealer.checkpoint();
    await driveApp(t); // 8–14, day 0, after the checkpoint: kept with what follows
    t.clock.now = new Date(start + 40 * DAY);
    await driveApp(t); // 15–21, day 40
    await sealer.checkpoint();
    await driveApp(t); // 22–28, unsigned

    const pruner = new AuditSealer({
      db: testDb.database.db,
      key: generateSigningKey(),
      logger,
      now: () => t.clock.now,
      retentionDays: 30,
    });
    expect(await pruner.prune()).toBe(7);
    const events = await allEvents();
    expect(events[0]?.seq).toBe(8);
    const head = await testDb.asOwner(async (db) => (await db.select().from(auditHead))[0]);
    expect(head).toMatchObject({ prunedThroughSeq: 7, lastEventSeq: 28 });
    expect(await verifyDb()).toMatchObject({ ok: true, events: 21, checkpoints: 2, unsignedTail: 7 });

    // Cutting further than a checkpoint vouches for is not retention but a hole.
    await tamper(sql`delete from audit_events where seq <= 9`);
    expect((await verifyDb()).problem?.message).toBe('event 10 follows event 7: events 8–9 are missing');
  });

  /** Three checkpointed runs of seven events on day 0 (1–21), then seven on day 40 (22–28). */
  async function backlog(options: { lastSigned: boolean }) {
    const t = createTestApp(testDb.database);
    const start = t.clock.now.getTime();
    const sealer = await startSealer(testDb.database, { now: () => t.clock.now });
    for (let n = 0; n < 3; n += 1) {
      await driveApp(t);
      await sealer.checkpoint();
    }
    t.clock.now = new Date(start + 40 * DAY);
    await driveApp(t);
    if (options.lastSigned) await sealer.checkpoint();
    return (pruneBatch: number, pruneMaxBatches: number) =>
      new AuditSealer({
        db: testDb.database.db,
        key: generateSigningKey(),
        logger,
        now: () => t.clock.now,
        retentionDays: 30,
        pruneBatch,
        pruneMaxBatches,
      });
  }

  it('prunes a backlog one checkpoint-bounded batch per transaction, as far as each call may go', async () => {
    const pruner = await backlog({ lastSigned: true });
    const prunedThrough = async () =>
      (await testDb.asOwner(async (db) => (await db.select().from(auditHead))[0]))?.prunedThroughSeq;
    // Two checkpoints fit in 15 events: one batch cuts at 14, the next at 21, the next finds nothing.
    expect(await pruner(15, 1).prune()).toBe(14);
    expect(await prunedThrough()).toBe(14);
    expect(await verifyDb()).toMatchObject({ ok: true, events: 14 });
    expect(await pruner(15, 5).prune()).toBe(7);
    expect(await prunedThrough()).toBe(21);
    expect(await pruner(15, 5).prune()).toBe(0);
    expect(await verifyDb()).toMatchObject({ ok: true, events: 7, checkpoints: 4 });
  });

  it('cuts at the next checkpoint when none is within the batch: never between two checkpoints', async () => {
    const pruner = (await backlog({ lastSigned: false }))(2, 2);
    expect(await pruner.prune()).toBe(14); // 7 and 7: two batches, one checkpoint each
    expect(await allEvents().then((events) => events[0]?.seq)).toBe(15);
    expect(await pruner.prune()).toBe(7);
    expect(await verifyDb()).toMatchObject({ ok: true, events: 7, checkpoints: 3, unsignedTail: 7 });
  });

  it('refuses UPDATE, DELETE and TRUNCATE of audit events to the application role (grants) and the owner (trigger)', async () => {
    await writeLog(testDb.database);
    const { db } = testDb.database;
    const refusal = (work: Promise<unknown>) =>
      work.then(
        () => 'allowed',
        (error: Error) => {
          const cause = error.cause as { code?: string; message?: string } | undefined;
          return `${cause?.code ?? (error as { code?: string }).code}: ${cause?.message ?? error.message}`;
        },
      );
    // As the application role, even for events of an account it declares: no privilege at all.
    const asApp = (statement: SQL) => refusal(db.execute(statement));
    expect(await asApp(sql`update audit_events set ip = null`)).toBe(
      '42501: permission denied for table audit_events',
    );
    expect(await asApp(sql`delete from audit_events`)).toBe(
      '42501: permission denied for table audit_events',
    );
    expect(await asApp(sql`truncate audit_events`)).toBe('42501: permission denied for table audit_events');
    // As the owner, with its privileges: the trigger stops it.
    const asOwner = (statement: SQL) => refusal(testDb.asOwner((owner) => owner.execute(statement)));
    expect(await asOwner(sql`update audit_events set ip = null where seq = 1`)).toBe(
      '42501: audit_events is append-only: UPDATE refused',
    );
    expect(await asOwner(sql`delete from audit_events where seq = 1`)).toBe(
      '42501: audit_events is append-only: DELETE refused',
    );
    expect(await asOwner(sql`truncate audit_events`)).toBe(
      '42501: audit_events is append-only: TRUNCATE refused',
    );
    expect(await verifyDb()).toMatchObject({ ok: true, events: 21 });
  });

  it('reads a log longer than a page, and finds a hole at a page boundary', async () => {
    // Written directly: the app would take minutes for this many events.
    const count = 2 * EVENT_PAGE + 3;
    const events: ChainedEvent[] = [];
    let head = { seq: 0, hash: GENESIS_HASH };
    for (let i = 0; i < count; i++) {
      const event = chainEvent(
        {
          at: new Date(Date.UTC(2030, 0, 1) + i),
          type: 'login.failed',
          accountId: null,
          sessionId: null,
          requestId: `req-${i}`,
          ip: '198.51.100.7',
          payload: { reason: 'unknown-account' },
        },
        head,
        null,
      );
      events.push(event);
      head = { seq: event.seq, hash: event.hash };
    }
    await testDb.asOwner(async (db) => {
      for (let i = 0; i < count; i += 1000) await db.insert(auditEvents).values(events.slice(i, i + 1000));
      await db.update(auditHead).set({ lastEventSeq: head.seq, hash: head.hash });
    });
    expect(await verifyDb()).toMatchObject({ ok: true, events: count, unsignedTail: count });
    await tamper(sql`delete from audit_events where seq = ${EVENT_PAGE + 1}`);
    expect((await verifyDb()).problem?.message).toBe(
      `event ${EVENT_PAGE + 2} follows event ${EVENT_PAGE}: event ${EVENT_PAGE + 1} is missing`,
    );
  });

  it.skipIf(!process.env.DATABASE_URL)(
    'verifies one snapshot while the server keeps appending (PostgreSQL: other connections write)',
    async () => {
      const { t } = await writeLog(testDb.database);
      const urls = testDb.urls as NonNullable<TestDatabase['urls']>;
      const owner = await openPostgres(urls.owner);
      try {
        const report = await withDatabaseLog(owner.db, async (log) => {
          // The snapshot is taken: events appended now are not this verification's.
          await driveApp(t);
          return verifyChain(log);
        });
        expect(report).toMatchObject({ ok: true, events: 21 });
        expect(await verifyDb()).toMatchObject({ ok: true, events: 28 });
      } finally {
        await owner.close();
      }
    },
  );

  it('does not skip a row slipped in below seq 1', async () => {
    await writeLog(testDb.database);
    const [first] = await allEvents();
    await tamper(
      sql`insert into audit_events select 0, at, type, account_id, session_id, request_id, ip, payload,
        account_seq, account_prev_hash, prev_hash, hash from audit_events where seq = ${first?.seq ?? 1}`,
    );
    expect((await verifyDb()).problem?.message).toBe('event 0 appears out of order (expected 1)');
  });
});

describe('audit export', () => {
  const exportTo = async (name: string, asOwner: AsOwner = testDb.asOwner) => {
    const path = join(scratch, name);
    const counts = await asOwner((db) => withDatabaseLog(db, (log) => writeExport(log, path, new Date())));
    return { path, counts };
  };

  const verifyFile = async (path: string, keys?: ReturnType<typeof publicRecord>[]) => {
    const log = await openExport(path);
    try {
      return await verifyChain({ ...log, keys: keys ?? log.keys });
    } finally {
      log.close();
    }
  };

  it('round-trips exactly: the export verifies like the database, and a tampered line is named', async () => {
    const { t } = await writeLog(testDb.database);
    const { path, counts } = await exportTo('round-trip.jsonl');
    expect(counts).toEqual({ keys: expect.any(Number), checkpoints: 2, events: 21 });
    const text = await readFile(path, 'utf8');
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(1 + counts.keys + 2 + 21);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      kind: 'head',
      format: 'keyhold-audit-export',
      v: 1,
      lastEventSeq: 21,
    });

    // Every event read back is the stored one, field for field (dates included).
    const log = await openExport(path);
    const read: ChainedEvent[] = [];
    for await (const event of log.events) read.push(event);
    log.close();
    expect(read).toEqual(await allEvents());
    expect(await verifyFile(path)).toEqual(await verifyDb());

    const served = parseTrustedKeys(await (await t.call('GET', '/.well-known/keyhold-audit-keys')).text());
    expect(await verifyFile(path, served)).toMatchObject({ ok: true, events: 21 });

    const tampered = join(scratch, 'tampered.jsonl');
    const eventLineAt = 1 + counts.keys + 2 + 8; // event 9
    const edit = (line: string) => JSON.stringify({ ...JSON.parse(line), requestId: 'someone-else' });
    await writeFile(tampered, lines.map((line, i) => (i === eventLineAt ? edit(line) : line)).join('\n'));
    expect((await verifyFile(tampered)).problem).toEqual({
      eventSeq: 9,
      message: 'event 9 (login.succeeded) was altered: its fields no longer match its hash',
    });
  });

  it('an export rewritten and re-signed with an attacker’s key passes only until the served keys are pinned', async () => {
    const { t } = await writeLog(testDb.database);
    const { path } = await exportTo('original.jsonl');
    const original = await openExport(path);
    const events: ChainedEvent[] = [];
    for await (const event of original.events) events.push(event);
    original.close();

    const forged = rechain(events.map((e) => (e.seq === 3 ? { ...e, ip: '192.0.2.1' } : e)));
    const attacker = generateSigningKey();
    const checkpoints: SignedCheckpoint[] = [];
    for (const cp of original.checkpoints) {
      const previous = checkpoints.at(-1);
      checkpoints.push(
        signCheckpoint(attacker, {
          seq: cp.seq,
          at: cp.at,
          lastEventSeq: cp.lastEventSeq,
          headHash: forged[cp.lastEventSeq - 1]?.hash ?? '',
          prevCheckpointHash: previous
            ? checkpointHash((({ signature: _s, ...body }) => body)(previous))
            : GENESIS_HASH,
        }),
      );
    }
    const last = forged.at(-1) as ChainedEvent;
    const forgedPath = join(scratch, 'forged.jsonl');
    await writeFile(
      forgedPath,
      `${[
        headLine({ ...original.head, lastEventSeq: last.seq, hash: last.hash }, new Date()),
        keyLine({ ...publicRecord(attacker), createdAt: new Date() }),
        ...checkpoints.map(checkpointLine),
        ...forged.map(eventLine),
      ].join('\n')}\n`,
    );
    expect(await verifyFile(forgedPath)).toMatchObject({ ok: true, events: 21 });
    const served = parseTrustedKeys(await (await t.call('GET', '/.well-known/keyhold-audit-keys')).text());
    expect((await verifyFile(forgedPath, served)).problem?.message).toBe(
      `checkpoint 1 is signed by unknown key ${attacker.keyId}`,
    );
  });

  it('exports an empty log that verifies', async () => {
    const { path, counts } = await exportTo('empty.jsonl');
    expect(counts).toMatchObject({ checkpoints: 0, events: 0 });
    expect(await verifyFile(path)).toMatchObject({ ok: true, events: 0 });
  });
});

/**
 * The commands themselves, as processes. PGlite: a database on disk (the command opens DATA_DIR,
 * and only while no one else has it open); PostgreSQL: this file's database, by URL.
 */
describe('the audit:verify and audit:export commands', () => {
  interface CommandDb {
    database: Database;
    asOwner: AsOwner;
    env: Record<string, string>;
    /** Lets the command at the database (PGlite: closes it); `reopen` takes it back. */
    release(): Promise<void>;
    reopen(): Promise<void>;
  }

  let target: CommandDb;
  /** The on-disk PGlite, when that is the driver. */
  let disk: { database: Database; open: boolean } | undefined;

  beforeAll(async () => {
    if (testDb.driver === 'postgres') {
      const urls = testDb.urls as NonNullable<TestDatabase['urls']>;
      target = {
        database: testDb.database,
        asOwner: testDb.asOwner,
        env: { DATABASE_URL: urls.app, DATABASE_OWNER_URL: urls.owner, DATA_DIR: join(scratch, 'unused') },
        release: async () => {},
        reopen: async () => {},
      };
      return;
    }
    const path = join(scratch, 'pglite');
    const held = { database: await openPglite(path), open: true };
    disk = held;
    target = {
      get database() {
        return held.database;
      },
      // One connection, which acts as the application role: the owner is a role switch away.
      asOwner: (work) =>
        held.database.db.transaction(async (tx) => {
          await tx.execute(sql`set local role postgres`);
          return work(tx as unknown as Db);
        }),
      env: { DATABASE_URL: '', DATABASE_OWNER_URL: '', DATA_DIR: path },
      release: async () => {
        await held.database.close();
        held.open = false;
      },
      reopen: async () => {
        if (held.open) return;
        held.database = await openPglite(path);
        held.open = true;
      },
    };
  });
  afterEach(async () => {
    if (!disk) return; // PostgreSQL: the file's afterEach empties it
    await target.reopen();
    await target.asOwner(truncateAll);
  });
  afterAll(async () => {
    await disk?.database.close();
  });

  const run = (entry: string, args: string[] = []) =>
    runEntry(entry, target.env, 60_000, args).then((outcome) => ({
      ...outcome,
      lines: outcome.lines.map(messageOf),
    }));

  it('exits 0 with a JSON summary, then 1 with one line naming the event once the database is tampered with', async () => {
    await writeLog(target.database);
    await target.release();
    const good = await run('server/audit-verify.ts');
    expect(good.code).toBe(0);
    expect(good.lines).toHaveLength(1);
    expect(JSON.parse(good.lines[0] ?? '')).toMatchObject({
      ok: true,
      source: testDb.driver,
      keys: 'stored',
      events: 21,
      accounts: 6,
      checkpoints: 2,
      unsignedTail: 7,
      lastEventSeq: 21,
      ms: expect.any(Number),
      peakRssMiB: expect.any(Number),
    });

    await target.reopen();
    await tamperAs(target.asOwner, sql`update audit_events set type = 'login.succeeded' where seq = 6`);
    await target.release();
    const bad = await run('server/audit-verify.ts');
    expect(bad).toMatchObject({
      code: 1,
      lines: ['audit log broken: event 6 (login.succeeded) was altered: its fields no longer match its hash'],
    });
  });

  it('exports, then verifies the file offline against the served keys; a tampered line exits 1', async () => {
    const { t } = await writeLog(target.database);
    const keysPath = join(scratch, 'keys.json');
    await writeFile(keysPath, await (await t.call('GET', '/.well-known/keyhold-audit-keys')).text());
    await target.release();
    const exportPath = join(scratch, 'command-export.jsonl');
    const exported = await run('server/audit-export.ts', ['--out', exportPath]);
    expect(exported.code).toBe(0);
    expect(JSON.parse(exported.lines[0] ?? '')).toMatchObject({ ok: true, out: exportPath, events: 21 });

    const offline = await run('server/audit-verify.ts', ['--file', exportPath, '--keys', keysPath]);
    expect(offline.code).toBe(0);
    expect(JSON.parse(offline.lines[0] ?? '')).toMatchObject({
      ok: true,
      source: 'file',
      keys: 'pinned',
      events: 21,
    });

    const lines = (await readFile(exportPath, 'utf8')).trimEnd().split('\n');
    const tamperedPath = join(scratch, 'command-tampered.jsonl');
    await writeFile(tamperedPath, `${lines.slice(0, -3).concat(lines.slice(-2)).join('\n')}\n`);
    const bad = await run('server/audit-verify.ts', ['--file', tamperedPath, '--keys', keysPath]);
    expect(bad).toMatchObject({
      code: 1,
      lines: ['audit log broken: event 20 follows event 18: event 19 is missing'],
    });

    const malformed = join(scratch, 'command-malformed.jsonl');
    await writeFile(malformed, `${lines.slice(0, 3).join('\n')}\n{"kind":"event"}\n`);
    const refused = await run('server/audit-verify.ts', ['--file', malformed]);
    expect(refused.code).toBe(2);
    expect(refused.lines).toEqual([
      `audit:verify: --file ${malformed}: line 4: seq Invalid input: expected number, received undefined`,
    ]);
  });

  it('refuses what cannot be verified, with exit 2 and the setting to fix', async () => {
    if (testDb.driver === 'pglite') {
      // Still open in this process: PGlite has no lock, so the command must not touch it.
      const busy = await run('server/audit-verify.ts');
      expect(busy.code).toBe(2);
      expect(busy.lines).toEqual([
        expect.stringMatching(
          /^audit:verify: DATA_DIR: the embedded database in .* is in use: stop the server first/,
        ),
      ]);
    } else {
      // The application role would see a log with holes where other accounts' events are.
      const asApp = await runEntry(
        'server/audit-verify.ts',
        { ...target.env, DATABASE_OWNER_URL: '' },
        60_000,
      );
      expect(asApp.code).toBe(2);
      expect(asApp.lines).toEqual([
        'audit:verify: DATABASE_URL connects as "keyhold_app", which row-level security hides events from: connect as the owner of the tables (DATABASE_OWNER_URL, as for npm run migrate)',
      ]);
    }
  });
});
