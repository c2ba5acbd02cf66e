/**
 * `npm run audit:verify` on a large log (DESIGN.md §8: an audit log "verifiable by a command").
 * Writes a valid chain of AUDIT_BENCH_EVENTS events (default 1,000,000; a third without an
 * account, the rest spread over 10,000 accounts, a signed checkpoint every 1,000 events) with
 * chainEvent, COPYs it into a scratch PostgreSQL database made from DATABASE_URL (dropped after),
 * and runs the command as its own process twice: over the first tenth of the log, then over all
 * of it. Verify throughput and the verifier's peak RSS at both sizes: a flat RSS is what shows the
 * events stream instead of piling up. Figures only.
 */
import path from 'node:path';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import postgres from 'postgres';
import {
  type ChainedEvent,
  chainEvent,
  checkpointHash,
  GENESIS_HASH,
  type SignedCheckpoint,
} from '../server/audit/chain.ts';
import { generateSigningKey, publicRecord, signCheckpoint } from '../server/audit/signing.ts';
import { openPostgres } from '../server/db/client.ts';
import { createEmptyPostgres } from '../server/test-support/empty-db.ts';
import { runEntry } from '../server/test-support/run-process.ts';
import { uuidFor } from './fixtures.ts';

const ADMIN_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const ACCOUNTS = 10_000;
const CHECKPOINT_EVERY = 1000;
/** Events per COPY chunk: generated, written, forgotten. */
const CHUNK = 10_000;
const TYPES = ['login.succeeded', 'token.expired', 'session.revoked'] as const;
/** The first event's time; event n is `EVENT_SPACING_MS` × n later. */
export const CHAIN_START = Date.UTC(2030, 0, 1);
export const EVENT_SPACING_MS = 250;

function eventCount(): number {
  const text = process.env.AUDIT_BENCH_EVENTS ?? '1000000';
  if (!/^[1-9][0-9]*$/.test(text) || Number(text) < 10 || Number(text) > 100_000_000)
    throw new Error('AUDIT_BENCH_EVENTS must be a whole number from 10 to 100000000');
  return Number(text);
}

/** One CSV field of COPY: unquoted empty is NULL, anything else is quoted. */
const csv = (value: string | number | null) =>
  value === null ? '' : typeof value === 'number' ? String(value) : `"${value.replaceAll('"', '""')}"`;

const csvRow = (e: ChainedEvent) =>
  [
    e.seq,
    e.at.toISOString(),
    e.type,
    e.accountId,
    e.sessionId,
    e.requestId,
    e.ip,
    JSON.stringify(e.payload),
    e.accountSeq,
    e.accountPrevHash,
    e.prevHash,
    e.hash,
  ]
    .map(csv)
    .join(',');

/** Generates the chain in order, a chunk at a time, signing a checkpoint every CHECKPOINT_EVERY events. */
export function chainWriter() {
  const key = generateSigningKey();
  const start = CHAIN_START;
  const accounts = new Map<string, { accountSeq: number; hash: string }>();
  let head = { seq: 0, hash: GENESIS_HASH };
  let lastCheckpoint: SignedCheckpoint | null = null;
  return {
    key,
    get head() {
      return head;
    },
    /** The next `count` events as COPY CSV, and the checkpoints signed among them. */
    next(count: number): { text: string; checkpoints: SignedCheckpoint[] } {
      const rows: string[] = [];
      const checkpoints: SignedCheckpoint[] = [];
      for (let i = 0; i < count; i++) {
        const n = head.seq + 1;
        const accountId = n % 3 === 0 ? null : uuidFor((n * 7919) % ACCOUNTS);
        const event = chainEvent(
          {
            at: new Date(start + n * EVENT_SPACING_MS),
            type: accountId ? (TYPES[n % TYPES.length] as string) : 'login.failed',
            accountId,
            sessionId: accountId ? uuidFor(1_000_000 + (n % 50_000)) : null,
            requestId: uuidFor(2_000_000 + n),
            ip: `198.51.${(n >> 8) & 255}.${n & 255}`,
            payload: accountId ? { device: `bench ${n % 5}` } : { reason: 'unknown-account' },
          },
          head,
          accountId ? (accounts.get(accountId) ?? null) : null,
        );
        rows.push(csvRow(event));
        head = { seq: event.seq, hash: event.hash };
        if (accountId) accounts.set(accountId, { accountSeq: event.accountSeq ?? 0, hash: event.hash });
        if (event.seq % CHECKPOINT_EVERY === 0) {
          const previous: SignedCheckpoint | null = lastCheckpoint;
          lastCheckpoint = signCheckpoint(key, {
            seq: (previous?.seq ?? 0) + 1,
            at: event.at,
            lastEventSeq: event.seq,
            headHash: event.hash,
            prevCheckpointHash: previous ? checkpointHash(previous) : GENESIS_HASH,
          });
          checkpoints.push(lastCheckpoint);
        }
      }
      return { text: `${rows.join('\n')}\n`, checkpoints };
    },
  };
}

