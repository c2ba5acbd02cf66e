import { desc, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../db/client.ts';
import { firstRow } from '../db/first-row.ts';
import { auditCheckpoints, auditHead, auditSigningKeys } from '../db/schema.ts';
import { inScope } from '../db/scope.ts';
import { describeError } from '../describe-error.ts';
import { checkpointHash, GENESIS_HASH, type SignedCheckpoint } from './chain.ts';
import { publicRecord, type SigningKey, signCheckpoint } from './signing.ts';

export interface SealerOptions {
  db: Db;
  key: SigningKey;
  logger: Logger;
  now?: () => Date;
  /** A checkpoint after this many events recorded by this process (default 1000)… */
  everyEvents?: number;
  /** …and at least this often while events arrive (default 5 minutes). */
  intervalMs?: number;
  /** Events older than this many days are pruned, up to a checkpoint; 0 keeps everything. */
  retentionDays?: number;
  /** Events removed per transaction, as near as checkpoints allow (default PRUNE_BATCH)… */
  pruneBatch?: number;
  /** …and transactions per prune at most (default PRUNE_MAX_BATCHES); the next tick goes on. */
  pruneMaxBatches?: number;
}

/**
 * Retention deletes about this many events per transaction: each one holds the head row that every
 * request recording an event waits for, so a large backlog is cut in short steps, not one long one.
 */
export const PRUNE_BATCH = 5000;
export const PRUNE_MAX_BATCHES = 200;

/**
 * Signs checkpoints of the audit chain's head and prunes events past their retention
 * (docs/audit.md). Every server process runs one; they serialise on the head row, so two
 * processes never sign the same head twice.
 */
export class AuditSealer {
  readonly #db: Db;
  readonly #key: SigningKey;
  readonly #logger: Logger;
  readonly #now: () => Date;
  readonly #everyEvents: number;
  readonly #intervalMs: number;
  readonly #retentionDays: number;
  readonly #pruneBatch: number;
  readonly #pruneMaxBatches: number;
  #sinceCheckpoint = 0;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> = Promise.resolve();

  constructor(options: SealerOptions) {
    this.#db = options.db;
    this.#key = options.key;
    this.#logger = options.logger;
    this.#now = options.now ?? (() => new Date());
    this.#everyEvents = options.everyEvents ?? 1000;
    this.#intervalMs = options.intervalMs ?? 5 * 60_000;
    this.#retentionDays = options.retentionDays ?? 0;
    this.#pruneBatch = options.pruneBatch ?? PRUNE_BATCH;
    this.#pruneMaxBatches = options.pruneMaxBatches ?? PRUNE_MAX_BATCHES;
  }

  get keyId(): string {
    return this.#key.keyId;
  }

  /** Publishes this process's public key (idempotent) and starts the timer. */
  async start(): Promise<void> {
    const record = publicRecord(this.#key);
    await inScope(this.#db, 'server', (tx) =>
      tx
        .insert(auditSigningKeys)
        .values({ ...record, createdAt: this.#now() })
        .onConflictDoNothing(),
    );
    this.#timer = setInterval(() => void this.#tick(), this.#intervalMs);
    this.#timer.unref();
  }

  /** Called after every committed event of this process. */
  readonly noteEvent = (): void => {
    this.#sinceCheckpoint += 1;
    if (this.#sinceCheckpoint >= this.#everyEvents) {
      this.#sinceCheckpoint = 0;
      void this.#serially(() => this.checkpoint());
    }
  };

  async #tick() {
    await this.#serially(async () => {
      await this.checkpoint();
      await this.prune();
    });
  }

  #serially<T>(work: () => Promise<T>): Promise<T | undefined> {
    const run = this.#running.then(work).catch((error: unknown) => {
      // The next tick tries again; events stay chained in the meantime, only unsigned.
      this.#logger.error({ event: 'audit_seal_failed', err: describeError(error) }, 'audit');
      return undefined;
    });
    this.#running = run;
    return run;
  }

  /** Signs the current head unless the newest checkpoint already covers it. Returns the new one, if any. */
  async checkpoint(): Promise<SignedCheckpoint | null> {
    return inScope(this.#db, 'server', async (tx) => {
      const [head] = await tx.select().from(auditHead).for('update');
      if (!head) throw new Error('audit head row missing');
      const [last] = await tx.select().from(auditCheckpoints).orderBy(desc(auditCheckpoints.seq)).limit(1);
      if (last && last.lastEventSeq >= head.lastEventSeq) return null;
      const signed = signCheckpoint(this.#key, {
        seq: (last?.seq ?? 0) + 1,
        at: this.#now(),
        lastEventSeq: head.lastEventSeq,
        headHash: head.hash,
        prevCheckpointHash: last ? checkpointHash(last) : GENESIS_HASH,
      });
      await tx.insert(auditCheckpoints).values(signed);
      return signed;
    });
  }

  /**
   * Removes events past the retention, up to the newest checkpoint among them, one transaction per
   * batch (keyhold_audit_prune cuts at a checkpoint at most `pruneBatch` events on, or at the next
   * one). Returns how many; what `pruneMaxBatches` left is removed on the next tick.
   */
  async prune(): Promise<number> {
    if (this.#retentionDays <= 0) return 0;
    const before = new Date(this.#now().getTime() - this.#retentionDays * 86_400_000);
    let removed = 0;
    let batches = 0;
    while (batches < this.#pruneMaxBatches) {
      const cut = await inScope(this.#db, 'server', async (tx) => {
        const rows = (await tx.execute(
          sql`select keyhold_audit_prune(${before.toISOString()}::timestamptz, ${this.#pruneBatch}::integer) as removed`,
        )) as unknown;
        return Number(firstRow(rows)?.removed ?? 0);
      });
      if (cut === 0) break;
      removed += cut;
      batches += 1;
    }
    if (removed > 0)
      this.#logger.info({ event: 'audit_pruned', removed, batches, before: before.toISOString() }, 'audit');
    return removed;
  }

  /** Stops the timer and lets a running checkpoint finish. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }
}
