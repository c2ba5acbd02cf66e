import { asc, gt } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { auditCheckpoints, auditEvents, auditHead, auditSigningKeys } from '../db/schema.ts';
import type { ChainedEvent } from './chain.ts';
import type { ExportedKey } from './export-format.ts';
import type { ChainHead, VerifyInput } from './verify.ts';

/** Events per query: big enough that round trips do not dominate, small enough to stay streaming. */
export const EVENT_PAGE = 5000;

export interface DatabaseLog extends VerifyInput {
  keys: ExportedKey[];
}

/**
 * Runs `work` over the audit log as one snapshot (REPEATABLE READ, read only): the head, keys and
 * checkpoints it is given and the events it streams are the same instant's, even while a running
 * server appends. `db` must see every row: the tables' owner (row-level security hides events
 * without an account from the application role). Events come in pages by seq, never all at once.
 * Given a transaction instead of a connection, drizzle makes this a savepoint of it: the snapshot
 * is then the caller's (tests run it so, inside `asOwner`).
 */
export function withDatabaseLog<T>(db: Db, work: (log: DatabaseLog) => Promise<T>): Promise<T> {
  return db.transaction(
    async (tx) => {
      const [headRow] = await tx.select().from(auditHead);
      if (!headRow) throw new Error('the audit_head row is missing');
      const head: ChainHead = {
        lastEventSeq: headRow.lastEventSeq,
        hash: headRow.hash,
        prunedThroughSeq: headRow.prunedThroughSeq,
        prunedThroughHash: headRow.prunedThroughHash,
      };
      const keys = await tx
        .select()
        .from(auditSigningKeys)
        .orderBy(asc(auditSigningKeys.createdAt), asc(auditSigningKeys.keyId));
      const checkpoints = await tx.select().from(auditCheckpoints).orderBy(asc(auditCheckpoints.seq));
      return work({ head, keys, checkpoints, events: pagedEvents(tx as unknown as Db) });
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}

/**
 * Every event by seq, EVENT_PAGE at a time (keyset pagination). The first page has no lower
 * bound: a row slipped in below seq 1 must reach the verifier, not be skipped by `seq > 0`.
 */
async function* pagedEvents(tx: Db): AsyncGenerator<ChainedEvent> {
  let last: number | null = null;
  for (;;) {
    const page: ChainedEvent[] = await tx
      .select()
      .from(auditEvents)
      .where(last === null ? undefined : gt(auditEvents.seq, last))
      .orderBy(asc(auditEvents.seq))
      .limit(EVENT_PAGE);
    yield* page;
    const tail = page.at(-1);
    if (!tail || page.length < EVENT_PAGE) return;
    last = tail.seq;
  }
}
