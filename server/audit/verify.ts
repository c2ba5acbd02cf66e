import {
  type ChainedEvent,
  checkpointHash,
  eventHash,
  GENESIS_HASH,
  type SignedCheckpoint,
} from './chain.ts';
import { type PublicKeyRecord, verifyCheckpoint } from './signing.ts';

/**
 * Recomputes the audit chains and checks every checkpoint (docs/audit.md, "Verifying"). Events are
 * consumed as a stream in chain order, so memory grows with the number of accounts and
 * checkpoints, never with the number of events. Stops at the first broken link.
 */

/** Where the chain stood when last written, and what pruning removed (from the audit_head row). */
export interface ChainHead {
  lastEventSeq: number;
  hash: string;
  prunedThroughSeq: number;
  prunedThroughHash: string;
}

export interface VerifyInput {
  keys: readonly PublicKeyRecord[];
  /** Every checkpoint, in order of seq. */
  checkpoints: readonly SignedCheckpoint[];
  /** Every event, in order of seq. */
  events: AsyncIterable<ChainedEvent>;
  head: ChainHead;
}

export interface Problem {
  eventSeq?: number;
  checkpointSeq?: number;
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  events: number;
  accounts: number;
  checkpoints: number;
  /** Events after the newest checkpoint: chained, but not yet signed. */
  unsignedTail: number;
  problem: Problem | null;
}

class Broken extends Error {
  constructor(readonly problem: Problem) {
    super(problem.message);
  }
}

const fail = (problem: Problem): never => {
  throw new Broken(problem);
};

function checkCheckpoints(input: VerifyInput): Map<number, SignedCheckpoint[]> {
  const keys = new Map(input.keys.map((k) => [k.keyId, k]));
  const byEvent = new Map<number, SignedCheckpoint[]>();
  let previous: SignedCheckpoint | undefined;
  for (const cp of input.checkpoints) {
    const key = keys.get(cp.keyId);
    if (!key)
      fail({ checkpointSeq: cp.seq, message: `checkpoint ${cp.seq} is signed by unknown key ${cp.keyId}` });
    else if (!verifyCheckpoint(key, cp))
      fail({
        checkpointSeq: cp.seq,
        message: `checkpoint ${cp.seq}: the signature does not match its contents`,
      });
    if (previous) {
      if (cp.seq !== previous.seq + 1)
        fail({
          checkpointSeq: cp.seq,
          message: `checkpoint ${cp.seq} follows ${previous.seq}: checkpoints are missing`,
        });
      const { signature: _s, ...body } = previous;
      if (cp.prevCheckpointHash !== checkpointHash(body))
        fail({
          checkpointSeq: cp.seq,
          message: `checkpoint ${cp.seq}: prevCheckpointHash does not match checkpoint ${previous.seq}`,
        });
      if (cp.lastEventSeq < previous.lastEventSeq)
        fail({
          checkpointSeq: cp.seq,
          message: `checkpoint ${cp.seq} covers fewer events than ${previous.seq}`,
        });
    } else if (cp.seq === 1 && cp.prevCheckpointHash !== GENESIS_HASH) {
      fail({ checkpointSeq: 1, message: 'checkpoint 1 does not start the checkpoint chain' });
    }
    if (cp.lastEventSeq === 0 && cp.headHash !== GENESIS_HASH)
      fail({ checkpointSeq: cp.seq, message: `checkpoint ${cp.seq} names a head for an empty log` });
    const list = byEvent.get(cp.lastEventSeq);
    if (list) list.push(cp);
    else byEvent.set(cp.lastEventSeq, [cp]);
    previous = cp;
  }
  return byEvent;
}