/**
 * Appends the chain's events up to `upTo` (COPY), their checkpoints and the head, as the server
 * would have written them, and answers how long that took.
 */
export async function appendChain(
  sql: postgres.Sql,
  chain: ReturnType<typeof chainWriter>,
  upTo: number,
): Promise<number> {
  const t0 = performance.now();
  const copy = (await sql`copy audit_events (seq, at, type, account_id, session_id, request_id, ip,
    payload, account_seq, account_prev_hash, prev_hash, hash) from stdin with (format csv)`.writable()) as Writable;
  const checkpoints: SignedCheckpoint[] = [];
  while (chain.head.seq < upTo) {
    const chunk = chain.next(Math.min(CHUNK, upTo - chain.head.seq));
    checkpoints.push(...chunk.checkpoints);
    if (!copy.write(chunk.text)) await new Promise((resolve) => copy.once('drain', resolve));
  }
  copy.end();
  await finished(copy);
  for (let i = 0; i < checkpoints.length; i += 1000) {
    const rows = checkpoints.slice(i, i + 1000).map((c) => ({
      seq: c.seq,
      at: c.at,
      last_event_seq: c.lastEventSeq,
      head_hash: c.headHash,
      prev_checkpoint_hash: c.prevCheckpointHash,
      key_id: c.keyId,
      signature: c.signature,
    }));
    await sql`insert into audit_checkpoints ${sql(rows)}`;
  }
  await sql`update audit_head set last_event_seq = ${chain.head.seq}, hash = ${chain.head.hash}`;
  await sql`analyze audit_events`;
  return performance.now() - t0;
}

/** The command itself, as an operator runs it, against the scratch database. */
async function runVerify(url: string) {
  const outcome = await runEntry('server/audit-verify.ts', { DATABASE_OWNER_URL: url }, 30 * 60_000);
  const line = outcome.lines.at(-1) ?? '';
  if (outcome.code !== 0) throw new Error(`audit:verify exited ${outcome.code}: ${line}`);
  const summary = JSON.parse(line) as { events: number; accounts: number; ms: number; peakRssMiB: number };
  return {
    events: summary.events,
    accounts: summary.accounts,
    ms: summary.ms,
    eventsPerSecond: Math.round(summary.events / (summary.ms / 1000)),
    peakRssMiB: summary.peakRssMiB,
  };
}

export async function benchAuditVerify() {
  const total = eventCount();
  const scratch = await createEmptyPostgres(ADMIN_URL);
  try {
    await (await openPostgres(scratch.url, { migrate: true })).close();
    const sql = postgres(scratch.url, { onnotice: () => {}, max: 1 });
    try {
      const chain = chainWriter();
      await sql`insert into audit_signing_keys (key_id, public_key, created_at)
        values (${chain.key.keyId}, ${publicRecord(chain.key).publicKey}, now())`;
      let writeMs = 0;
      const load = async (upTo: number) => {
        writeMs += await appendChain(sql, chain, upTo);
      };

      await load(Math.max(1, Math.floor(total / 10)));
      const tenth = await runVerify(scratch.url);
      await load(total);
      const all = await runVerify(scratch.url);
      if (all.events !== total) throw new Error(`verified ${all.events} events, wrote ${total}`);
      return {
        name: 'audit-verify',
        database: 'postgresql (scratch database, COPY)',
        events: total,
        accounts: all.accounts,
        checkpoints: Math.floor(total / CHECKPOINT_EVERY),
        generateAndWriteMs: Math.round(writeMs),
        verify: { [`${tenth.events}`]: tenth, [`${all.events}`]: all },
        peakRssGrowthMiB: all.peakRssMiB - tenth.peakRssMiB,
      };
    } finally {
      await sql.end({ timeout: 5 });
    }
  } finally {
    await scratch.drop();
  }
}

// Alone, for another size: AUDIT_BENCH_EVENTS=100000 node --import tsx bench/audit-verify.ts
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.stdout.write(`${JSON.stringify(await benchAuditVerify(), null, 2)}\n`);
}
