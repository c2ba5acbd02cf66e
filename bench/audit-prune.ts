/**
 * Audit retention on a backlog (docs/audit.md, "Retention"): how long requests that record an event
 * wait while the sealer prunes. Writes a chain of AUDIT_PRUNE_BENCH_EVENTS events (default 400,000,
 * a signed checkpoint every 1,000) into a scratch PostgreSQL database, then prunes it twice, half
 * each time, while one writer records events through `recordAudit` as requests do, back to back:
 * first as one transaction (a batch larger than the backlog: how every prune ran before batches),
 * then in batches of PRUNE_BATCH events, one transaction each. Figures: each prune's time, and the
 * writer's event latency during it (p50, p99, max). Figures only.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import postgres from 'postgres';
import { recordAudit } from '../server/audit/record.ts';
import { AuditSealer, PRUNE_BATCH } from '../server/audit/sealer.ts';
import { publicRecord } from '../server/audit/signing.ts';
import { openPostgres } from '../server/db/client.ts';
import { inScope } from '../server/db/scope.ts';
import { createEmptyPostgres } from '../server/test-support/empty-db.ts';
import { appendChain, CHAIN_START, chainWriter, EVENT_SPACING_MS } from './audit-verify.ts';
import { summarize } from './load-probes.ts';

const ADMIN_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const DAY_MS = 86_400_000;
const RETENTION_DAYS = 1;
const logger = pino({ level: 'silent' });

function eventCount(): number {
  const text = process.env.AUDIT_PRUNE_BENCH_EVENTS ?? '400000';
  if (!/^[1-9][0-9]*$/.test(text) || Number(text) < 10_000 || Number(text) > 10_000_000)
    throw new Error('AUDIT_PRUNE_BENCH_EVENTS must be a whole number from 10000 to 10000000');
  return Number(text);
}

export async function benchAuditPrune() {
  const total = eventCount();
  const scratch = await createEmptyPostgres(ADMIN_URL);
  const database = await openPostgres(scratch.url, { migrate: true });
  const sql = postgres(scratch.url, { onnotice: () => {}, max: 1 });
  try {
    const chain = chainWriter();
    await sql`insert into audit_signing_keys (key_id, public_key, created_at)
      values (${chain.key.keyId}, ${publicRecord(chain.key).publicKey}, now())`;
    const writeMs = await appendChain(sql, chain, total);

    /** Prunes every event up to `throughSeq` (the cutoff falls just after it) with one writer recording meanwhile. */
    const pruneWithWriter = async (throughSeq: number, batch: number) => {
      const cutoff = CHAIN_START + throughSeq * EVENT_SPACING_MS + EVENT_SPACING_MS / 2;
      const sealer = new AuditSealer({
        db: database.db,
        key: chain.key,
        logger,
        now: () => new Date(cutoff + RETENTION_DAYS * DAY_MS),
        retentionDays: RETENTION_DAYS,
        pruneBatch: batch,
        pruneMaxBatches: Number.MAX_SAFE_INTEGER,
      });
      const waits: number[] = [];
      let pruning = true;
      const writer = (async () => {
        while (pruning) {
          const t0 = performance.now();
          await inScope(database.db, 'server', (tx) =>
            recordAudit(
              tx,
              { at: new Date(), requestId: null, ip: null, logger },
              { type: 'login.failed', payload: { reason: 'unknown-account' } },
            ),
          );
          waits.push(performance.now() - t0);
        }
      })();
      const t0 = performance.now();
      const removed = await sealer.prune();
      const ms = performance.now() - t0;
      pruning = false;
      await writer;
      // count = events recorded while the prune ran.
      return { removed, pruneMs: Math.round(ms), record: summarize(waits) };
    };
    const half = Math.floor(total / 2000) * 1000;
    const oneTransaction = await pruneWithWriter(half, 2 ** 31 - 1);
    const batched = await pruneWithWriter(2 * half, PRUNE_BATCH);
    return {
      name: 'audit-prune',
      database: 'postgresql (scratch database, COPY)',
      events: total,
      generateAndWriteMs: Math.round(writeMs),
      oneTransaction,
      batched: { batch: PRUNE_BATCH, ...batched },
    };
  } finally {
    await sql.end({ timeout: 5 });
    await database.close();
    await scratch.drop();
  }
}

// Alone, for another size: AUDIT_PRUNE_BENCH_EVENTS=1000000 node --import tsx bench/audit-prune.ts
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.stdout.write(`${JSON.stringify(await benchAuditPrune(), null, 2)}\n`);
}