export async function verifyChain(input: VerifyInput): Promise<VerifyReport> {
  const report: VerifyReport = {
    ok: false,
    events: 0,
    accounts: 0,
    checkpoints: input.checkpoints.length,
    unsignedTail: 0,
    problem: null,
  };
  const { head } = input;
  try {
    const checkpointsAt = checkCheckpoints(input);
    const pruned = head.prunedThroughSeq > 0;
    if (pruned) {
      const anchor = checkpointsAt
        .get(head.prunedThroughSeq)
        ?.some((cp) => cp.headHash === head.prunedThroughHash);
      if (!anchor)
        fail({
          eventSeq: head.prunedThroughSeq,
          message: `events up to ${head.prunedThroughSeq} were pruned, but no signed checkpoint vouches for that point`,
        });
    }
    let expectedSeq = head.prunedThroughSeq + 1;
    let prevHash = pruned ? head.prunedThroughHash : GENESIS_HASH;
    const accounts = new Map<string, { seq: number; hash: string }>();
    for await (const event of input.events) {
      const n = event.seq;
      if (n !== expectedSeq) {
        fail({
          eventSeq: n,
          message:
            n > expectedSeq
              ? `event ${n} follows event ${expectedSeq - 1}: ${n === expectedSeq + 1 ? `event ${expectedSeq} is` : `events ${expectedSeq}–${n - 1} are`} missing`
              : `event ${n} appears out of order (expected ${expectedSeq})`,
        });
      }
      const { hash: stored, ...unhashed } = event;
      if (eventHash(unhashed) !== stored)
        fail({
          eventSeq: n,
          message: `event ${n} (${event.type}) was altered: its fields no longer match its hash`,
        });
      if (event.prevHash !== prevHash)
        fail({
          eventSeq: n,
          message: `event ${n} does not follow event ${n - 1}: its prevHash differs from that event's hash`,
        });
      if (event.accountId !== null) {
        const last = accounts.get(event.accountId);
        if (last) {
          if (event.accountSeq !== last.seq + 1 || event.accountPrevHash !== last.hash)
            fail({
              eventSeq: n,
              message: `event ${n} breaks account ${event.accountId}'s chain: expected its event ${last.seq + 1} after ${last.hash.slice(0, 12)}…`,
            });
        } else if (event.accountSeq === 1) {
          if (event.accountPrevHash !== GENESIS_HASH)
            fail({
              eventSeq: n,
              message: `event ${n} starts account ${event.accountId}'s chain with a non-genesis hash`,
            });
        } else if (!pruned || event.accountSeq === null || event.accountPrevHash === null) {
          fail({
            eventSeq: n,
            message: `event ${n} is account ${event.accountId}'s event ${event.accountSeq}, but its earlier events are missing`,
          });
        }
        accounts.set(event.accountId, { seq: event.accountSeq ?? 0, hash: stored });
      } else if (event.accountSeq !== null || event.accountPrevHash !== null) {
        fail({ eventSeq: n, message: `event ${n} has account chain fields but no account` });
      }
      for (const cp of checkpointsAt.get(n) ?? []) {
        if (cp.headHash !== stored)
          fail({
            eventSeq: n,
            checkpointSeq: cp.seq,
            message: `checkpoint ${cp.seq} signed a different hash for event ${n}: the event or the chain before it changed`,
          });
      }
      prevHash = stored;
      expectedSeq = n + 1;
      report.events += 1;
    }
    const lastSeq = expectedSeq - 1;
    const lastSigned = input.checkpoints.at(-1)?.lastEventSeq ?? 0;
    if (lastSigned > lastSeq)
      fail({
        eventSeq: lastSeq + 1,
        message: `the log ends at event ${lastSeq}, but checkpoint ${input.checkpoints.at(-1)?.seq} signed events up to ${lastSigned}: events were removed from the end`,
      });
    if (head.lastEventSeq === lastSeq && head.hash !== prevHash)
      fail({
        eventSeq: lastSeq,
        message: `the head records event ${lastSeq} with another hash: the head row or the last event was changed`,
      });
    if (head.lastEventSeq !== lastSeq)
      fail({
        eventSeq: lastSeq + 1,
        message: `the log ends at event ${lastSeq}, but its head records event ${head.lastEventSeq}: events were removed from the end`,
      });
    report.accounts = accounts.size;
    report.unsignedTail = lastSeq - Math.max(lastSigned, head.prunedThroughSeq);
    report.ok = true;
  } catch (error) {
    if (!(error instanceof Broken)) throw error;
    report.problem = error.problem;
  }
  return report;
}
